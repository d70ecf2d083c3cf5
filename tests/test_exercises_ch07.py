"""The Chapter 7 checkers accept the reference solutions and reject plausible wrong answers."""

import inspect
import json
from pathlib import Path

import keras
import numpy as np
import pytest
import scipy.linalg
from keras import layers

from mmteach import exercises

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "07_text_to_image.ipynb"


def check(exercise, answer):
    return exercises.check(exercise, answer, quiet=True)


# --- ch7-first-model -----------------------------------------------------------------------


def build(units=None, activation="sigmoid", reshape=True):
    def build_text_to_image(vocab_size, image_shape):
        text_input = keras.Input(shape=(vocab_size,), name="text")
        x = layers.Dense(128, activation="relu")(text_input)
        n = int(np.prod(image_shape)) if units is None else units
        x = layers.Dense(n, activation=activation)(x)
        out = layers.Reshape(image_shape)(x) if reshape and units is None else x
        return keras.Model(text_input, out)

    return build_text_to_image


def test_first_model_reference_passes():
    assert check("ch7-first-model", build())


@pytest.mark.parametrize(
    "answer, hint",
    [
        (build(units=32, activation=None), "not an image"),
        (build(reshape=False), "reshape them into the image"),
        (build(activation=None), "sigmoid"),
        (build(activation="relu"), "sigmoid"),
        (lambda vocab_size, image_shape: "a model", "must return a keras.Model"),
    ],
)
def test_first_model_wrong_answers_get_hints(answer, hint):
    result = check("ch7-first-model", answer)
    assert result.status == "wrong" and hint in result.message, result.message


def test_first_model_fixed_shape_is_wrong():
    def fixed(vocab_size, image_shape):  # ignores image_shape: right for 16x16x3 only
        return build()(vocab_size, (16, 16, 3))

    result = check("ch7-first-model", fixed)
    assert result.status == "wrong" and "image_shape" in result.message


def test_first_model_stub_is_not_attempted():
    def build_text_to_image(vocab_size, image_shape): ...

    assert check("ch7-first-model", build_text_to_image).status == "not attempted"


# --- ch7-reparameterize ---------------------------------------------------------------------


def test_reparameterize_reference_passes():
    assert check("ch7-reparameterize", exercises.reference_answer("ch7-reparameterize"))


@pytest.mark.parametrize(
    "answer, hint",
    [
        (lambda m, lv, e: m + keras.ops.exp(lv) * e, "exp(log_var), which is the variance"),
        (lambda m, lv, e: m + lv * e, "standard deviation"),
        (lambda m, lv, e: m + np.exp(0.5 * np.asarray(lv)) * np.asarray(e), "no gradient"),
        (lambda m, lv, e: np.asarray(m) + np.exp(0.5 * np.asarray(lv)) * np.asarray(e), "no gradient"),
        (
            lambda m, lv, e: m + keras.ops.exp(0.5 * lv) * keras.random.normal(keras.ops.shape(m), seed=1),
            "use the `noise` you are given",
        ),
        (lambda m, lv, e: keras.ops.exp(0.5 * lv) * e, "mean [2, -1]"),
    ],
)
def test_reparameterize_wrong_answers_get_hints(answer, hint):
    result = check("ch7-reparameterize", answer)
    assert result.status == "wrong" and hint in result.message, result.message


def test_reparameterize_stub_is_not_attempted():
    def reparameterize(mean, log_var, noise): ...

    assert check("ch7-reparameterize", reparameterize).status == "not attempted"


# --- ch7-frechet ---------------------------------------------------------------------------


def test_frechet_reference_passes():
    assert check("ch7-frechet", exercises.reference_answer("ch7-frechet"))


def _root(a, b):
    return scipy.linalg.sqrtm(a @ b).real


@pytest.mark.parametrize(
    "answer, hint",
    [
        (lambda ma, ca, mb, cb: float(np.trace(ca + cb - 2 * _root(ca, cb))), "between the means"),
        (lambda ma, ca, mb, cb: float(np.sum((ma - mb) ** 2)), "covariances count too"),
        (
            lambda ma, ca, mb, cb: float(
                np.sqrt(np.sum((ma - mb) ** 2) + np.trace(ca + cb - 2 * _root(ca, cb)))
            ),
            "not its square root",
        ),
        (
            lambda ma, ca, mb, cb: float(
                np.sum((ma - mb) ** 2) + np.trace(ca + cb - 2 * np.sqrt(np.abs(ca @ cb)))
            ),
            "matrix",
        ),
        (
            lambda ma, ca, mb, cb: float(np.sum((ma - mb) ** 2) + np.trace(ca + cb - _root(ca, cb))),
            "subtracted it once",
        ),
        (lambda ma, ca, mb, cb: 0.0, "expected"),
    ],
)
def test_frechet_wrong_answers_get_hints(answer, hint):
    result = check("ch7-frechet", answer)
    assert result.status == "wrong" and hint in result.message, result.message


def test_frechet_stub_is_not_attempted():
    def frechet_gaussians(mean_a, cov_a, mean_b, cov_b): ...

    assert check("ch7-frechet", frechet_gaussians).status == "not attempted"


# --- the notebook shows the registered references verbatim ----------------------------------


@pytest.mark.parametrize("exercise", ["ch7-reparameterize", "ch7-frechet"])
def test_solution_cell_shows_the_reference(exercise):
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    solutions = ["".join(c["source"]) for c in cells if "solution" in c["metadata"].get("tags", [])]
    source = inspect.getsource(exercises.reference_answer(exercise))
    body = "\n".join(line for line in source.splitlines() if not line.startswith("@"))
    assert any(body in s and f'assert exercises.check("{exercise}"' in s for s in solutions), exercise
