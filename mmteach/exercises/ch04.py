"""The Chapter 4 exercises: their checkers (registered with :func:`mmteach.exercises.checker`)."""

from __future__ import annotations

import numpy as np

from mmteach.exercises import Hint, NotAttempted, _close, _is_stub, call, checker  # noqa: F401


def _adam_reference(w, g, m, v, t, lr, b1, b2, eps, *, paper=True, correct=True, square=True):
    """One Adam step in NumPy, and the plausible wrong variants the hints name."""
    m = b1 * m + (1 - b1) * g
    v = b2 * v + (1 - b2) * (g * g if square else g)
    m_hat, v_hat = (m / (1 - b1**t), v / (1 - b2**t)) if correct else (m, v)
    with np.errstate(invalid="ignore"):  # the no-square variant may take sqrt of v < 0
        if paper:
            w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        else:  # Keras's order: epsilon outside the bias-corrected root
            w = w - lr * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
    return w, m, v


@checker("ch4-adam-step", "adam_step(w, g, m, v, t, ...) returns the new (w, m, v)")
def _ch4_adam_step(fn):
    rng = np.random.default_rng(4)
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-7
    w = rng.normal(size=5)
    m, v = np.zeros(5), np.zeros(5)
    for t in range(1, 6):
        g = rng.normal(size=5) * np.array([1.0, 0.1, 3.0, 0.5, 2.0])
        out = call(
            fn, w.copy(), g.copy(), m.copy(), v.copy(), t,
            learning_rate=lr, beta_1=b1, beta_2=b2, epsilon=eps,
        )
        if not isinstance(out, tuple) or len(out) != 3:
            raise Hint("return a tuple of three arrays: (new_w, new_m, new_v).")
        got = [np.asarray(a, dtype=float) for a in out]
        if any(a.shape != w.shape for a in got):
            raise Hint(f"each returned array must have the shape of w, {w.shape}.")
        if not all(np.all(np.isfinite(a)) for a in got):
            raise Hint(
                f"got inf or nan at step t={t}: the bias correction divides by 1 - beta_1**t, "
                "which is 0 when t is 0. Steps are counted from t=1."
            )
        want = _adam_reference(w, g, m, v, t, lr, b1, b2, eps)
        keras_form = _adam_reference(w, g, m, v, t, lr, b1, b2, eps, paper=False)

        def same(a, b):
            return all(np.allclose(x, y, rtol=1e-5, atol=1e-8) for x, y in zip(a, b))

        if same(got, want) or same(got, keras_form):
            w, m, v = want
            continue
        if not np.allclose(got[1], want[1], rtol=1e-5, atol=1e-8):
            if np.allclose(got[1], m):
                raise Hint("m did not change: return the *updated* running mean of the gradients.")
            raise Hint("m is wrong: m <- beta_1 * m + (1 - beta_1) * g.")
        if not np.allclose(got[2], want[2], rtol=1e-5, atol=1e-8):
            no_square = _adam_reference(w, g, m, v, t, lr, b1, b2, eps, square=False)
            if np.allclose(got[2], no_square[2]):
                raise Hint("v averages the *squared* gradients: (1 - beta_2) * g**2.")
            if np.allclose(got[2], v):
                raise Hint("v did not change: return the *updated* running mean of g**2.")
            raise Hint("v is wrong: v <- beta_2 * v + (1 - beta_2) * g**2.")
        uncorrected = _adam_reference(w, g, m, v, t, lr, b1, b2, eps, correct=False)
        if np.allclose(got[0], uncorrected[0], rtol=1e-5):
            raise Hint(
                "m and v are right but the bias correction is missing: both start at 0, so "
                "divide m by (1 - beta_1**t) and v by (1 - beta_2**t) before the step."
            )
        if np.allclose(got[0], 2 * w - want[0], rtol=1e-5):
            raise Hint("the step goes uphill: subtract it from w (w - lr * ...), do not add it.")
        raise Hint(
            f"m and v are right but w is not at step t={t}: "
            "w <- w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)."
        )


@checker("ch4-two-head-targets", "make_targets(labels) gives one label array per output head")
def _ch4_two_head_targets(fn):
    import pandas as pd

    rng = np.random.default_rng(5)
    labels = pd.DataFrame(
        {
            "shape": rng.integers(0, 4, 40),
            "colour": rng.integers(0, 4, 40),
            "size": rng.integers(0, 2, 40),
            "position": rng.integers(0, 4, 40),
        }
    )
    out = call(fn, labels.copy())
    if isinstance(out, (list, tuple)):
        raise Hint(
            "a list matches heads by position, and a dict-output model has no fixed order: "
            "return a dict keyed by the heads' names, {'shape': ..., 'colour': ...}."
        )
    if not isinstance(out, dict):
        shape = np.shape(out)
        raise Hint(
            f"that is one label array (shape {shape}) for a model with two heads: Keras "
            "cannot tell which labels belong to which head. Return a dict with one array per "
            "head, keyed by the output names: {'shape': ..., 'colour': ...}."
        )
    if set(out) != {"shape", "colour"}:
        raise Hint(
            f"the keys must be the model's output names, 'shape' and 'colour'; got {sorted(out)}."
        )
    got = {k: np.asarray(v) for k, v in out.items()}
    for k, v in got.items():
        if v.shape != (len(labels),):
            raise Hint(
                f"out[{k!r}] must be one integer label per scene, shape ({len(labels)},); "
                f"got {v.shape}."
            )
    shape, colour = labels["shape"].to_numpy(), labels["colour"].to_numpy()
    if np.array_equal(got["shape"], colour) and np.array_equal(got["colour"], shape):
        raise Hint("the two heads got each other's labels: swap them.")
    if np.array_equal(got["colour"], shape):
        raise Hint(
            "the colour head is trained on the *shape* labels, so it can only learn to guess "
            "shapes: give it labels['colour']."
        )
    if np.array_equal(got["shape"], colour):
        raise Hint("the shape head is trained on the colour labels: give it labels['shape'].")
    for k in ("shape", "colour"):
        if not np.array_equal(got[k], labels[k].to_numpy()):
            raise Hint(f"out[{k!r}] must be labels[{k!r}], row for row.")
