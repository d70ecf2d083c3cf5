"""The Chapter 4 checkers accept the reference answers and reject plausible wrong answers."""

import inspect
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mmteach import exercises

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04_training.ipynb"
CH4 = [name for name in exercises.registered() if name.startswith("ch4-")]

adam_step = exercises.reference_answer("ch4-adam-step")
make_targets = exercises.reference_answer("ch4-two-head-targets")


def stub(*args, **kwargs):
    ...


def stub_raises(*args, **kwargs):
    raise NotImplementedError


# --- every exercise: a reference, shown verbatim in the hidden solution ------------------


def _solution_cells():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if "solution" in c["metadata"].get("tags", [])]


@pytest.mark.parametrize("exercise", CH4)
def test_reference_is_registered_and_shown_verbatim(exercise):
    answer = exercises.reference_answer(exercise)
    lines = inspect.getsource(answer).splitlines()
    code = "\n".join(line for line in lines if not line.startswith("@reference("))
    assert any(code in cell for cell in _solution_cells()), exercise


@pytest.mark.parametrize("exercise", ["ch4-adam-step", "ch4-two-head-targets", "ch4-tutorial-fit"])
def test_reference_passes_its_checker(exercise):
    assert exercises.check(exercise, exercises.reference_answer(exercise), quiet=True).passed


# --- ch4-adam-step ---------------------------------------------------------------


