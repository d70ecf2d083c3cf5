"""The Chapter 10 exercises: their checkers and reference answers."""

from __future__ import annotations

import numpy as np

from mmteach.exercises import Hint, call, checker, reference


# The reference answers, formatted as the notebook shows them (80 columns).
# fmt: off
@reference("ch10-ctc-targets")
def ctc_targets(numbers, max_len):
    out = np.zeros((len(numbers), max_len), dtype="int32")
    for i, digits in enumerate(numbers):
        out[i, : len(digits)] = np.asarray(digits) + 1
    return out


@reference("ch10-read-path")
def read_best_path(path):
    merged = [s for k, s in enumerate(path) if k == 0 or s != path[k - 1]]
    return " ".join(str(s - 1) for s in merged if s != 0)


@reference("ch10-edit-distance")
def count_errors(reference, hypothesis):
    previous = list(range(len(hypothesis) + 1))
    for i, r in enumerate(reference, 1):
        current = [i]
        for j, h in enumerate(hypothesis, 1):
            current.append(
                min(
                    previous[j] + 1,
                    current[j - 1] + 1,
                    previous[j - 1] + (r != h),
                )
            )
        previous = current
    return previous[-1]
# fmt: on


@checker("ch10-ctc-targets", "ctc_targets(numbers, max_len): digits + 1, padded with 0")
def _ch10_ctc_targets(fn):
    numbers = [[3, 1, 4], [0, 5, 0], [9], [2, 0]]
    got = call(fn, [list(n) for n in numbers], 4)
    got = np.asarray(got)
    want = ctc_targets(numbers, 4)
    if got.shape != want.shape:
        raise Hint(
            "return one row of max_len labels per number: shape {want_shape}, got {got_shape}.",
            want_shape=want.shape,
            got_shape=got.shape,
        )
    if np.array_equal(got, want):
        return
    unshifted = want - (want > 0)
    if np.array_equal(got, unshifted):
        raise Hint(
            "keras.losses.CTC reads 0 as the blank and as padding, so a digit 0 vanishes "
            "from the target ([0, 5, 0] counts as one label). Shift every digit by one."
        )
    if np.array_equal(got[want > 0], want[want > 0]):
        raise Hint("the labels are right; pad the rest of each row with 0, which CTC skips.")
    raise Hint("expected digit d as label d + 1, then zeros: [[4, 2, 5, 0], [1, 6, 1, 0], ...].")


@checker("ch10-read-path", "read_best_path(path): merge repeats, drop blanks, labels - 1")
def _ch10_read_path(fn):
    cases = [
        ([0, 4, 4, 0, 2, 0, 2, 5], "3 1 1 4"),
        ([4, 4, 4], "3"),
        ([0, 0, 0], ""),
        ([1, 1, 0, 1, 10, 10, 0], "0 0 9"),
        ([2, 0, 0, 3, 3, 0, 2, 2], "1 2 1"),
    ]
    for path, want in cases:
        got = call(fn, list(path))
        if not isinstance(got, str):
            raise Hint(
                "return the text as a string such as {want!r}, got {got_type}.",
                want=want,
                got_type=type(got).__name__,
            )
        if got.split() == want.split():
            continue
        blanks_first = [s for s in path if s != 0]
        wrong_order = [s for k, s in enumerate(blanks_first) if k == 0 or s != blanks_first[k - 1]]
        if got.split() == [str(s - 1) for s in wrong_order]:
            raise Hint(
                "{path} reads {want!r}: merge repeated labels *before* removing the blanks. "
                "The blank between two equal digits is what keeps them apart.",
                path=path,
                want=want,
            )
        merged = [s for k, s in enumerate(path) if k == 0 or s != path[k - 1]]
        if got.split() == [str(s) for s in merged if s != 0]:
            raise Hint("label d + 1 is the digit d: subtract 1 when you write the text.")
        if got.split() == [str(s - 1) for s in path if s != 0]:
            raise Hint("{path} reads {want!r}: merge runs of the same label into one.", path=path, want=want)
        raise Hint("{path} should read {want!r}, got {got!r}.", path=path, want=want, got=got)


@checker("ch10-edit-distance", "count_errors(reference, hypothesis): the edit distance")
def _ch10_edit_distance(fn):
    cases = [
        ([3, 1, 4], [3, 1, 4], 0),
        ([3, 1, 4], [1, 4], 1),  # deletion at the start
        ([3, 1, 4], [3, 7, 4], 1),
        ([3, 1, 4], [3, 1, 4, 4], 1),
        ([2, 2, 0], [2, 0], 1),
        ([1, 2, 3], [], 3),
        ([], [5, 5], 2),
        ([9, 8, 7], [8, 7, 6], 2),
    ]
    for ref, hyp, want in cases:
        got = call(fn, list(ref), list(hyp))
        if got == want:
            continue
        positional = sum(r != h for r, h in zip(ref + [None] * 9, hyp + [None] * 9))
        if got == positional:
            raise Hint(
                "{ref} against {hyp}: one missing digit shifts every later one, so comparing "
                "position by position counts {positional} errors instead of {want}. Align the "
                "sequences: the edit distance by dynamic programming.",
                ref=ref,
                hyp=hyp,
                positional=positional,
                want=want,
            )
        raise Hint(
            "the edit distance between {ref} and {hyp} is {want}, got {got!r}.",
            ref=ref,
            hyp=hyp,
            want=want,
            got=got,
        )
