"""The framework's usage errors (a missing argument, an unknown option, a value of the wrong kind) said
in the chosen language: Typer's vendored Click writes them only in English."""

from __future__ import annotations

import re
from typing import Any

from typer import _click

from sopcli.i18n import _

_EXTRA = re.compile(r"^Got unexpected extra argument(?:s|\(s\))? \((.*)\)$")
_SUGGESTED = re.compile(r"^(.*?)\.? Did you mean (.*)\?$")  # Typer appends this, in English, to any language
_NO_COMMAND = re.compile(r"^No such command '(.*)'\.?$")
_NEEDS_VALUE = re.compile(r"^Option '(.*)' requires (an argument|\d+ arguments)\.$")
_NO_VALUE = re.compile(r"^Option '(.*)' does not take a value\.$")
_NOT_ONE_OF = re.compile(r"'(.*)' is not one of (.*?)\.?$")


def _hint(err: Any) -> str:
    param = getattr(err, "param", None)
    if param is None:
        return ""
    if getattr(param, "param_type_name", "") == "argument":
        return str(getattr(param, "metavar", None) or param.name.upper())
    return " / ".join(param.opts)


def _bad_value(err: Any) -> str:
    """A value the parameter's type refused, from the cause Typer's pydantic coercion left behind."""
    cause = err.__cause__
    name = _hint(err)
    errors = cause.errors() if cause is not None and hasattr(cause, "errors") else []
    if errors:
        first = errors[0]
        value = first.get("input")
        kind = first.get("type", "")
        if kind in ("int_parsing", "int_type", "int_from_float"):
            return _("{name}: {value!r} is not a whole number", name=name, value=value)
        if kind in ("enum", "literal_error"):
            expected = str(first.get("ctx", {}).get("expected", "")).replace("'", "")
            return _("{name}: {value!r} is not one of {choices}", name=name, value=value, choices=expected)
        if kind in ("float_parsing", "float_type"):
            return _("{name}: {value!r} is not a number", name=name, value=value)
        limits = first.get("ctx") or {}
        if kind in ("greater_than_equal", "greater_than"):
            limit = limits.get("ge", limits.get("gt"))
            if kind == "greater_than_equal":
                return _("{name}: {value!r} is below the least allowed, {limit}", name=name, value=value, limit=limit)
            return _("{name}: {value!r} must be more than {limit}", name=name, value=value, limit=limit)
        if kind in ("less_than_equal", "less_than"):
            limit = limits.get("le", limits.get("lt"))
            if kind == "less_than_equal":
                return _("{name}: {value!r} is above the most allowed, {limit}", name=name, value=value, limit=limit)
            return _("{name}: {value!r} must be less than {limit}", name=name, value=value, limit=limit)
    if match := _NOT_ONE_OF.search(str(err.message)):
        choices = match.group(2).replace("'", "")
        return _("{name}: {value!r} is not one of {choices}", name=name, value=match.group(1), choices=choices)
    return _("{name}: {problem}", name=name, problem=str(err.message).removeprefix("Value error, "))


def describe(err: Any) -> str:
    if isinstance(err, _click.exceptions.MissingParameter):
        what = _("argument") if getattr(err.param, "param_type_name", "") == "argument" else _("option")
        return _("missing {what} {name}", what=what, name=_hint(err))
    if isinstance(err, _click.exceptions.NoSuchOption):
        text = _("no such option: {name}", name=err.option_name)
        if err.possibilities:
            text += " (" + _("did you mean {names}?", names=", ".join(sorted(err.possibilities))) + ")"
        return text
    if isinstance(err, _click.exceptions.BadParameter):
        return _bad_value(err)
    message = str(err.message)
    if match := _SUGGESTED.match(message):
        quoted = re.search(r"'(.*?)'", match.group(1))
        names = match.group(2).replace("'", "")
        base = _("no such command: {name}", name=quoted.group(1)) if quoted else match.group(1)
        return base + " (" + _("did you mean {names}?", names=names) + ")"
    if match := _EXTRA.match(message):
        return _("unexpected extra argument(s): {args}", args=match.group(1))
    if match := _NO_COMMAND.match(message):
        return _("no such command: {name}", name=match.group(1))
    if match := _NEEDS_VALUE.match(message):
        return _("option {name} needs a value", name=match.group(1))
    if match := _NO_VALUE.match(message):
        return _("option {name} takes no value", name=match.group(1))
    if message.startswith("Missing command"):
        return _("a command is missing")
    return message
