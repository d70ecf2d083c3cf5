"""The Chapter 6 exercises: their checkers and reference answers."""

from __future__ import annotations

import numpy as np

from mmteach.exercises import Hint, call, checker, reference

_VOCAB, _STEPS = 20, 7


def _images_and_tokens(n=4, seed=0):
    rng = np.random.default_rng(seed)
    images = rng.random((n, 32, 32, 3)).astype("float32")
    tokens = rng.integers(1, _VOCAB, (n, _STEPS)).astype("int32")
    return images, tokens


@checker(
    "ch6-image-to-text",
    "build_image_to_text(vocab_size, steps): image + previous words in, next-word probabilities out",
)
def _ch6_image_to_text(build):
    import keras

    model = call(build, _VOCAB, _STEPS)
    if not isinstance(model, keras.Model):
        raise Hint(
            "build_image_to_text must return a keras.Model, got {model_type}.",
            model_type=type(model).__name__,
        )
    names = {t.name: tuple(t.shape[1:]) for t in model.inputs}
    shape = tuple(model.outputs[0].shape[1:]) if len(model.outputs) == 1 else None
    if "tokens" not in names:
        if shape == (32,) or (shape is not None and len(shape) == 1):
            raise Hint(
                "the model maps an image to one vector of {n_numbers} numbers: that is an "
                "embedding, not a sentence. A caption is a sequence of words, each chosen from "
                "the vocabulary; the decoder must also read the words written so far (teacher "
                "forcing): add an integer input named 'tokens' of shape (steps,).",
                n_numbers=shape[0],
            )
        raise Hint(
            "the decoder must read the words written so far: add an integer input named "
            "'tokens' of shape (steps,); the model's inputs are {names}.",
            names=names,
        )
    if names.get("image") != (32, 32, 3) or names.get("tokens") != (_STEPS,):
        raise Hint(
            "name the inputs 'image', shape (32, 32, 3), and 'tokens', shape (steps,) = "
            "({steps},); they are {names}.",
            steps=_STEPS,
            names=names,
        )
    if shape != (_STEPS, _VOCAB):
        raise Hint(
            "the output must give, at every step, one probability per word of the vocabulary: "
            "shape (None, steps, vocab_size) = (None, {steps}, {vocab}); got (None, "
            "{dims}).",
            steps=_STEPS,
            vocab=_VOCAB,
            dims=", ".join(map(str, shape or ())),
        )
    images, tokens = _images_and_tokens()
    out = np.asarray(model({"image": images, "tokens": tokens}, training=False))
    if out.min() < 0 or not np.allclose(out.sum(axis=-1), 1.0, atol=1e-3):
        raise Hint("each step's output must be probabilities over the words: a softmax Dense layer.")
    later = tokens.copy()
    later[:, 3:] = (later[:, 3:] + 5) % (_VOCAB - 1) + 1
    out_later = np.asarray(model({"image": images, "tokens": later}, training=False))
    if not np.allclose(out[:, :3], out_later[:, :3], atol=1e-5):
        raise Hint(
            "the prediction at step t changes when words after t change: the model peeks at the "
            "future it must predict. Read the words left to right only (a plain GRU, not a "
            "Bidirectional one)."
        )
    other = np.asarray(model({"image": images[::-1].copy(), "tokens": tokens}, training=False))
    if np.allclose(out, other, atol=1e-5):
        raise Hint("the output does not change with the image: feed the image vector to the decoder.")


@reference("ch6-image-to-text")
def build_image_to_text(vocab_size, steps):
    import keras
    from keras import layers

    image = keras.Input(shape=(32, 32, 3), name="image")
    tokens = keras.Input(shape=(steps,), dtype="int32", name="tokens")
    x = layers.Conv2D(16, 3, strides=2, activation="relu")(image)
    x = layers.Conv2D(32, 3, strides=2, activation="relu")(x)
    image_vector = layers.Dense(64, activation="relu")(layers.Flatten()(x))
    words = layers.Embedding(vocab_size, 32)(tokens)
    x = layers.Concatenate()([words, layers.RepeatVector(steps)(image_vector)])
    x = layers.GRU(64, return_sequences=True)(x)
    probs = layers.Dense(vocab_size, activation="softmax")(x)
    return keras.Model({"image": image, "tokens": tokens}, probs)


_IDS = np.array([[2, 9, 14, 7, 3, 0, 0], [2, 5, 8, 6, 11, 3, 0]], dtype=np.int32)