def adam_step_keras_form(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                         epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    step = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return w - step * m / (np.sqrt(v) + epsilon), m, v


def adam_no_bias_correction(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999,
                            epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    return w - learning_rate * m / (np.sqrt(v) + epsilon), m, v


def adam_no_square(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g
    return w - learning_rate * m / (np.sqrt(np.abs(v)) + epsilon), m, v


def adam_uphill(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    new_w, m, v = adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon)
    return 2 * w - new_w, m, v


def adam_t_from_zero(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    with np.errstate(divide="ignore", invalid="ignore"):
        return adam_step(w, g, m, v, t - 1, learning_rate, beta_1, beta_2, epsilon)


def adam_stale_m(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    new_w, _, new_v = adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon)
    return new_w, m, new_v


def adam_only_w(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    return adam_step(w, g, m, v, t, learning_rate, beta_1, beta_2, epsilon)[0]


@pytest.mark.parametrize("answer", [adam_step, adam_step_keras_form])
def test_adam_checker_accepts_both_forms(answer):
    assert exercises.check("ch4-adam-step", answer, quiet=True).passed


@pytest.mark.parametrize(
    "answer, hint",
    [
        (adam_no_bias_correction, "bias correction"),
        (adam_no_square, "squared"),
        (adam_uphill, "uphill"),
        (adam_t_from_zero, "t=1"),
        (adam_stale_m, "m did not change"),
        (adam_only_w, "tuple of three"),
    ],
)
def test_adam_checker_rejects_plausible_mistakes(answer, hint):
    result = exercises.check("ch4-adam-step", answer, quiet=True)
    assert result.status == "wrong"
    assert hint in result.message


@pytest.mark.parametrize("answer", [stub, stub_raises, None, ...])
def test_adam_checker_stub_is_not_attempted(answer):
    assert exercises.check("ch4-adam-step", answer, quiet=True).status == "not attempted"


def test_adam_reference_matches_mmteach_adam():
    """The exercise's formula is the one mmteach.training.Adam (and Keras) apply."""
    import keras

    from mmteach.training import Adam

    w0 = np.array([0.5, -1.0, 2.0], dtype="float32")
    variable = keras.Variable(w0)
    optimizer = Adam(learning_rate=0.1)
    w, m, v = w0.astype(float), np.zeros(3), np.zeros(3)
    for t, g in enumerate([[1.0, -2.0, 0.5], [0.3, 0.1, -1.0], [-0.2, 0.4, 0.9]], start=1):
        g = np.array(g)
        optimizer.apply_gradients([(g.astype("float32"), variable)])
        w, m, v = adam_step(w, g, m, v, t, learning_rate=0.1)
    np.testing.assert_allclose(variable.numpy(), w, rtol=1e-5, atol=1e-6)


# --- ch4-two-head-targets ----------------------------------------------------------


def one_array(labels):  # the bug: one label array for two heads
    return labels["shape"].to_numpy()


def both_columns(labels):  # one 2-D array is still one array
    return labels[["shape", "colour"]].to_numpy()


def same_labels_twice(labels):  # the "fix" that silences the error
    return {"shape": labels["shape"].to_numpy(), "colour": labels["shape"].to_numpy()}


def swapped(labels):
    return {"shape": labels["colour"].to_numpy(), "colour": labels["shape"].to_numpy()}


def as_list(labels):
    return [labels["shape"].to_numpy(), labels["colour"].to_numpy()]


def wrong_keys(labels):
    return {"output_0": labels["shape"].to_numpy(), "output_1": labels["colour"].to_numpy()}


def one_hot(labels):
    return {k: np.eye(4)[labels[k].to_numpy()] for k in ("shape", "colour")}


def series_ok(labels):  # pandas columns work as well as arrays
    return {"shape": labels["shape"], "colour": labels["colour"]}


@pytest.mark.parametrize("answer", [make_targets, series_ok])
def test_targets_checker_accepts_the_solution(answer):
    assert exercises.check("ch4-two-head-targets", answer, quiet=True).passed


@pytest.mark.parametrize(
    "answer, hint",
    [
        (one_array, "one label array"),
        (both_columns, "one label array"),
        (same_labels_twice, "colour head is trained on the *shape* labels"),
        (swapped, "swap"),
        (as_list, "dict keyed"),
        (wrong_keys, "output names"),
        (one_hot, "one integer label per scene"),
    ],
)
def test_targets_checker_rejects_plausible_mistakes(answer, hint):
    result = exercises.check("ch4-two-head-targets", answer, quiet=True)
    assert result.status == "wrong"
    assert hint in result.message


@pytest.mark.parametrize("answer", [stub, stub_raises])
def test_targets_checker_stub_is_not_attempted(answer):
    assert exercises.check("ch4-two-head-targets", answer, quiet=True).status == "not attempted"


def test_targets_solution_trains_a_two_head_model():
    """The accepted answer is what mmteach.training.train (like fit) wants; the bug is refused."""
    import keras

    from mmteach.training import SGD, train

    rng = np.random.default_rng(0)
    labels = pd.DataFrame({"shape": rng.integers(0, 4, 32), "colour": rng.integers(0, 4, 32)})
    x = rng.normal(size=(32, 5)).astype("float32")
    inputs = keras.Input((5,))
    heads = {k: keras.layers.Dense(4, activation="softmax", name=k)(inputs) for k in labels}
    model = keras.Model(inputs, heads)
    loss = "sparse_categorical_crossentropy"
    history = train(model, x, make_targets(labels), optimizer=SGD(0.1), loss=loss)
    assert {"shape_loss", "colour_loss"} <= set(history)
    with pytest.raises(ValueError, match="single array"):
        train(model, x, one_array(labels), optimizer=SGD(0.1), loss=loss)


# --- ch4-tutorial-fit ----------------------------------------------------------------------

LOSS = "sparse_categorical_crossentropy"


def tutorial_as_seeded(model, x, y):  # the notebook's stub: both bugs
    import keras

    model.compile(optimizer=keras.optimizers.Adam(lr=0.003), loss=LOSS)
    model.fit([text_data, image_data], labels, epochs=3, verbose=0)  # noqa: F821
    return model


def tutorial_lr_fixed(model, x, y):  # first bug fixed, second left
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003), loss=LOSS)
    model.fit([text_data, image_data], labels, epochs=3, verbose=0)  # noqa: F821
    return model


def tutorial_list_order(model, x, y):  # the tutorial's [text, image] order
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003), loss=LOSS)
    model.fit([x["caption"], x["image"]], y, epochs=3, verbose=0)
    return model


def tutorial_default_rate(model, x, y):  # dropped the argument instead of renaming it
    import keras

    model.compile(optimizer=keras.optimizers.Adam(), loss=LOSS)
    model.fit(x, y, epochs=3, verbose=0)
    return model


def tutorial_sgd(model, x, y):
    import keras

    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.003), loss=LOSS)
    model.fit(x, y, epochs=3, verbose=0)
    return model


