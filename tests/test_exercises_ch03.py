"""The Chapter 3 checkers accept the reference solutions and reject plausible wrong answers."""

import keras
import numpy as np
import pytest
from keras import layers

from mmteach import datasets, exercises, models


def check(exercise, answer):
    return exercises.check(exercise, answer, quiet=True)


# --- ch3-two-input-model -------------------------------------------------------------


def build_right(flatten=True, dense_then_flatten=False, head_units=1, activation="sigmoid"):
    def build():
        text = keras.Input(shape=(100,), name="text")
        image = keras.Input(shape=(32, 32, 3), name="image")
        text_embedding = layers.Dense(128, activation="relu")(text)
        x = layers.Flatten()(image) if flatten else image
        image_embedding = layers.Dense(128, activation="relu")(x)
        if dense_then_flatten:
            image_embedding = layers.Flatten()(image_embedding)
        joined = layers.Concatenate()([text_embedding, image_embedding])
        is_large = layers.Dense(head_units, activation=activation, name="is_large")(joined)
        is_red = layers.Dense(head_units, activation=activation, name="is_red")(joined)
        return keras.Model({"text": text, "image": image}, [is_large, is_red])

    return build


build_reference, targets_right = exercises.reference_answer("ch3-two-input-model")


def test_two_input_reference_passes():
    assert check("ch3-two-input-model", (build_reference, targets_right))
    assert check("ch3-two-input-model", (build_right(), targets_right))
    as_list = lambda labels: [targets_right(labels)["is_large"], targets_right(labels)["is_red"]]  # noqa: E731
    assert check("ch3-two-input-model", (build_right(), as_list))


@pytest.mark.parametrize(
    "answer, hint",
    [
        ((build_right(flatten=False), targets_right), "Flatten the image"),
        ((build_right(flatten=False, dense_then_flatten=True), targets_right), "32, 32, 128"),
        ((build_right(head_units=2, activation="softmax"), targets_right), "one sigmoid unit"),
        ((build_right(), lambda labels: (labels["size"] == 1).to_numpy("float32")), "one array"),
        (
            (
                build_right(),
                lambda labels: {
                    "is_large": targets_right(labels)["is_red"],
                    "is_red": targets_right(labels)["is_large"],
                },
            ),
            "swap them",
        ),
        (
            (
                build_right(),
                lambda labels: {
                    "is_large": targets_right(labels)["is_large"],
                    "is_red": targets_right(labels)["is_large"],
                },
            ),
            "same labels",
        ),
        ((build_right(), lambda labels: {"large": 1, "red": 0}), "output names"),
        (build_right(), "pair of functions"),
    ],
)
def test_two_input_wrong_answers_get_hints(answer, hint):
    result = check("ch3-two-input-model", answer)
    assert result.status == "wrong" and hint in result.message, result.message


def test_two_input_stub_is_not_attempted():
    def build(): ...

    def targets(labels):
        raise NotImplementedError

    assert check("ch3-two-input-model", (build, targets)).status == "not attempted"
    assert check("ch3-two-input-model", ...).status == "not attempted"
    assert check("ch3-two-input-model", (build_right(), targets)).status == "not attempted"


# --- ch3-dropout-mask ------------------------------------------------------------------


dropout_mask = exercises.reference_answer("ch3-dropout-mask")


def no_rescue(n, n_modalities, rate, seed):
    return (np.random.default_rng(seed).random((n, n_modalities)) >= rate).astype(int)


def rate_as_keep(n, n_modalities, rate, seed):
    return dropout_mask(n, n_modalities, 1 - rate, seed)


def rescue_first(n, n_modalities, rate, seed):
    keep = no_rescue(n, n_modalities, rate, seed)
    keep[keep.sum(axis=1) == 0, 0] = 1
    return keep


def one_draw_per_sample(n, n_modalities, rate, seed):
    rng = np.random.default_rng(seed)
    keep = np.repeat(rng.random((n, 1)) >= rate, n_modalities, axis=1)
    empty = np.flatnonzero(~keep.any(axis=1))
    keep[empty, rng.integers(0, n_modalities, len(empty))] = True
    return keep.astype(int)


def unseeded(n, n_modalities, rate, seed):
    return dropout_mask(n, n_modalities, rate, None)


def test_dropout_mask_reference_passes():
    assert check("ch3-dropout-mask", dropout_mask)


@pytest.mark.parametrize(
    "fn, hint",
    [
        (no_rescue, "keep one of them, chosen at random"),
        (rate_as_keep, "probability of *dropping*"),
        (rescue_first, "always the first one"),
        (one_draw_per_sample, "expected about"),
        (unseeded, "same seed must give the same mask"),
        (lambda n, m, rate, seed: np.ones((n, m)) * 0.5, "only 1"),
        (lambda n, m, rate, seed: np.ones((m, n)), "shape"),
    ],
)
def test_dropout_mask_wrong_answers_get_hints(fn, hint):
    result = check("ch3-dropout-mask", fn)
    assert result.status == "wrong" and hint in result.message, result.message


