"""The Chapter 8 checkers accept the reference answers and reject plausible wrong ones; the
notebook's hidden solutions show the reference code verbatim."""

import inspect
import json
from pathlib import Path

import keras
import numpy as np
import pytest

from mmteach import exercises, retrieval

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "08_retrieval.ipynb"
EXERCISES = ["ch8-info-nce", "ch8-similarity-logits", "ch8-prompt-ensemble"]


def _lse(z, axis):
    return np.log(np.exp(z).sum(axis=axis))


def rows_only(logits):
    z = np.asarray(logits, float)
    return float(np.mean(_lse(z, 1) - np.diag(z)))


def summed_directions(logits):
    z = np.asarray(logits, float)
    return float(np.mean(_lse(z, 1) - np.diag(z)) + np.mean(_lse(z, 0) - np.diag(z)))


def naive_overflows(logits):  # right formula, no max subtracted: inf for large logits
    z = np.asarray(logits, float)
    with np.errstate(over="ignore"):
        return float((np.mean(_lse(z, 1) - np.diag(z)) + np.mean(_lse(z, 0) - np.diag(z))) / 2)


def whole_matrix_softmax(logits):
    z = np.asarray(logits, float)
    return float(np.mean(np.log(np.exp(z).sum()) - np.diag(z)))


def summed_over_batch(logits):
    return exercises.reference_answer("ch8-info-nce")(logits) * len(logits)


def unnormalised(image_embeddings, caption_embeddings, temperature):
    return image_embeddings @ caption_embeddings.T / temperature


def times_temperature(image_embeddings, caption_embeddings, temperature):
    right = exercises.reference_answer("ch8-similarity-logits")
    return right(image_embeddings, caption_embeddings, 1.0) * temperature


def captions_in_rows(image_embeddings, caption_embeddings, temperature):
    right = exercises.reference_answer("ch8-similarity-logits")
    return right(image_embeddings, caption_embeddings, temperature).T


def no_renormalisation(prompt_embeddings):
    z = prompt_embeddings / np.linalg.norm(prompt_embeddings, axis=-1, keepdims=True)
    return z.mean(axis=0)


def no_prior_normalisation(prompt_embeddings):
    mean = prompt_embeddings.mean(axis=0)
    return mean / np.linalg.norm(mean, axis=-1, keepdims=True)


def wrong_axis(prompt_embeddings):
    z = prompt_embeddings / np.linalg.norm(prompt_embeddings, axis=-1, keepdims=True)
    mean = z.mean(axis=1)
    return mean / np.linalg.norm(mean, axis=-1, keepdims=True)


def stub(*args): ...


def stub_raises(*args):
    raise NotImplementedError


@pytest.mark.parametrize("exercise", EXERCISES)
def test_reference_answers_pass(exercise):
    result = exercises.check(exercise, exercises.reference_answer(exercise), quiet=True)
    assert result.passed, result.message


def test_reference_info_nce_agrees_with_the_package_and_keras():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(9, 9)) * 4
    ours = exercises.reference_answer("ch8-info-nce")(z)
    assert ours == pytest.approx(float(retrieval.info_nce(z)), rel=1e-5)
    xent = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    both = (float(xent(np.arange(9), z)) + float(xent(np.arange(9), z.T))) / 2
    assert ours == pytest.approx(both, rel=1e-5)


@pytest.mark.parametrize(
    "exercise, answer, hint",
    [
        ("ch8-info-nce", rows_only, "one direction only"),
        ("ch8-info-nce", lambda z: rows_only(np.asarray(z).T), "one direction only"),
        ("ch8-info-nce", summed_directions, "average"),
        ("ch8-info-nce", naive_overflows, "overflows"),
        ("ch8-info-nce", whole_matrix_softmax, "whole matrix"),
        ("ch8-info-nce", summed_over_batch, "mean over the B pairs"),
        ("ch8-info-nce", lambda z: 1.0, "expected"),
        ("ch8-similarity-logits", unnormalised, "not normalised"),
        ("ch8-similarity-logits", times_temperature, "do not multiply"),
        ("ch8-similarity-logits", captions_in_rows, "images go in rows"),
        ("ch8-prompt-ensemble", no_renormalisation, "normalise the averaged"),
        ("ch8-prompt-ensemble", no_prior_normalisation, "before averaging"),
        ("ch8-prompt-ensemble", wrong_axis, "axis 0"),
    ],
)
def test_wrong_answers_get_the_hint(exercise, answer, hint):
    result = exercises.check(exercise, answer, quiet=True)
    assert result.status == "wrong", result.message
    assert hint in result.message


@pytest.mark.parametrize("exercise", EXERCISES)
@pytest.mark.parametrize("answer", [stub, stub_raises, ...])
def test_stubs_are_not_attempted(exercise, answer):
    assert exercises.check(exercise, answer, quiet=True).status == "not attempted"


def _solution_cells():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if "solution" in c["metadata"].get("tags", [])]


@pytest.mark.parametrize("exercise", EXERCISES)
def test_notebook_solution_shows_the_reference_verbatim(exercise):
    source = inspect.getsource(exercises.reference_answer(exercise)).split("\n", 1)[1]  # no decorator
    assert any(source.strip() in cell for cell in _solution_cells()), exercise
