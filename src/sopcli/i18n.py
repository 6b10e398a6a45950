"""One door for words: every sentence `sop` prints for people, in Indonesian (the default) or English.

Messages are written in the code in English (`_("step {no} is not active", no=3)`); the
Indonesian text comes from a gettext catalogue compiled from `locale/id/LC_MESSAGES/sopcli.po`.
Only the catalogue of the chosen language is read, and only when the first word is printed."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

LANGUAGES = ("id", "en")
DEFAULT = "id"
DOMAIN = "sopcli"
LOCALE_DIR = Path(__file__).parent / "locale"

_language = DEFAULT
_catalogue: Any = None


class UnknownLanguage(ValueError):
    """A language asked for that sop does not speak."""


def choose(flag: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """`--lang`, else SOP_LANG, else the first of LC_ALL, LC_MESSAGES, LANG naming id or en, else id."""
    environ = os.environ if environ is None else environ
    for asked in (flag, environ.get("SOP_LANG")):
        if asked:
            code: str = asked.strip().lower()
            if code not in LANGUAGES:
                raise UnknownLanguage(asked)
            return code
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        found = _locale_language(environ.get(name, ""))
        if found:
            return found
    return DEFAULT


def _locale_language(value: str) -> str | None:
    """`id_ID.UTF-8` -> id, `en_GB` -> en; C, POSIX and other languages name neither."""
    code = value.split(".")[0].split("@")[0].split("_")[0].strip().lower()
    return code if code in LANGUAGES else None


def set_language(code: str) -> None:
    global _language, _catalogue
    if code not in LANGUAGES:
        raise UnknownLanguage(code)
    if code != _language:
        _language, _catalogue = code, None
    # The framework (Typer's help panels and errors) asks the process-wide gettext domain,
    # which reads the language from the environment at every call.
    os.environ["LANGUAGE"] = code


def language() -> str:
    return _language


def _load() -> Any:
    global _catalogue
    if _catalogue is None:
        import gettext

        if _language == "en":
            _catalogue = gettext.NullTranslations()
        else:
            _catalogue = gettext.translation(DOMAIN, LOCALE_DIR, languages=[_language], fallback=True)
    return _catalogue


def _(message: str, /, **values: Any) -> str:
    """The message in the chosen language, with `{name}` fields filled from `values`."""
    text = _load().gettext(message)
    return text.format(**values) if values else text


def _n(singular: str, plural: str, count: int, /, **values: Any) -> str:
    """A message whose English form depends on a count (`1 file`, `2 files`); `{count}` is filled in."""
    text = _load().ngettext(singular, plural, count)
    return text.format(count=count, **values)


def N_(message: str) -> str:
    """Marks a message for the catalogue where it is defined; it is translated where it is shown."""
    return message


def bind_framework() -> None:
    """Points the process-wide gettext domain at our catalogue, so Typer's own words follow the language."""
    import gettext

    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)


# The operating system's reasons in the reader's language: the C library says them in English only.
_REASONS = {
    "ENOENT": N_("no such file or folder"),
    "EACCES": N_("permission denied"),
    "EPERM": N_("permission denied"),
    "ENOSPC": N_("no space left on the device"),
    "EDQUOT": N_("no space left on the device"),
    "EROFS": N_("the file system is read-only"),
    "EISDIR": N_("it is a folder"),
    "ENOTDIR": N_("a part of the path is not a folder"),
    "ENXIO": N_("no such device or address (a pipe or socket with nobody at the other end)"),
    "ELOOP": N_("too many symbolic links"),
    "ENAMETOOLONG": N_("the name is too long"),
    "EIO": N_("input/output error (the device failed)"),
    "EEXIST": N_("it already exists"),
    "EBUSY": N_("the device or file is busy"),
    "EMFILE": N_("too many open files"),
    "ETXTBSY": N_("the file is busy"),
}


def os_reason(err: OSError) -> str:
    """Why an operation on a file failed, in the chosen language (the OS's own words when unknown)."""
    import errno as codes

    name = codes.errorcode.get(err.errno or 0, "")
    return _(_REASONS[name]) if name in _REASONS else (err.strerror or str(err))
