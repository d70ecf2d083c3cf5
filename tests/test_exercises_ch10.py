"""The Chapter 10 checkers accept the reference solutions and reject plausible wrong answers."""

import numpy as np
import pytest

from mmteach import exercises, speech

ctc_targets = exercises.reference_answer("ch10-ctc-targets")
read_best_path = exercises.reference_answer("ch10-read-path")
count_errors = exercises.reference_answer("ch10-edit-distance")


def status(exercise, answer):
    return exercises.check(exercise, answer, quiet=True)


def unshifted_targets(numbers, max_len):  # the bug in the notebook
    out = np.zeros((len(numbers), max_len), dtype="int32")
    for i, digits in enumerate(numbers):
        out[i, : len(digits)] = digits
    return out


def targets_padded_with_minus_one(numbers, max_len):
    out = ctc_targets(numbers, max_len)
    out[out == 0] = -1
    return out


def blanks_first(path):
    kept = [s for s in path if s != 0]
    merged = [s for k, s in enumerate(kept) if k == 0 or s != kept[k - 1]]
    return " ".join(str(s - 1) for s in merged)


def forgot_the_shift(path):
    merged = [s for k, s in enumerate(path) if k == 0 or s != path[k - 1]]
    return " ".join(str(s) for s in merged if s != 0)


def no_merging(path):
    return " ".join(str(s - 1) for s in path if s != 0)


def returns_a_list(path):
    return read_best_path(path).split()


def positional(reference, hypothesis):  # the bug in the notebook
    longest = max(len(reference), len(hypothesis))
    ref = list(reference) + [None] * (longest - len(reference))
    hyp = list(hypothesis) + [None] * (longest - len(hypothesis))
    return sum(r != h for r, h in zip(ref, hyp))


def length_difference(reference, hypothesis):
    return abs(len(reference) - len(hypothesis))


def stub(*args): ...


@pytest.mark.parametrize(
    "exercise, answer",
    [
        ("ch10-ctc-targets", ctc_targets),
        ("ch10-read-path", read_best_path),
        ("ch10-edit-distance", count_errors),
    ],
)
def test_reference_passes_and_stub_is_not_attempted(exercise, answer):
    assert status(exercise, answer).passed
    assert status(exercise, stub).status == "not attempted"


@pytest.mark.parametrize(
    "exercise, wrong, words",
    [
        ("ch10-ctc-targets", unshifted_targets, "digit 0 vanishes"),
        ("ch10-ctc-targets", targets_padded_with_minus_one, "pad the rest"),
        ("ch10-read-path", blanks_first, "*before* removing the blanks"),
        ("ch10-read-path", forgot_the_shift, "subtract 1"),
        ("ch10-read-path", no_merging, "merge runs"),
        ("ch10-read-path", returns_a_list, "as a string"),
        ("ch10-edit-distance", positional, "position by position"),
        ("ch10-edit-distance", length_difference, "edit distance between"),
    ],
)
def test_wrong_answers_get_a_specific_hint(exercise, wrong, words):
    result = status(exercise, wrong)
    assert result.status == "wrong", result
    assert words in result.message, result.message


def test_references_agree_with_mmteach_speech():
    numbers = [[3, 1, 4], [0, 0], [9]]
    assert np.array_equal(ctc_targets(numbers, 3), speech.encode_digits(numbers))
    path = [0, 4, 4, 0, 2, 0, 2, 5]
    assert read_best_path(path) == speech.decode_labels([speech.ctc_greedy_decode(np.eye(11)[[path]])[0]])[0]
    assert count_errors([3, 1, 4], [1, 4, 4]) == speech.edit_distance("3 1 4", "1 4 4")