@checker("ch6-teacher-forcing", "teacher_forcing_pairs(ids) -> (decoder inputs, targets)")
def _ch6_teacher_forcing(fn):
    out = call(fn, _IDS.copy())
    if not isinstance(out, tuple) or len(out) != 2:
        raise Hint("return a pair (inputs, targets).")
    inputs, targets = (np.asarray(a) for a in out)
    if inputs.shape != targets.shape:
        raise Hint(
            "inputs and targets must have the same shape; got {inputs_shape} and {targets_shape}.",
            inputs_shape=inputs.shape,
            targets_shape=targets.shape,
        )
    if np.array_equal(inputs, targets):
        raise Hint(
            "the targets equal the inputs, so the model learns to copy the word it is given: "
            "the loss drops to almost zero, and at decoding time it repeats the start marker. "
            "The target at step t is the word *after* input t: shift the targets by one."
        )
    if np.array_equal(inputs, _IDS[:, 1:]) and np.array_equal(targets, _IDS[:, :-1]):
        raise Hint("shifted the wrong way: the model would predict the previous word from the next.")
    if inputs.shape != (2, _IDS.shape[1] - 1):
        raise Hint(
            "both have one column fewer than ids: shape {want_shape}; got {inputs_shape}.",
            want_shape=(2, _IDS.shape[1] - 1),
            inputs_shape=inputs.shape,
        )
    if not np.array_equal(inputs, _IDS[:, :-1]):
        raise Hint("the inputs are every id but the last: ids[:, :-1] (they start with the start marker).")
    if not np.array_equal(targets, _IDS[:, 1:]):
        raise Hint("the targets are every id but the first: ids[:, 1:] (they end with the end marker).")


@reference("ch6-teacher-forcing")
def teacher_forcing_pairs(ids):
    inputs = ids[:, :-1]  # START w1 ... wk END: every word but the last
    targets = ids[:, 1:]  # the word that follows each input
    return inputs, targets


def _reference_beam_step(scores, log_probs, width):
    total = scores[:, None] + log_probs
    best = np.argsort(-total, axis=None, kind="stable")[:width]
    beams, words = np.unravel_index(best, total.shape)
    return beams, words, total.ravel()[best]


@checker("ch6-beam-step", "beam_step(scores, log_probs, width) -> (beams, words, new_scores), best first")
def _ch6_beam_step(fn):
    rng = np.random.default_rng(6)
    for k, vocab, width in ((3, 6, 3), (2, 5, 4), (4, 7, 2)):
        scores = -rng.random(k) * 3
        log_probs = np.log(rng.dirichlet(np.ones(vocab), size=k))
        out = call(fn, scores.copy(), log_probs.copy(), width)
        if not isinstance(out, tuple) or len(out) != 3:
            raise Hint("return three arrays: (beams, words, new_scores).")
        beams, words, new = (np.asarray(a) for a in out)
        if beams.shape != (width,) or words.shape != (width,) or new.shape != (width,):
            raise Hint(
                "return `width` = {width} candidates; got shapes {beams_shape}, {words_shape}, {new_shape}.",
                width=width,
                beams_shape=beams.shape,
                words_shape=words.shape,
                new_shape=new.shape,
            )
        want_b, want_w, want_s = _reference_beam_step(scores, log_probs, width)
        if np.allclose(new, want_s) and np.array_equal(beams, want_b) and np.array_equal(words, want_w):
            continue
        flat = log_probs.ravel()
        if np.allclose(np.sort(new)[::-1], np.sort(flat)[::-1][:width]):
            raise Hint("rank the candidates by their *total* log-probability: add each beam's score.")
        if np.allclose(new, np.sort(scores[:, None] + log_probs, axis=None)[:width]):
            raise Hint("these are the worst candidates: sort by decreasing score.")
        if np.allclose(new, np.sort((scores[:, None] * log_probs).ravel())[::-1][:width]):
            raise Hint("log-probabilities add (probabilities multiply): scores + log_probs.")
        per_beam = np.argmax(scores[:, None] + log_probs, axis=1)
        if width <= k and np.array_equal(np.sort(words), np.sort(per_beam[np.argsort(-scores)][:width])):
            raise Hint(
                "the best candidates may all extend the same beam: choose among all "
                "k * vocab_size extensions at once, not the best word of each beam."
            )
        if np.allclose(np.sort(new)[::-1], want_s):
            raise Hint("return the candidates best first, with the beam and word of each one.")
        raise Hint(
            "for scores {scores} expected beams {want_b}, words {want_w}, scores {want_s}.",
            scores=np.round(scores, 3).tolist(),
            want_b=want_b.tolist(),
            want_w=want_w.tolist(),
            want_s=np.round(want_s, 3).tolist(),
        )


@reference("ch6-beam-step")
def beam_step(scores, log_probs, width):
    # (k, vocab): every kept caption extended by every word
    total = scores[:, None] + log_probs
    # the `width` best of all k * vocab candidates, best first
    best = np.argsort(-total, axis=None)[:width]
    beams, words = np.unravel_index(best, total.shape)
    return beams, words, total.ravel()[best]
