"""The Chapter 4 exercises: their checkers (registered with :func:`mmteach.exercises.checker`)."""

from __future__ import annotations

import numpy as np

from mmteach.exercises import (  # noqa: F401
    Hint,
    NotAttempted,
    _close,
    _is_stub,
    call,
    checker,
    reference,
)


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
            raise Hint("each returned array must have the shape of w, {w_shape}.", w_shape=w.shape)
        if not all(np.all(np.isfinite(a)) for a in got):
            raise Hint(
                "got inf or nan at step t={t}: the bias correction divides by 1 - beta_1**t, "
                "which is 0 when t is 0. Steps are counted from t=1.",
                t=t,
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
            "m and v are right but w is not at step t={t}: "
            "w <- w - learning_rate * m_hat / (sqrt(v_hat) + epsilon).",
            t=t,
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
            "that is one label array (shape {shape}) for a model with two heads: Keras "
            "cannot tell which labels belong to which head. Return a dict with one array per "
            "head, keyed by the output names: {{'shape': ..., 'colour': ...}}.",
            shape=shape,
        )
    if set(out) != {"shape", "colour"}:
        raise Hint(
            "the keys must be the model's output names, 'shape' and 'colour'; got {keys}.",
            keys=sorted(out),
        )
    got = {k: np.asarray(v) for k, v in out.items()}
    for k, v in got.items():
        if v.shape != (len(labels),):
            raise Hint(
                "out[{k!r}] must be one integer label per scene, shape ({n_labels},); got {v_shape}.",
                k=k,
                n_labels=len(labels),
                v_shape=v.shape,
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
            raise Hint("out[{k!r}] must be labels[{k!r}], row for row.", k=k)


# --- reference answers (the hidden solution cells show these functions verbatim) ------------


@reference("ch4-adam-step")
def adam_step(
    w, g, m, v, t, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7
):
    m = beta_1 * m + (1 - beta_1) * g
    v = beta_2 * v + (1 - beta_2) * g**2
    m_hat = m / (1 - beta_1**t)
    v_hat = v / (1 - beta_2**t)
    return w - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


@reference("ch4-two-head-targets")
def make_targets(labels):
    # One label array per head, keyed by the head's name.
    return {
        "shape": labels["shape"].to_numpy(),
        "colour": labels["colour"].to_numpy(),
    }


# --- ch4-tutorial-fit and ch4-train-to-ceiling: data shaped like the chapter's ----------------


def _ch4_shape_data(n, seed, pool=2):
    """Scenes split 50/25/25 and their features as in Chapter 4: pooled images, bag of words."""
    from sklearn.feature_extraction.text import CountVectorizer

    from mmteach import datasets

    scenes = datasets.make_scenes(n, seed=seed)
    parts = datasets.train_val_test_split(scenes, sizes=(0.5, 0.25, 0.25), seed=seed)
    vocabulary = CountVectorizer(binary=True).fit(parts[0].captions)
    side = 32 // pool

    def features(s):
        blocks = s.images.reshape(len(s), side, pool, side, pool, 3)
        words = vocabulary.transform(s.captions).toarray().astype("float32")
        return {"image": blocks.mean(axis=(2, 4)), "caption": words}

    return [(features(s), s.labels["shape"].to_numpy(), s) for s in parts]


def _ch4_small_model(x, seed=0):
    import keras

    keras.utils.set_random_seed(seed)
    image = keras.Input(x["image"].shape[1:], name="image")
    caption = keras.Input(x["caption"].shape[1:], name="caption")
    image_vector = keras.layers.Dense(16, activation="relu")(keras.layers.Flatten()(image))
    caption_vector = keras.layers.Dense(16, activation="relu")(caption)
    fused = keras.layers.Concatenate()([image_vector, caption_vector])
    shape = keras.layers.Dense(4, activation="softmax", name="shape")(fused)
    return keras.Model({"image": image, "caption": caption}, shape)


_CH4_LR = (
    "Keras 3 has no `lr` argument: the tutorial was written for Keras 2. Name it in full, "
    "keras.optimizers.Adam(learning_rate=0.003)."
)


@checker(
    "ch4-tutorial-fit",
    "fit_from_tutorial(model, x, y) compiles with Adam at rate 0.003 and fits the model on x, y",
)
def _ch4_tutorial_fit(fn):
    import keras

    if _is_stub(fn):
        raise NotAttempted
    if not callable(fn):
        raise Hint("expected a function, got {fn_type} {fn!r}", fn_type=type(fn).__name__, fn=fn)
    (x, y, _), *_ = _ch4_shape_data(400, seed=41)
    model = _ch4_small_model(x)
    before = [w.copy() for w in model.get_weights()]
    probabilities = np.asarray(model(x, training=False))
    loss_before = float(-np.mean(np.log(probabilities[np.arange(len(y)), y] + 1e-7)))
    try:
        out = fn(model, x, y)
    except NotImplementedError:
        raise NotAttempted from None
    except NameError as err:
        raise Hint(
            "{err}. The tutorial's arrays (text_data, image_data, labels) were never defined "
            "here: fit the model on the data the function receives, x (a dict keyed by the "
            "model's input names, 'image' and 'caption') and y (one shape label per scene).",
            err=err,
        ) from None
    except (TypeError, ValueError) as err:
        if "'lr'" in str(err) or "lr=" in str(err):
            raise Hint(_CH4_LR) from None
        raise Hint(
            "fit stopped with {err_type}: {error}. Pass x as it is, a dict "
            "keyed by the input names: a list is matched to the inputs by position, and the "
            "tutorial's [text, image] order is not this model's.",
            err_type=type(err).__name__,
            error=str(err)[:200],
        ) from None
    if _is_stub(out) and all(np.array_equal(a, b) for a, b in zip(before, model.get_weights())):
        raise NotAttempted
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise Hint("the model was never compiled: model.compile(optimizer=..., loss=...).")
    if not isinstance(optimizer, keras.optimizers.Adam):
        raise Hint(
            "the tutorial trains with Adam; the model was compiled with {optimizer_type}.",
            optimizer_type=type(optimizer).__name__,
        )
    if not _close(float(optimizer.learning_rate.numpy()), 0.003, tol=1e-6):
        rate = float(optimizer.learning_rate.numpy())
        raise Hint(
            "the learning rate is {rate:g}, the tutorial's is 0.003: "
            "keras.optimizers.Adam(learning_rate=0.003).",
            rate=rate,
        )
    if all(np.array_equal(a, b) for a, b in zip(before, model.get_weights())):
        raise Hint("the model was compiled but never trained: call model.fit(x, y, ...).")
    probabilities = np.asarray(model(x, training=False))
    loss_after = float(-np.mean(np.log(probabilities[np.arange(len(y)), y] + 1e-7)))
    if not loss_after < loss_before:
        raise Hint(
            "the weights moved but the loss on (x, y) did not fall: fit on x and the labels y, "
            "not on other arrays."
        )


@reference("ch4-tutorial-fit")
def fit_from_tutorial(model, x, y):
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=0.003),
        loss="sparse_categorical_crossentropy",
    )
    model.fit(x, y, epochs=3, verbose=0)
    return model


