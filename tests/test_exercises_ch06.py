"""The Chapter 6 checkers accept the reference answers and reject plausible wrong ones."""

import keras
import numpy as np
import pytest
from keras import layers

from mmteach import exercises


def check(exercise, answer):
    return exercises.check(exercise, answer, quiet=True)


@pytest.mark.parametrize("exercise", ["ch6-image-to-text", "ch6-teacher-forcing", "ch6-beam-step"])
def test_reference_passes_and_stub_is_not_attempted(exercise):
    assert check(exercise, exercises.reference_answer(exercise))
    assert check(exercise, ...).status == "not attempted"

    def stub(*args):
        raise NotImplementedError

    assert check(exercise, stub).status == "not attempted"


# --- ch6-image-to-text ------------------------------------------------------------------


def seed_snippet(vocab_size, steps):
    image = keras.Input(shape=(32, 32, 3), name="image")
    image_output = layers.Dense(32)(layers.Flatten()(image))
    return keras.Model(image, image_output)


def decoder(bidirectional=False, use_image=True, softmax=True, vocab_out=None):
    def build(vocab_size, steps):
        image = keras.Input(shape=(32, 32, 3), name="image")
        tokens = keras.Input(shape=(steps,), dtype="int32", name="tokens")
        v = layers.Dense(8)(layers.Flatten()(image))
        x = layers.Embedding(vocab_size, 8)(tokens)
        if use_image:
            x = layers.Concatenate()([x, layers.RepeatVector(steps)(v)])
        gru = layers.GRU(8, return_sequences=True)
        x = layers.Bidirectional(gru)(x) if bidirectional else gru(x)
        out = layers.Dense(vocab_out or vocab_size, activation="softmax" if softmax else None)(x)
        return keras.Model({"image": image, "tokens": tokens}, out)

    return build


@pytest.mark.parametrize(
    "answer, hint",
    [
        (seed_snippet, "not a sentence"),
        (decoder(bidirectional=True), "peeks at the future"),
        (decoder(use_image=False), "does not change with the image"),
        (decoder(softmax=False), "softmax"),
        (decoder(vocab_out=32), "shape (None, steps, vocab_size)"),
        (lambda v, s: "a model", "must return a keras.Model"),
    ],
)
def test_image_to_text_wrong_answers_get_hints(answer, hint):
    result = check("ch6-image-to-text", answer)
    assert result.status == "wrong" and hint in result.message, result.message


# --- ch6-teacher-forcing -----------------------------------------------------------------


@pytest.mark.parametrize(
    "answer, hint",
    [
        (lambda ids: (ids, ids), "copy the word"),
        (lambda ids: (ids[:, :-1], ids[:, :-1]), "copy the word"),
        (lambda ids: (ids[:, 1:], ids[:, :-1]), "wrong way"),
        (lambda ids: (ids, np.roll(ids, -1, axis=1)), "one column fewer"),
        (lambda ids: (ids[:, :-1], ids[:, 1:], None), "pair"),
        (lambda ids: (ids[:, :-1], ids[:, :-2]), "same shape"),
    ],
)
def test_teacher_forcing_wrong_answers_get_hints(answer, hint):
    result = check("ch6-teacher-forcing", answer)
    assert result.status == "wrong" and hint in result.message, result.message


# --- ch6-beam-step ---------------------------------------------------------------------------


def no_scores(scores, log_probs, width):
    best = np.argsort(-log_probs, axis=None)[:width]
    b, w = np.unravel_index(best, log_probs.shape)
    return b, w, log_probs.ravel()[best]


def worst_first(scores, log_probs, width):
    total = scores[:, None] + log_probs
    best = np.argsort(total, axis=None)[:width]
    b, w = np.unravel_index(best, total.shape)
    return b, w, total.ravel()[best]


def best_word_per_beam(scores, log_probs, width):
    total = scores[:, None] + log_probs
    order = np.argsort(-scores)[:width]
    words = total.argmax(axis=1)[order]
    return order, words, total[order, words]


def multiplied(scores, log_probs, width):
    total = scores[:, None] * log_probs
    best = np.argsort(-total, axis=None)[:width]
    b, w = np.unravel_index(best, total.shape)
    return b, w, total.ravel()[best]


@pytest.mark.parametrize(
    "answer, hint",
    [
        (no_scores, "add each beam's score"),
        (worst_first, "decreasing score"),
        (best_word_per_beam, "not the best word of each beam"),
        (multiplied, "log-probabilities add"),
        (lambda s, lp, w: (0, 1), "three arrays"),
    ],
)
def test_beam_step_wrong_answers_get_hints(answer, hint):
    result = check("ch6-beam-step", answer)
    assert result.status == "wrong" and hint in result.message, result.message


def test_notebook_solutions_show_the_reference_verbatim():
    import inspect
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "notebooks" / "06_image_to_text.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    solutions = ["".join(c["source"]) for c in cells if "solution" in c["metadata"].get("tags", [])]
    for exercise in ("ch6-image-to-text", "ch6-teacher-forcing", "ch6-beam-step"):
        src = inspect.getsource(exercises.reference_answer(exercise))
        body = "\n".join(line for line in src.splitlines() if not line.startswith("@reference"))
        assert any(body.strip() in s for s in solutions), exercise
