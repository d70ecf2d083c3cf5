"""The Chapter 7 exercises: their checkers and reference answers."""

from __future__ import annotations

import numpy as np
import scipy.linalg

from mmteach.exercises import Hint, NotAttempted, _close, _is_stub, call, checker, reference  # noqa: F401


class _Lazy:
    """A module imported on first use: importing the exercises must not import TensorFlow
    (every chapter's setup cell imports Keras later, inside ``native_logs_silenced``)."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attribute):
        import importlib

        return getattr(importlib.import_module(self._name), attribute)


keras = _Lazy("keras")
layers = _Lazy("keras.layers")


# --- ch7-first-model -----------------------------------------------------------------


@reference("ch7-first-model")
def build_text_to_image(vocab_size, image_shape):
    text_input = keras.Input(shape=(vocab_size,), name="text")
    x = layers.Dense(128, activation="relu")(text_input)
    x = layers.Dense(int(np.prod(image_shape)), activation="sigmoid")(x)
    image_output = layers.Reshape(image_shape)(x)
    model = keras.Model(text_input, image_output)
    optimizer = keras.optimizers.Adam(learning_rate=0.001)
    model.compile(optimizer=optimizer, loss="mse")
    return model


@checker("ch7-first-model", "build_text_to_image(vocab_size, image_shape): a bag of words -> one image")
def _ch7_first_model(fn):
    import keras as k

    for vocab_size, shape in ((40, (16, 16, 3)), (25, (8, 12, 1))):
        model = call(fn, vocab_size, shape)
        if not isinstance(model, k.Model):
            raise Hint(
                "build_text_to_image must return a keras.Model, got {model_type}.",
                model_type=type(model).__name__,
            )
        out = tuple(model.output.shape[1:])
        size = int(np.prod(shape))
        if out == (32,):
            raise Hint(
                "Dense(32) outputs 32 numbers, not an image: an image of shape "
                "{shape} holds {size} values. Output that many, then reshape them.",
                shape=shape,
                size=size,
            )
        if out == (size,):
            raise Hint(
                "the model outputs {size} numbers in a row: reshape them into the image, "
                "layers.Reshape(image_shape), so it can be compared with real images {shape}.",
                size=size,
                shape=shape,
            )
        if out != shape:
            raise Hint(
                "for image_shape={shape} the output must have shape (None, *{shape}); got {out}.",
                shape=shape,
                out=out,
            )
        x = np.random.default_rng(0).random((4, vocab_size)).astype("float32") * 5
        y = np.asarray(model(x, training=False))
        if y.min() < 0 or y.max() > 1:
            raise Hint("pixel values lie in [0, 1]: end with activation='sigmoid'.")


# --- ch7-reparameterize ----------------------------------------------------------------


@reference("ch7-reparameterize")
def reparameterize(mean, log_var, noise):
    std = keras.ops.exp(0.5 * log_var)
    return mean + std * noise


@checker("ch7-reparameterize", "reparameterize(mean, log_var, noise): mean + exp(log_var / 2) * noise")
def _ch7_reparameterize(fn):
    import tensorflow as tf

    if _is_stub(fn):
        raise NotAttempted
    n = 20000
    mean = tf.constant(np.full((n, 2), [2.0, -1.0]), tf.float32)
    log_var = tf.constant(np.full((n, 2), [np.log(0.25), np.log(4.0)]), tf.float32)
    noise = tf.constant(np.random.default_rng(0).standard_normal((n, 2)), tf.float32)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(mean)
        tape.watch(log_var)
        try:
            z = call(fn, mean, log_var, noise)
        except (TypeError, NotImplementedError) as err:  # NumPy on a tensor, say
            if isinstance(err, NotImplementedError):
                raise NotAttempted from None
            raise Hint(
                "use keras.ops on the tensors (NumPy cannot follow the gradient): {error}", error=err
            ) from None
        total = keras.ops.sum(z) if not isinstance(z, np.ndarray) else None
    z_values = np.asarray(z, dtype=float)
    if z_values.shape != (n, 2):
        raise Hint(
            "return one sample per entry of mean: shape {want_shape}, got {got_shape}.",
            want_shape=(n, 2),
            got_shape=z_values.shape,
        )
    m, s = z_values.mean(axis=0), z_values.std(axis=0)
    if np.allclose(s, [0.25, 4.0], rtol=0.05):
        raise Hint(
            "those samples have standard deviation exp(log_var), which is the variance: "
            "the standard deviation is exp(log_var / 2)."
        )
    if np.allclose(s, [abs(np.log(0.25)), np.log(4.0)], rtol=0.05):
        raise Hint("log_var is the *log* of the variance: the standard deviation is exp(log_var / 2).")
    if not np.allclose(m, [2.0, -1.0], atol=0.1):
        raise Hint(
            "the samples should have mean [2, -1] (the `mean` argument), got {got_mean}.",
            got_mean=np.round(m, 2),
        )
    if not np.allclose(s, [0.5, 2.0], rtol=0.05):
        raise Hint(
            "the samples should have standard deviations [0.5, 2] for variances [0.25, 4], got {got_std}.",
            got_std=np.round(s, 2),
        )
    if not np.allclose(z_values, mean.numpy() + np.exp(0.5 * log_var.numpy()) * noise.numpy(), atol=1e-4):
        raise Hint(
            "use the `noise` you are given (scale it and shift it): drawing your own noise "
            "makes the sample random in a way the caller cannot reproduce."
        )
    grads = [None, None] if total is None else tape.gradient(total, [mean, log_var])
    if any(g is None for g in grads):
        raise Hint(
            "no gradient reaches mean and log_var: compute with keras.ops (or tensor arithmetic), "
            "not NumPy, so the sample stays a function of the tensors."
        )
    d_mean, d_log_var = (np.asarray(g) for g in grads)
    if not np.allclose(d_mean, 1.0) or not np.allclose(
        d_log_var, 0.5 * np.exp(0.5 * log_var.numpy()) * noise.numpy(), atol=1e-4
    ):
        raise Hint("the gradient is not that of mean + exp(log_var / 2) * noise.")


# --- ch7-frechet -------------------------------------------------------------------------


@reference("ch7-frechet")
def frechet_gaussians(mean_a, cov_a, mean_b, cov_b):
    root = scipy.linalg.sqrtm(cov_a @ cov_b).real
    means = np.sum((mean_a - mean_b) ** 2)
    return float(means + np.trace(cov_a + cov_b - 2 * root))


def _ch7_gaussians():
    rng = np.random.default_rng(7)
    cases = []
    for d in (1, 3, 5):
        a = rng.standard_normal((d, d))
        b = rng.standard_normal((d, d))
        cases.append(
            (
                rng.standard_normal(d),
                a @ a.T + 0.1 * np.eye(d),
                rng.standard_normal(d) + 1.0,
                b @ b.T + 0.1 * np.eye(d),
            )
        )
    return cases


@checker("ch7-frechet", "frechet_gaussians(mean_a, cov_a, mean_b, cov_b): squared Fréchet distance")
def _ch7_frechet(fn):
    from mmteach.metrics import frechet_distance_gaussians

    for mean_a, cov_a, mean_b, cov_b in _ch7_gaussians():
        got = call(fn, mean_a.copy(), cov_a.copy(), mean_b.copy(), cov_b.copy())
        want = frechet_distance_gaussians(mean_a, cov_a, mean_b, cov_b)
        if _close(got, want, 1e-5):
            continue
        means = float(np.sum((mean_a - mean_b) ** 2))
        covs = want - means
        if _close(got, covs, 1e-5):
            raise Hint("add the squared distance between the means, ||mean_a - mean_b||^2.")
        if _close(got, means, 1e-5):
            raise Hint("the covariances count too: add tr(cov_a + cov_b - 2 (cov_a cov_b)^(1/2)).")
        if _close(got, np.sqrt(max(want, 0.0)), 1e-5):
            raise Hint("return the squared distance d^2 (the formula as written), not its square root.")
        entrywise = means + np.trace(cov_a + cov_b - 2 * np.sqrt(np.abs(cov_a @ cov_b)))
        if _close(got, entrywise, 1e-5):
            raise Hint(
                "np.sqrt takes the square root of each entry; the formula needs the *matrix* "
                "square root (a matrix R with R @ R = cov_a @ cov_b): scipy.linalg.sqrtm."
            )
        root = scipy.linalg.sqrtm(cov_a @ cov_b).real
        if _close(got, means + np.trace(cov_a + cov_b - root), 1e-5):
            raise Hint("the cross term is -2 tr((cov_a cov_b)^(1/2)): you subtracted it once.")
        raise Hint("for a test pair of Gaussians expected {want:.5f}, got {got!r}.", want=want, got=got)