def tutorial_no_fit(model, x, y):
    import keras

    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003), loss=LOSS)
    return model


def tutorial_positional_rate(model, x, y):  # Adam(0.003) is right too
    import keras

    model.compile(optimizer=keras.optimizers.Adam(0.003), loss=LOSS)
    model.fit(x, y, epochs=3, verbose=0)


@pytest.mark.parametrize(
    "answer, hint",
    [
        (tutorial_as_seeded, "no `lr` argument"),
        (tutorial_lr_fixed, "never defined"),
        (tutorial_list_order, "by position"),
        (tutorial_default_rate, "learning rate is 0.001"),
        (tutorial_sgd, "compiled with SGD"),
        (tutorial_no_fit, "never trained"),
    ],
)
def test_tutorial_checker_rejects_plausible_mistakes(answer, hint):
    result = exercises.check("ch4-tutorial-fit", answer, quiet=True)
    assert result.status == "wrong", result.message
    assert hint in result.message


def test_tutorial_checker_accepts_a_positional_rate_without_return():
    assert exercises.check("ch4-tutorial-fit", tutorial_positional_rate, quiet=True).passed


@pytest.mark.parametrize("answer", [stub, stub_raises, None, ...])
def test_tutorial_checker_stub_is_not_attempted(answer):
    assert exercises.check("ch4-tutorial-fit", answer, quiet=True).status == "not attempted"


# --- ch4-train-to-ceiling ----------------------------------------------------------------


def test_ceiling_reference_passes():
    answer = exercises.reference_answer("ch4-train-to-ceiling")
    result = exercises.check("ch4-train-to-ceiling", answer, quiet=True)
    assert result.passed, result.message


def untrained(x_train, y_train, x_val, y_val):
    import keras

    image = keras.Input(x_train["image"].shape[1:], name="image")
    caption = keras.Input(x_train["caption"].shape[1:], name="caption")
    joined = keras.layers.Concatenate()([keras.layers.Flatten()(image), caption])
    shape = keras.layers.Dense(4, activation="softmax")(joined)
    return keras.Model({"image": image, "caption": caption}, shape)


def image_only_input(x_train, y_train, x_val, y_val):
    import keras

    image = keras.Input((7, 7, 3), name="image")
    shape = keras.layers.Dense(4, activation="softmax")(keras.layers.Flatten()(image))
    return keras.Model(image, shape)


def three_classes(x_train, y_train, x_val, y_val):
    import keras

    caption = keras.Input(x_train["caption"].shape[1:], name="caption")
    image = keras.Input(x_train["image"].shape[1:], name="image")
    joined = keras.layers.Concatenate()([caption, keras.layers.Flatten()(image)])
    shape = keras.layers.Dense(3, activation="softmax")(joined)
    return keras.Model({"image": image, "caption": caption}, shape)


def returns_history(x_train, y_train, x_val, y_val):
    return {"loss": [1.0]}


@pytest.mark.parametrize(
    "answer, hint",
    [
        (untrained, "points short"),
        (image_only_input, "calling it failed"),
        (three_classes, "4 shape probabilities"),
        (returns_history, "keras.Model"),
    ],
)
def test_ceiling_checker_rejects_plausible_mistakes(answer, hint):
    result = exercises.check("ch4-train-to-ceiling", answer, quiet=True)
    assert result.status == "wrong", result.message
    assert hint in result.message


@pytest.mark.parametrize("answer", [stub, stub_raises, None, ...])
def test_ceiling_checker_stub_is_not_attempted(answer):
    assert exercises.check("ch4-train-to-ceiling", answer, quiet=True).status == "not attempted"
