"""The Chapter 3 exercises: their checkers (registered with :func:`mmteach.exercises.checker`)."""

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


class _Lazy:
    """A module imported on first use: importing the exercises must not start TensorFlow."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attribute):
        import importlib

        return getattr(importlib.import_module(self._name), attribute)


# The names the reference answers use, as the chapter's notebook has them.
keras = _Lazy("keras")
layers = _Lazy("keras.layers")
models = _Lazy("mmteach.models")


def _ch3_labels(n=40, seed=3):
    import pandas as pd

    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "shape": rng.integers(0, 4, n),
            "colour": rng.integers(0, 4, n),
            "size": rng.integers(0, 2, n),
            "position": rng.integers(0, 4, n),
        }
    )


_CH3_FLATTEN = (
    "a Dense layer acts on the *last* axis only: on a (32, 32, 3) image it makes 128 numbers "
    "for every pixel, a (32, 32, 128) tensor, not one vector per image. Flatten the image "
    "first: layers.Flatten()(image)."
)


@checker(
    "ch3-two-input-model",
    "(build_two_input_model, two_output_labels): text + image in, is_large + is_red out",
)
def _ch3_two_input_model(answer):
    if _is_stub(answer):
        raise NotAttempted
    if not isinstance(answer, tuple) or len(answer) != 2:
        raise Hint("pass the pair of functions: (build_two_input_model, two_output_labels).")
    build, make_targets = answer
    try:
        model = call(build)
    except (ValueError, TypeError) as err:
        if "32, 32, 128" in str(err):
            raise Hint(_CH3_FLATTEN) from None
        raise
    if not isinstance(model, keras.Model):
        raise Hint(
            "build_two_input_model must return a keras.Model, got {model_type}.",
            model_type=type(model).__name__,
        )
    inputs = {t.name: tuple(t.shape[1:]) for t in model.inputs}
    if inputs != {"text": (100,), "image": (32, 32, 3)}:
        raise Hint(
            "the model needs two named inputs, 'text' of shape (100,) and 'image' of shape "
            "(32, 32, 3); it has {inputs}.",
            inputs=inputs,
        )
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense) and len(layer.input.shape) > 2:
            raise Hint(_CH3_FLATTEN)
    outputs = model.outputs
    if len(outputs) != 2:
        raise Hint(
            "the model needs two outputs (is_large and is_red), it has {n_outputs}.", n_outputs=len(outputs)
        )
    names = [t.name.split("/")[0] for t in outputs]
    names = list(getattr(model, "output_names", None) or names)
    if sorted(names) != ["is_large", "is_red"]:
        raise Hint("name the two output layers 'is_large' and 'is_red'; they are named {names}.", names=names)
    for t in outputs:
        if tuple(t.shape[1:]) != (1,):
            raise Hint(
                "each head answers a yes/no question: one sigmoid unit, shape (None, 1); got {shape}.",
                shape=tuple(t.shape),
            )
    rng = np.random.default_rng(0)
    x = {
        "text": rng.random((3, 100)).astype("float32"),
        "image": rng.random((3, 32, 32, 3)).astype("float32"),
    }
    predictions = model(x, training=False)
    if isinstance(predictions, dict):
        predictions = list(predictions.values())
    for p in predictions:
        p = np.asarray(p)
        if p.min() < 0 or p.max() > 1:
            raise Hint("the heads must output probabilities: activation='sigmoid'.")
    labels = _ch3_labels()
    targets = call(make_targets, labels.copy())
    if not isinstance(targets, dict | list | tuple):
        raise Hint(
            "two_output_labels returns one array (shape {targets_shape}) for a model with "
            "two outputs, so Keras cannot tell which labels belong to which head (recent Keras "
            "versions stop with a puzzling KeyError about a 'path'). Return one array per head: a dict "
            "{{'is_large': ..., 'is_red': ...}}.",
            targets_shape=np.shape(targets),
        )
    if not isinstance(targets, dict):
        if isinstance(model.output, dict):
            raise Hint(
                "the model's outputs are a dict, which has no fixed order: return the labels "
                "as a dict too, keyed by the output names {'is_large': ..., 'is_red': ...}."
            )
        if len(targets) != 2:
            raise Hint("return two label arrays, one per head; got {n_targets}.", n_targets=len(targets))
        targets = dict(zip(names, targets))
    if set(targets) != {"is_large", "is_red"}:
        raise Hint(
            "the keys must be the output names 'is_large' and 'is_red'; got {keys}.", keys=sorted(targets)
        )
    want = {
        "is_large": (labels["size"] == 1).to_numpy(float),
        "is_red": (labels["colour"] == 0).to_numpy(float),
    }
    got = {k: np.asarray(v, dtype=float).reshape(len(labels), -1)[:, 0] for k, v in targets.items()}
    if np.array_equal(got["is_large"], want["is_red"]) and np.array_equal(got["is_red"], want["is_large"]):
        raise Hint("the two heads got each other's labels: swap them.")
    if np.array_equal(got["is_large"], got["is_red"]):
        raise Hint("both heads get the same labels: each head needs its own question's answers.")
    for k, why in (("is_large", "labels['size'] == 1"), ("is_red", "labels['colour'] == 0 (red)")):
        if not np.array_equal(got[k], want[k]):
            raise Hint("targets[{k!r}] must be 1 where {why} and 0 elsewhere.", k=k, why=why)


@checker("ch3-dropout-mask", "modality_dropout_mask(n, n_modalities, rate, seed): 0/1, never all 0")
def _ch3_dropout_mask(fn):
    n, m, rate = 20000, 3, 0.6
    out = call(fn, n, m, rate, 0)
    mask = np.asarray(out)
    if mask.shape != (n, m):
        raise Hint(
            "return one row per sample and one column per modality: shape ({n}, {m}); got {mask_shape}.",
            n=n,
            m=m,
            mask_shape=mask.shape,
        )
    if not np.all(np.isin(mask, (0, 1))):
        raise Hint("a mask holds only 1 (keep the modality) and 0 (drop it).")
    if np.any(mask.sum(axis=1) == 0):
        raise Hint(
            "some samples lose every modality and carry nothing to learn from: when the draw "
            "drops them all, keep one of them, chosen at random."
        )
    kept = mask.mean(axis=0)
    want = (1 - rate) + rate**m / m  # each kept with 1 - rate, plus its share of the rescues
    if np.all(np.abs(kept - (rate + (1 - rate) ** m / m)) < 0.015):
        raise Hint(
            "rate is the probability of *dropping* a modality: with rate={rate} about "
            "{keep:.0%} are kept before the rescue.",
            rate=rate,
            keep=1 - rate,
        )
    if abs(kept[0] - (1 - rate + rate**m)) < 0.015 and np.all(np.abs(kept[1:] - (1 - rate)) < 0.015):
        raise Hint("the rescued modality is always the first one: choose it at random.")
    if np.any(np.abs(kept - want) > 0.015):
        raise Hint(
            "each modality should be dropped independently with probability rate={rate}; the "
            "fractions kept per column are {kept_fractions}, expected about {want:.3f}.",
            rate=rate,
            kept_fractions=np.round(kept, 3).tolist(),
            want=want,
        )
    both = np.mean((mask[:, 0] == 0) & (mask[:, 1] == 0))
    if abs(both - rate**2 * (1 - rate) - rate**3 / m) > 0.015:  # third kept or rescued
        raise Hint("drop the modalities independently: draw one random number per sample AND modality.")
    if not np.all(np.asarray(call(fn, 50, 4, 0.0, 1)) == 1):
        raise Hint("with rate=0 nothing may be dropped: the mask must be all ones.")
    if not np.all(np.asarray(call(fn, 50, 1, 0.5, 1)) == 1):
        raise Hint("with a single modality there is nothing to drop: it must always be kept.")
    if not np.array_equal(np.asarray(call(fn, 200, 3, 0.5, 7)), np.asarray(call(fn, 200, 3, 0.5, 7))):
        raise Hint("the same seed must give the same mask: build the generator from `seed`.")
    if np.array_equal(np.asarray(call(fn, 200, 3, 0.5, 7)), np.asarray(call(fn, 200, 3, 0.5, 8))):
        raise Hint("different seeds give the same mask: use `seed` to build the random generator.")


@checker("ch3-match-ceiling", "match_ceiling(p_image, p_caption): best accuracy on the synergy task")
def _ch3_match_ceiling(fn):
    for p_image, p_caption in [(0.1, 0.3), (0.0, 0.0), (1.0, 0.0), (0.5, 0.5), (0.2, 0.0), (0.3, 0.6)]:
        got = call(fn, p_image, p_caption)
        both = (1 - p_image) * (1 - p_caption)
        want = both + (1 - both) * 0.5
        if _close(got, want):
            continue
        either = 1 - p_image * p_caption
        if _close(got, either + (1 - either) * 0.5) or _close(got, either):
            raise Hint(
                "one modality speaking is enough for redundancy, not for synergy: the label "
                "compares the image with the caption, so *both* must speak about the colour."
            )
        if _close(got, both):
            raise Hint(
                "when either modality is silent the model cannot judge the pair, but a coin flip "
                "is still right half of the time: add (1 - both) * 0.5."
            )
        if _close(got, 0.5):
            raise Hint("0.5 is each modality alone; together they do better whenever both speak.")
        raise Hint(
            "for p_image={p_image}, p_caption={p_caption} expected {want:.4f}, got {got!r}.",
            p_image=p_image,
            p_caption=p_caption,
            want=want,
            got=got,
        )


# --- ch3-fuse-sound-caption: build and train a model, scored against its ceiling -----------

#: The colour silences of Section 3.3, which the exercise's scenes share.
_CH3_SILENCE = {"image": {"colour": 0.4}, "caption": {"colour": 0.3}, "sound": {"colour": 0.2}}
_CH3_PAIR = ("sound", "caption")
_CH3_TOLERANCE = 0.05  # "within 5 points of the ceiling"


_CH3_DATA = {}


def _ch3_colour_data():
    """Fresh scenes for the exercise (made once): arrays of the sound and the caption."""
    if not _CH3_DATA:
        from mmteach import datasets
        from mmteach.preprocessing import ShapesPreprocessor

        scenes = datasets.make_scenes(3200, seed=33, silence=_CH3_SILENCE)
        train, _, test = datasets.train_val_test_split(
            scenes, sizes=(0.6, 0.1, 0.3), stratify="colour", seed=0
        )
        prep = ShapesPreprocessor(modalities=_CH3_PAIR).fit(train)
        _CH3_DATA.update(
            x_train=prep.transform(train),
            y_train=train.labels["colour"].to_numpy(),
            x_test=prep.transform(test),
            y_test=test.labels["colour"].to_numpy(),
            input_shapes=prep.input_shapes,
            vocab_size=prep.vocab_size,
            ceiling=test.realised_ceiling("colour", _CH3_PAIR),
            single={m: test.realised_ceiling("colour", [m]) for m in _CH3_PAIR},
        )
    return _CH3_DATA


@checker(
    "ch3-fuse-sound-caption",
    "fuse_sound_and_caption(x_train, y_train, input_shapes, vocab_size) -> a trained model "
    "within 5 points of the colour ceiling of sound + caption",
)
def _ch3_fuse_sound_caption(fn):
    if _is_stub(fn):
        raise NotAttempted
    data = _ch3_colour_data()
    x_train = {m: a.copy() for m, a in data["x_train"].items()}
    model = call(fn, x_train, data["y_train"].copy(), dict(data["input_shapes"]), data["vocab_size"])
    if not isinstance(model, keras.Model):
        raise Hint("return the trained keras.Model, got {model_type}.", model_type=type(model).__name__)
    try:
        models.check_inputs(model, data["x_test"])
    except (TypeError, ValueError) as err:
        raise Hint("the model must take the two named inputs 'sound' and 'caption': {err}", err=err) from None
    probabilities = np.asarray(model(data["x_test"], training=False))
    if probabilities.shape != (len(data["y_test"]), 4):
        raise Hint(
            "the model must output 4 class probabilities per scene (one per colour), shape "
            "(n, 4); got {probabilities_shape}.",
            probabilities_shape=probabilities.shape,
        )
    acc = float(np.mean(np.argmax(probabilities, axis=1) == data["y_test"]))
    ceiling, best_single = data["ceiling"], max(data["single"].values())
    if acc >= ceiling - _CH3_TOLERANCE:
        return
    worst_single = min(data["single"].values())
    if acc < worst_single - 0.05:
        raise Hint(
            "accuracy {acc:.1%} on fresh scenes is below what even one modality alone allows "
            "({worst_single:.1%}, the caption): was the model trained (compile, then fit on "
            "x_train and y_train) before you returned it?",
            acc=acc,
            worst_single=worst_single,
        )
    if acc <= best_single + 0.01:
        raise Hint(
            "accuracy {acc:.1%} is no better than the best single modality allows "
            "({best_single:.1%}, the sound): is the model using both inputs?",
            acc=acc,
            best_single=best_single,
        )
    raise Hint(
        "accuracy {acc:.1%} is {gap_points:.1f} points below the ceiling of sound and "
        "caption on these scenes ({ceiling:.1%}); within {tolerance_points:.0f} passes. "
        "Train for more passes, or check the learning rate.",
        acc=acc,
        gap_points=100 * (ceiling - acc),
        ceiling=ceiling,
        tolerance_points=100 * _CH3_TOLERANCE,
    )


# --- reference answers (shown verbatim in the chapter's hidden solutions) -----------------


def build_two_input_model():
    text = keras.Input(shape=(100,), name="text")
    image = keras.Input(shape=(32, 32, 3), name="image")
    text_embedding = layers.Dense(128, activation="relu")(text)
    flat_image = layers.Flatten()(image)  # one vector per image
    image_embedding = layers.Dense(128, activation="relu")(flat_image)
    joined = layers.Concatenate()([text_embedding, image_embedding])
    is_large = layers.Dense(1, activation="sigmoid", name="is_large")(joined)
    is_red = layers.Dense(1, activation="sigmoid", name="is_red")(joined)
    return keras.Model(
        {"text": text, "image": image},
        {"is_large": is_large, "is_red": is_red},
    )


def two_output_labels(labels):
    return {
        "is_large": (labels["size"] == 1).to_numpy("float32"),
        "is_red": (labels["colour"] == 0).to_numpy("float32"),
    }


reference("ch3-two-input-model", answer=(build_two_input_model, two_output_labels))


@reference("ch3-dropout-mask")
def modality_dropout_mask(n, n_modalities, rate, seed):
    rng = np.random.default_rng(seed)
    keep = rng.random((n, n_modalities)) >= rate
    empty = np.flatnonzero(~keep.any(axis=1))
    keep[empty, rng.integers(0, n_modalities, len(empty))] = True
    return keep.astype(int)


@reference("ch3-match-ceiling")
def match_ceiling(p_image, p_caption):
    both_speak = (1 - p_image) * (1 - p_caption)
    return both_speak + (1 - both_speak) * 0.5


@reference("ch3-fuse-sound-caption")
def fuse_sound_and_caption(x_train, y_train, input_shapes, vocab_size):
    model = models.late_fusion(input_shapes, n_classes=4, vocab_size=vocab_size)
    model.compile(
        optimizer=keras.optimizers.Adam(5e-3),
        loss="sparse_categorical_crossentropy",
    )
    n = len(y_train) // 128 * 128  # whole batches only (Section 3.3)
    model.fit(
        {m: x[:n] for m, x in x_train.items()},
        y_train[:n],
        batch_size=128,
        epochs=5,
        verbose=0,
    )
    return model
