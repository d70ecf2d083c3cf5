"""The Chapter 12 checkers accept the reference solutions and reject plausible wrong answers."""

import numpy as np
import pytest

from mmteach import exercises

EXERCISES = ["ch12-power-law", "ch12-adam-memory", "ch12-steps"]


def check(exercise, answer):
    return exercises.check(exercise, answer, quiet=True)


@pytest.mark.parametrize("exercise", EXERCISES)
def test_references_pass(exercise):
    assert check(exercise, exercises.reference_answer(exercise))


@pytest.mark.parametrize("stub", [..., None, lambda *args: ...])
@pytest.mark.parametrize("exercise", EXERCISES)
def test_stubs_are_not_attempted(exercise, stub):
    assert check(exercise, stub).status == "not attempted"


def fit(x, loss, log=np.log):
    return np.polyfit(log(x), log(loss), 1)


@pytest.mark.parametrize(
    "answer, hint",
    [
        (lambda x, loss: (np.exp(fit(x, loss)[1]), fit(x, loss)[0]), "b > 0"),
        (lambda x, loss: (fit(x, loss)[1], -fit(x, loss)[0]), "not the intercept"),
        (lambda x, loss: (np.exp(fit(x, loss, np.log10)[1]), -fit(x, loss, np.log10)[0]), "mixed"),
        (lambda x, loss: (1.0, -np.polyfit(x, loss, 1)[0]), "straight line"),
        (lambda x, loss: (1.0, -fit(x, loss)[0]), "a should be about"),
        (lambda x, loss: 0.4, "the pair"),
    ],
)
def test_power_law_wrong_answers_get_hints(answer, hint):
    result = check("ch12-power-law", answer)
    assert result.status == "wrong" and hint in result.message, result.message


@pytest.mark.parametrize(
    "answer, hint",
    [
        (lambda n, b=4: n * b, "weights alone"),
        (lambda n, b=4: 2 * n * b, "two running averages"),
        (lambda n, b=4: 3 * n * b, "*two* running averages"),
        (lambda n, b=4: 4 * n, "bytes per number"),
        (lambda n, b=4: 5 * n * b, "expected"),
        (lambda n, b=4: "lots", "number of bytes"),
    ],
)
def test_adam_memory_wrong_answers_get_hints(answer, hint):
    result = check("ch12-adam-memory", answer)
    assert result.status == "wrong" and hint in result.message, result.message


@pytest.mark.parametrize(
    "answer, hint",
    [
        (lambda n, per, r: n // per, "global batch"),
        (lambda n, per, r: -(-n // (per * r)), "whole global batches"),
        (lambda n, per, r: n / (per * r), "whole number"),
        (lambda n, per, r: n // (per * r) * r, "expected"),
    ],
)
def test_steps_wrong_answers_get_hints(answer, hint):
    result = check("ch12-steps", answer)
    assert result.status == "wrong" and hint in result.message, result.message