#: How close to the Bayes ceiling a model must come in ch4-train-to-ceiling (accuracy points).
CEILING_MARGIN = 0.08


@checker(
    "ch4-train-to-ceiling",
    "train_shape_model(x_train, y_train, x_val, y_val) returns a model within "
    f"{CEILING_MARGIN:.0%} of the Bayes ceiling on held-out scenes",
)
def _ch4_train_to_ceiling(fn):
    import keras

    if _is_stub(fn):
        raise NotAttempted
    (x_train, y_train, _), (x_val, y_val, _), (x_test, y_test, test) = _ch4_shape_data(
        3000, seed=404
    )
    model = call(fn, x_train, y_train, x_val, y_val)
    if not isinstance(model, keras.Model):
        raise Hint("return the trained keras.Model, got {model_type}.", model_type=type(model).__name__)
    try:
        probabilities = np.asarray(model(x_test, training=False))
    except (TypeError, ValueError, KeyError) as err:
        raise Hint(
            "the model must take the dict x with the inputs 'image' "
            "{image_shape} and 'caption' {caption_shape}; "
            "calling it failed: {error}",
            image_shape=x_test["image"].shape[1:],
            caption_shape=x_test["caption"].shape[1:],
            error=str(err)[:200],
        ) from None
    if probabilities.shape != (len(y_test), 4):
        raise Hint(
            "the model must give 4 shape probabilities per scene, shape ({n_y_test}, 4); "
            "got {probabilities_shape}.",
            n_y_test=len(y_test),
            probabilities_shape=probabilities.shape,
        )
    accuracy = float(np.mean(np.argmax(probabilities, axis=1) == y_test))
    ceiling = test.ceiling("shape", ["image", "caption"])
    if accuracy < ceiling - CEILING_MARGIN:
        raise Hint(
            "on {n_y_test} held-out scenes your model reaches {accuracy:.1%}; the Bayes "
            "ceiling is {ceiling:.1%}, so it is {gap_points:.1f} points short "
            "(the goal: within {margin_points:.0f}). Train for more steps, tune the "
            "learning rate on (x_val, y_val), let a schedule settle the weights, or keep the "
            "best epoch with early stopping.",
            n_y_test=len(y_test),
            accuracy=accuracy,
            ceiling=ceiling,
            gap_points=100 * (ceiling - accuracy),
            margin_points=100 * CEILING_MARGIN,
        )


@reference("ch4-train-to-ceiling")
def train_shape_model(x_train, y_train, x_val, y_val):
    import keras
    from keras import layers

    from mmteach.training import Adam, cosine_decay, train

    keras.utils.set_random_seed(0)
    image = keras.Input(x_train["image"].shape[1:], name="image")
    caption = keras.Input(x_train["caption"].shape[1:], name="caption")
    x = layers.Conv2D(16, 3, padding="same", activation="relu")(image)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(32, 3, padding="same", activation="relu")(x)
    image_vector = layers.GlobalMaxPooling2D()(x)
    caption_vector = layers.Dense(16, activation="relu")(caption)
    fused = layers.Concatenate()([image_vector, caption_vector])
    shape = layers.Dense(4, activation="softmax")(fused)
    model = keras.Model({"image": image, "caption": caption}, shape)
    epochs, batch_size = 12, 64
    steps = epochs * -(-len(y_train) // batch_size)  # ceiling division
    history = train(
        model,
        x_train,
        y_train,
        optimizer=Adam(0.01),
        loss="sparse_categorical_crossentropy",
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(x_val, y_val),
        metrics=["accuracy"],
        schedule=cosine_decay(0.01, steps),
        seed=0,
    )
    print(f"validation accuracy: {history['val_accuracy'][-1]:.1%}")
    return model
