"""The Chapter 11 checkers accept the reference solutions and reject plausible wrong answers."""

import numpy as np
import pytest

from mmteach import exercises


def check(exercise, answer):
    return exercises.check(exercise, answer, quiet=True)


@pytest.mark.parametrize("exercise", ["ch11-causal-mask", "ch11-cross-attention", "ch11-block-params"])
def test_references_pass(exercise):
    assert check(exercise, exercises.reference_answer(exercise))


@pytest.mark.parametrize(
    "stub", [..., None, lambda *args: ..., lambda *args: (_ for _ in ()).throw(NotImplementedError)]
)
@pytest.mark.parametrize("exercise", ["ch11-causal-mask", "ch11-cross-attention", "ch11-block-params"])
def test_stubs_are_not_attempted(exercise, stub):
    assert check(exercise, stub).status == "not attempted"


@pytest.mark.parametrize(
    "answer, hint",
    [
        (lambda n: np.triu(np.ones((n, n), dtype=bool)), "after"),
        (lambda n: np.tril(np.ones((n, n), dtype=bool), -1), "see itself"),
        (lambda n: ~np.tril(np.ones((n, n), dtype=bool)), "forbidden"),
        (lambda n: np.ones((n, n), dtype=bool), "True exactly when j <= i"),
        (lambda n: np.tril(np.ones((n, n + 1), dtype=bool)), "shape"),
        (lambda n: np.tril(np.full((n, n), 2)), "True (may attend)"),
    ],
)
def test_causal_mask_wrong_answers_get_hints(answer, hint):
    result = check("ch11-causal-mask", answer)
    assert result.status == "wrong" and hint in result.message, result.message


@pytest.mark.parametrize(
    "answer, hint",
    [
        (lambda a, text, image: a(query=image, value=text, key=text), "swapped"),
        (lambda a, text, image: a(query=text, value=text, key=text), "self-attention"),
        (lambda a, text, image: a(query=text, value=image, key=text), "call failed"),
        (lambda a, text, image: text, "use the attention layer once"),
        (lambda a, text, image: a(query=text, value=image, key=image)[:, :2], "(2, 3, 8)"),
    ],
)
def test_cross_attention_wrong_answers_get_hints(answer, hint):
    result = check("ch11-cross-attention", answer)
    assert result.status == "wrong" and hint in result.message, result.message


def right(d, h, m):
    return 4 * d * d + 4 * d + 4 * d + d * m + m + m * d + d


@pytest.mark.parametrize(
    "answer, hint",
    [
        (lambda d, h, m: 4 * d * d + 4 * d + 2 * d * m, "biases"),
        (lambda d, h, m: right(d, h, m) - 4 * d, "layer normalisations"),
        (lambda d, h, m: right(d, h, m) + (h - 1) * 4 * d * d, "heads share dim"),
        (lambda d, h, m: right(d, h, m) + 1, "Count the attention"),
        (lambda d, h, m: "many", "whole number"),
    ],
)
def test_block_params_wrong_answers_get_hints(answer, hint):
    result = check("ch11-block-params", answer)
    assert result.status == "wrong" and hint in result.message, result.message
