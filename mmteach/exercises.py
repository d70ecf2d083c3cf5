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

import numpy as np

__all__ = ["CheckResult", "Hint", "NotAttempted", "check", "checker", "registered", "describe"]


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
    return result


def _close(a, b, tol=1e-6) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=tol, abs_tol=tol)
    except (TypeError, ValueError):
        return False


# --- Chapter 1 ------------------------------------------------------------------


@checker("ch1-text-ceiling", "ceiling(p_silent, n_classes): best accuracy from one modality")
def _ch1_text_ceiling(fn):
    for p, k in [(0.3, 4), (0.0, 4), (1.0, 4), (0.5, 2), (0.25, 10)]:
        got = call(fn, p, k)
        want = (1 - p) + p / k
        if _close(got, want):
            continue
        if _close(got, 1 - p):
            raise Hint(
                "when the modality is silent the model can still guess: "
                f"one in n_classes of those guesses is right (p_silent={p}, n_classes={k})."
            )
        if _close(got, p / k) or _close(got, p + (1 - p) / k):
            raise Hint("you swapped the roles: p_silent is the chance the modality says *nothing*.")
        raise Hint(f"for p_silent={p}, n_classes={k} expected {want:.4f}, got {got!r}.")


@checker("ch1-fused-ceiling", "fused_ceiling(p_silent_list, n_classes): best accuracy from several")
def _ch1_fused_ceiling(fn):
    for ps, k in [([0.3, 0.1], 4), ([0.5], 2), ([0.2, 0.2, 0.2], 4), ([1.0, 0.4], 4), ([], 4)]:
        got = call(fn, list(ps), k)
        all_silent = float(np.prod(ps)) if ps else 1.0
        want = (1 - all_silent) + all_silent / k
        if _close(got, want):
            continue
        prod_speak = float(np.prod([1 - p for p in ps])) if ps else 0.0
        if _close(got, prod_speak + (1 - prod_speak) / k):
            raise Hint(
                "one modality that speaks is enough: the attribute stays unknown only when "
                "*every* modality is silent, which happens with probability p1 * p2 * ...."
            )
        if ps and _close(got, max((1 - p) + p / k for p in ps)):
            raise Hint("that is the best single modality; fusion can fill the gaps of each.")
        raise Hint(f"for p_silent_list={ps}, n_classes={k} expected {want:.4f}, got {got!r}.")


@checker("ch1-shuffle-together", "shuffle_together(images, captions, seed) keeps pairs aligned")
def _ch1_shuffle_together(fn):
    rng = np.random.default_rng(3)
    n = 50
    images = rng.random((n, 4, 4, 3)).astype(np.float32)
    images[:, 0, 0, 0] = np.arange(n)  # a tag that identifies each image
    captions = np.array([f"caption {i}" for i in range(n)], dtype=object)
    out = call(fn, images.copy(), captions.copy(), 0)
    if not isinstance(out, tuple) or len(out) != 2:
        raise Hint("return a pair: (shuffled_images, shuffled_captions).")
    new_images, new_captions = np.asarray(out[0]), np.asarray(out[1], dtype=object)
    if new_images.shape != images.shape or new_captions.shape != captions.shape:
        raise Hint(
            f"shapes changed: images {images.shape} -> {new_images.shape}, "
            f"captions {captions.shape} -> {new_captions.shape}."
        )
    tags = new_images[:, 0, 0, 0].astype(int)
    if np.array_equal(tags, np.arange(n)):
        raise Hint("nothing was shuffled: the order is the same as before.")
    if sorted(tags.tolist()) != list(range(n)):
        raise Hint("some images were lost or repeated: use one permutation of all the rows.")
    if not all(c == f"caption {t}" for c, t in zip(new_captions, tags)):
        raise Hint(
            "images and captions were shuffled with different orders, so pairs no longer "
            "match. Draw one permutation and index both arrays with it."
        )
    again = call(fn, images.copy(), captions.copy(), 0)
    if not np.array_equal(np.asarray(again[0]), new_images):
        raise Hint("the same seed must give the same order: build the generator from `seed`.")
