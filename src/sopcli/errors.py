"""The one error family of sopcli; only the CLI turns these into text and exit codes."""

from __future__ import annotations


class SopError(Exception):
    """A refused action or bad input: a message saying what is wrong and a hint saying what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class NotFound(SopError):
    """An SOP, run, step or file that was asked for does not exist."""


class InvalidSop(SopError):
    """An SOP file that breaks the format; carries every problem as `file:line: message`."""

    def __init__(self, problems: list[str]) -> None:
        from sopcli.i18n import _n

        first = problems[0] if problems else "invalid SOP"
        more = _n(" (and {count} more)", " (and {count} more)", len(problems) - 1) if len(problems) > 1 else ""
        super().__init__(first + more)
        self.problems = problems


class Refused(SopError):
    """An action the rules of the run do not allow right now."""


class StoreError(SopError):
    """The store cannot be read or written safely; it is left as it is."""


class Damaged(StoreError):
    """A store file that is not what sop wrote (edited, truncated, replaced by a link): reported, never
    overwritten."""


class LockTimeout(StoreError):
    """Another process held the store lock for longer than we are willing to wait."""


class Usage(SopError):
    """A malformed option value that the framework could not catch (exit 2)."""
