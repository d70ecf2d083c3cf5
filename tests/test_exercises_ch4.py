"""The Chapter 4 checkers accept the reference solutions and reject plausible wrong answers."""

import numpy as np
import pandas as pd
import pytest

from mmteach import exercises

# --- ch4-adam-step ---------------------------------------------------------------


def adam_step(w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    m_hat = m / (1 - beta_1**t)
    v_hat = v / (1 - beta_2**t)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


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


def stub(*args, **kwargs):
    ...


def stub_raises(*args, **kwargs):
    raise NotImplementedError


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


def make_targets(labels):
    return {"shape": labels["shape"].to_numpy(), "colour": labels["colour"].to_numpy()}


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
