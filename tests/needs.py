"""Whether a missing service skips a test (on a developer's machine) or fails it (in CI, where it must be there)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def required(variable: str) -> bool:
    """True under CI (any `CI` but empty, 0 or false) or when `variable` is 1."""
    in_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false")
    return in_ci or os.environ.get(variable) == "1"


def missing(what: str, *, variable: str) -> NoReturn:
    """Skips the test because `what` is missing, or fails it where the service is required."""
    if required(variable):
        pytest.fail(f"{what} (required here: CI or {variable}=1 is set)", pytrace=False)
    pytest.skip(f"{what} (set {variable}=1 to fail instead)")


def thorough(everyday: int, deep: int) -> int:
    """How many examples a randomized test tries: `everyday` by default, `deep` when SOP_THOROUGH=1."""
    return deep if os.environ.get("SOP_THOROUGH") == "1" else everyday
