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

Hints speak the reader's language: :func:`set_language` (or the environment variable
``MMTEACH_LANGUAGE``) chooses ``"en"`` or ``"zh_CN"``, the Chinese edition's. A hint is a
template with named fields, ``Hint("expected {want} rows, got {got}.", want=n, got=len(a))``;
its Chinese template lives in ``mmteach/exercises/zh_CN.py``, and English is the fallback.

>>> from mmteach import exercises
>>> previous = exercises.set_language("zh_CN")
>>> result = check("ch1-text-ceiling", lambda p, k: (1 - p) + p / k)
✅ [ch1-text-ceiling] 正确！
>>> _ = exercises.set_language(previous)
"""

from __future__ import annotations

import math
import os
import string
from collections.abc import Callable
from dataclasses import dataclass

from mmteach._validation import check_choice

__all__ = [
    "CheckResult",
    "Hint",
    "NotAttempted",
    "LANGUAGES",
    "check",
    "checker",
    "language",
    "set_language",
    "registered",
    "describe",
    "reference",
    "reference_answer",
]


#: The languages hints and verdicts can be shown in.
LANGUAGES = ("en", "zh_CN")
_ENVIRONMENT = "MMTEACH_LANGUAGE"
_language: str | None = None  # None: follow the environment variable


def language() -> str:
    """The language of hints and verdicts: set by :func:`set_language`, else ``MMTEACH_LANGUAGE``.

    >>> language() in LANGUAGES
    True
    """
    if _language is not None:
        return _language
    value = os.environ.get(_ENVIRONMENT, "").strip()
    if not value:
        return "en"
    return check_choice(f"the environment variable {_ENVIRONMENT}", value, LANGUAGES)


def set_language(language: str | None) -> str | None:
    """Show hints and verdicts in ``language``: ``"en"`` or ``"zh_CN"``.

    ``None`` follows the environment variable ``MMTEACH_LANGUAGE`` again (English when it is
    unset). Returns the previous setting, so that it can be restored.

    >>> previous = set_language("zh_CN")
    >>> str(Hint("expected a function, got {fn_type} {fn!r}", fn_type="int", fn=3))
    '应为一个函数，得到的是 int 3'
    >>> set_language(previous) == "zh_CN"
    True
    """
    global _language
    if language is not None:
        check_choice("language", language, LANGUAGES)
    previous, _language = _language, language
    return previous


def _catalogue(language: str) -> dict[str, str]:
    if language == "zh_CN":
        from mmteach.exercises.zh_CN import TEMPLATES

        return TEMPLATES
    return {}


def _template_fields(template: str) -> set[str]:
    """The names of the fields of a hint template; refuses positional ``{}`` and ``{0}``."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is None:
            continue
        name = field.split(".")[0].split("[")[0]
        if not name.isidentifier():
            raise ValueError(
                f"a hint template needs named fields such as {{got}}, not {{{field}}}: {template!r}"
            )
        names.add(name)
    return names


def _render(template: str, fields: dict, language: str) -> str:
    """``template`` in ``language`` (English when the catalogue lacks it), filled with ``fields``."""
    text = _catalogue(language).get(template, template)
    return text.format(**fields) if fields else text


def _text(template: str, **fields) -> str:
    """One of the framework's own messages, in the current language."""
    return _render(template, fields, language())


class Hint(AssertionError):
    """Raised by a checker: the answer is wrong, and here is a hint why.

    ``Hint(template, **fields)``: the template's named fields are filled with ``str.format``,
    in the current :func:`language` (English when the Chinese catalogue lacks the template).
    Without fields the template is the message as it is (braces and all).

    >>> str(Hint("expected {want:.3f}, got {got!r}.", want=0.5, got="a"))
    "expected 0.500, got 'a'."
    """

    def __init__(self, template: str, /, **fields):
        if not isinstance(template, str):
            raise TypeError(f"a hint must be a str template, got {type(template).__name__}")
        if fields:
            names = _template_fields(template)
            if names != set(fields):
                raise ValueError(
                    f"the hint template {template!r} has the fields {sorted(names)}, "
                    f"but was given {sorted(fields)}"
                )
        self.template, self.fields = template, fields
        super().__init__(_render(template, fields, "en"))

    def message(self, language: str | None = None) -> str:
        """The hint in ``language`` (by default the current one)."""
        if language is None:
            language = globals()["language"]()
        check_choice("language", language, LANGUAGES)
        return _render(self.template, self.fields, language)

    def __str__(self) -> str:
        return self.message()


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
        raise TypeError(
            _text(
                "exercise must be an exercise id (str), got {exercise_type}",
                exercise_type=type(exercise).__name__,
            )
        )
    if exercise not in _CHECKERS:
        raise ValueError(
            _text(
                "unknown exercise {exercise!r}: expected one of {known}",
                exercise=exercise,
                known=registered(),
            )
        )
    return _CHECKERS[exercise][0]


def _is_stub(value) -> bool:
    return value is Ellipsis or value is None


def call(fn, *args, **kwargs):
    """Call the reader's function; turn a stub (``...``, ``None``, NotImplementedError) into NotAttempted."""
    if _is_stub(fn):
        raise NotAttempted
    if not callable(fn):
        raise Hint("expected a function, got {fn_type} {fn!r}", fn_type=type(fn).__name__, fn=fn)
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
            exercise, "not attempted", _text("Not attempted yet: replace the `...` with your code.")
        )
    except Hint as hint:
        result = CheckResult(exercise, "wrong", _text("Not yet. Hint: {hint}", hint=str(hint)))
    except Exception as err:  # the reader's code crashed: say how, do not crash the notebook
        message = _text("Your code raised {error_type}: {error}", error_type=type(err).__name__, error=err)
        result = CheckResult(exercise, "error", message)
    else:
        result = CheckResult(exercise, "correct", _text("Correct!"))
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
        raise ValueError(_text("exercise {exercise!r} has no registered reference answer", exercise=exercise))
    return _REFERENCES[exercise]


def _load_chapters():
    """Import every ``chNN`` module of this package, in chapter order: each registers its checkers."""
    import importlib
    import pkgutil

    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("ch"))
    for name in names:
        importlib.import_module(f"{__name__}.{name}")


_load_chapters()