def test_dropout_mask_stub_is_not_attempted():
    def stub(n, n_modalities, rate, seed): ...

    assert check("ch3-dropout-mask", stub).status == "not attempted"


# --- ch3-match-ceiling -------------------------------------------------------------------


match_ceiling = exercises.reference_answer("ch3-match-ceiling")


def test_match_ceiling_reference_passes_and_agrees_with_datasets():
    assert check("ch3-match-ceiling", match_ceiling)
    want = datasets.matching_ceiling("colour", silence={"image": 0.1, "caption": 0.3})
    assert np.isclose(match_ceiling(0.1, 0.3), want)


@pytest.mark.parametrize(
    "fn, hint",
    [
        (lambda pi, pc: (1 - pi * pc) + pi * pc * 0.5, "*both* must speak"),
        (lambda pi, pc: (1 - pi) * (1 - pc), "coin flip"),
        (lambda pi, pc: 0.5, "each modality alone"),
        (lambda pi, pc: 1 - pi - pc, "expected"),
    ],
)
def test_match_ceiling_wrong_answers_get_hints(fn, hint):
    result = check("ch3-match-ceiling", fn)
    assert result.status == "wrong" and hint in result.message, result.message


def test_match_ceiling_stub_is_not_attempted():
    def stub(p_image, p_caption):
        raise NotImplementedError

    assert check("ch3-match-ceiling", stub).status == "not attempted"


def test_two_input_dict_outputs():
    def build():
        text = keras.Input(shape=(100,), name="text")
        image = keras.Input(shape=(32, 32, 3), name="image")
        joined = layers.Concatenate()(
            [
                layers.Dense(128, activation="relu")(text),
                layers.Dense(128, activation="relu")(layers.Flatten()(image)),
            ]
        )
        return keras.Model(
            {"text": text, "image": image},
            {
                "is_large": layers.Dense(1, activation="sigmoid", name="is_large")(joined),
                "is_red": layers.Dense(1, activation="sigmoid", name="is_red")(joined),
            },
        )

    assert check("ch3-two-input-model", (build, targets_right))
    as_list = lambda labels: list(targets_right(labels).values())  # noqa: E731
    result = check("ch3-two-input-model", (build, as_list))
    assert result.status == "wrong" and "no fixed order" in result.message


# --- ch3-fuse-sound-caption ------------------------------------------------------------------


fuse_sound_and_caption = exercises.reference_answer("ch3-fuse-sound-caption")


def test_fuse_reference_passes_within_five_points_of_the_ceiling():
    from mmteach.exercises import ch03

    keras.utils.set_random_seed(0)
    assert check("ch3-fuse-sound-caption", fuse_sound_and_caption)
    data = ch03._ch3_colour_data()
    expected = datasets.bayes_ceiling("colour", ["sound", "caption"], silence=ch03._CH3_SILENCE)
    assert abs(data["ceiling"] - expected) < 0.03  # the realised ceiling is near its average


def untrained(x_train, y_train, input_shapes, vocab_size):
    return models.late_fusion(input_shapes, n_classes=4, vocab_size=vocab_size)


def caption_only(x_train, y_train, input_shapes, vocab_size):
    """Takes both inputs but reads only the caption."""
    sound = keras.Input(shape=input_shapes["sound"], name="sound")
    caption = keras.Input(shape=input_shapes["caption"], name="caption", dtype="int32")
    x = models.caption_encoder(input_shapes["caption"], vocab_size=vocab_size)(caption)
    # the sound is connected (older Keras refuses an unused input) but multiplied by zero
    silent = layers.Lambda(lambda t: t * 0.0)(layers.Flatten()(sound))
    x = layers.Concatenate()([x, silent])
    model = keras.Model({"sound": sound, "caption": caption}, layers.Dense(4, activation="softmax")(x))
    model.compile(optimizer=keras.optimizers.Adam(5e-3), loss="sparse_categorical_crossentropy")
    model.fit(x_train, y_train, batch_size=128, epochs=5, verbose=0)
    return model


def wrong_inputs(x_train, y_train, input_shapes, vocab_size):
    return models.unimodal({"image": (32, 32, 3)}, n_classes=4)


def two_classes(x_train, y_train, input_shapes, vocab_size):
    return models.late_fusion(input_shapes, n_classes=2, vocab_size=vocab_size)


@pytest.mark.parametrize(
    "fn, hint",
    [
        (untrained, "was the model trained"),
        (caption_only, "best single modality"),
        (wrong_inputs, "two named inputs"),
        (two_classes, "4 class probabilities"),
        (lambda x, y, shapes, vocab: "model", "keras.Model"),
    ],
)
def test_fuse_wrong_answers_get_hints(fn, hint):
    keras.utils.set_random_seed(0)
    result = check("ch3-fuse-sound-caption", fn)
    assert result.status == "wrong" and hint in result.message, result.message


def test_fuse_stub_is_not_attempted():
    def stub(x_train, y_train, input_shapes, vocab_size): ...

    assert check("ch3-fuse-sound-caption", stub).status == "not attempted"
    assert check("ch3-fuse-sound-caption", ...).status == "not attempted"
