"""Automatic checkers for the book's exercises.

Introduced in Chapter 1. Every chapter uses the same pattern:

1. the exercise cell holds a stub -- ``...`` or ``raise NotImplementedError`` --
   that runs without crashing the notebook;
2. the next line calls :func:`check` with the exercise's id and the reader's answer;
   it prints *Correct*, or a specific hint for a wrong answer, or a reminder that
   the stub is still a stub, and never raises;
3. the hidden solution cell defines the reference answer and runs it through the
   same checker (``assert check(...)``), so the book's build fails if they disagree.

Example
-------
>>> from mmteach.exercises import check
>>> def ceiling(p_silent, n_classes):
...     raise NotImplementedError
>>> result = check("ch1-text-ceiling", ceiling, quiet=True)
>>> result.passed, result.status
(False, 'not attempted')
>>> result = check("ch1-text-ceiling", lambda p, k: (1 - p) + p / k, quiet=True)
>>> result.passed
True

A chapter adds its checkers here with :func:`checker`; each is a function that takes
the reader's answer and raises :class:`Hint` with a helpful sentence when it is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "CheckResult",
    "Hint",
    "NotAttempted",
    "check",
    "checker",
    "registered",
    "describe",
    "reference",
    "reference_answer",
]


class Hint(AssertionError):
    """Raised by a checker: the answer is wrong, and here is a hint why."""


class NotAttempted(Exception):
    """Raised by a checker when the answer is still the stub."""


@dataclass
class CheckResult:
    """What :func:`check` found. Truthy only when the answer passed."""

    exercise: str
    status: str  # "correct", "wrong", "not attempted" or "error"
    message: str

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        icon = {"correct": "✅", "wrong": "❌", "not attempted": "✏️", "error": "⚠️"}[self.status]
        return f"{icon} [{self.exercise}] {self.message}"

    _just_printed = False

    def _ipython_display_(self):
        # check() has just printed this verdict; when a cell ends with check(...), Jupyter
        # would show it a second time. Show it only when asked for later.
        if self._just_printed:
            self._just_printed = False
            return
        print(self)


_CHECKERS: dict[str, tuple[Callable, str]] = {}


def checker(exercise: str, description: str):
    """Register a checker function under an exercise id such as ``"ch1-text-ceiling"``."""

    def register(fn):
        if exercise in _CHECKERS:
            raise ValueError(f"exercise id {exercise!r} is registered twice")
        _CHECKERS[exercise] = (fn, description)
        return fn

    return register


def registered() -> list[str]:
    """The ids of all exercises that have a checker."""
    return sorted(_CHECKERS)


def describe(exercise: str) -> str:
    """A one-line description of what the checker of ``exercise`` expects."""
    _lookup(exercise)
    return _CHECKERS[exercise][1]


def _lookup(exercise):
    if not isinstance(exercise, str):
        raise TypeError(f"exercise must be an exercise id (str), got {type(exercise).__name__}")
    if exercise not in _CHECKERS:
        raise ValueError(f"unknown exercise {exercise!r}: expected one of {registered()}")
    return _CHECKERS[exercise][0]


def _is_stub(value) -> bool:
    return value is Ellipsis or value is None


def call(fn, *args, **kwargs):
    """Call the reader's function; turn a stub (``...``, ``None``, NotImplementedError) into NotAttempted."""
    if _is_stub(fn):
        raise NotAttempted
    if not callable(fn):
        raise Hint(f"expected a function, got {type(fn).__name__} {fn!r}")
    try:
        out = fn(*args, **kwargs)
    except NotImplementedError:
        raise NotAttempted from None
    if _is_stub(out):
        raise NotAttempted
    return out


def check(exercise: str, answer, *, quiet: bool = False) -> CheckResult:
    """Check ``answer`` for ``exercise``; print and return a :class:`CheckResult`.

    Never raises for a wrong answer or a stub (the notebook keeps running); an
    error inside the reader's code is reported with its type and message.
    """
    fn = _lookup(exercise)
    try:
        fn(answer)
    except NotAttempted:
        result = CheckResult(
            exercise, "not attempted", "Not attempted yet: replace the `...` with your code."
        )
    except Hint as hint:
        result = CheckResult(exercise, "wrong", f"Not yet. Hint: {hint}")
    except Exception as err:  # the reader's code crashed: say how, do not crash the notebook
        result = CheckResult(
            exercise, "error", f"Your code raised {type(err).__name__}: {err}"
        )
    else:
        result = CheckResult(exercise, "correct", "Correct!")
    if not quiet:
        print(result)
        result._just_printed = True
    return result


def _close(a, b, tol=1e-6) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol)
    except (TypeError, ValueError):
        return False


_REFERENCES: dict[str, object] = {}


def reference(exercise: str, answer=None):
    """Register the reference answer of ``exercise``: as a decorator, or with ``answer=``.

    The reference is written once, in the chapter's module (``mmteach/exercises/chNN.py``);
    the chapter's hidden solution cell shows the same code (a test compares the two) and the
    unit tests check it passes its checker.
    """
    if answer is not None:
        _REFERENCES[exercise] = answer
        return answer

    def register(fn):
        _REFERENCES[exercise] = fn
        return fn

    return register


def reference_answer(exercise: str):
    """The registered reference answer of ``exercise`` (what its hidden solution shows)."""
    _lookup(exercise)
    if exercise not in _REFERENCES:
        raise ValueError(f"exercise {exercise!r} has no registered reference answer")
    return _REFERENCES[exercise]


def _load_chapters():
    """Import every ``chNN`` module of this package, in chapter order: each registers its checkers."""
    import importlib
    import pkgutil

    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("ch"))
    for name in names:
        importlib.import_module(f"{__name__}.{name}")


_load_chapters()
