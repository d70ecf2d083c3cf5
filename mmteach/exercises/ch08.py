"""The Chapter 8 exercises: their checkers and reference answers."""

from __future__ import annotations

import numpy as np

from mmteach.exercises import Hint, NotAttempted, _close, _is_stub, call, checker, reference  # noqa: F401


def _as_float(name, value):
    try:
        return float(np.asarray(value))
    except (TypeError, ValueError):
        raise Hint(
            "{name} must return one number, got {value_type}.", name=name, value_type=type(value).__name__
        ) from None


def _logsumexp(z, axis):
    top = z.max(axis=axis, keepdims=True)
    return (top + np.log(np.exp(z - top).sum(axis=axis, keepdims=True))).squeeze(axis)


def _one_way(z):
    return float(np.mean(_logsumexp(z, 1) - np.diag(z)))


# --- symmetric InfoNCE ------------------------------------------------------------------


@reference("ch8-info-nce")
def info_nce(logits):
    z = np.asarray(logits, dtype=float)

    def logsumexp(z, axis):  # subtract the maximum first: no overflow
        top = z.max(axis=axis)
        return top + np.log(np.exp(z - np.expand_dims(top, axis)).sum(axis))

    rows = logsumexp(z, axis=1) - np.diag(z)  # image→text
    cols = logsumexp(z, axis=0) - np.diag(z)  # text→image
    return float((rows.mean() + cols.mean()) / 2)


@checker("ch8-info-nce", "info_nce(logits): symmetric InfoNCE of a (B, B) matrix, targets on the diagonal")
def _ch8_info_nce(fn):
    rng = np.random.default_rng(8)
    cases = [rng.normal(size=(6, 6)) * 2, rng.normal(size=(5, 5)) + 3 * np.eye(5)]
    popular = rng.normal(size=(6, 6))
    popular[:, 0] += 3.0  # one caption close to every image: the two directions differ
    cases.append(popular)
    cases.append(rng.normal(size=(4, 4)) * 400)  # large logits: exp overflows without care
    for z in cases:
        got = _as_float("info_nce", call(fn, z.copy()))
        want = info_nce(z)
        if _close(got, want, 1e-5):
            continue
        if not np.isfinite(got):
            raise Hint(
                "the loss is not finite: with logits in the hundreds, exp overflows. Subtract each row's "
                "(or column's) maximum before exp and add it back after the log (log-sum-exp)."
            )
        if _close(got, _one_way(z), 1e-5) or _close(got, _one_way(z.T), 1e-5):
            raise Hint(
                "that is one direction only. CLIP's loss is symmetric: each image must pick its "
                "caption (softmax along a row) AND each caption its image (softmax down a "
                "column); average the two cross-entropies."
            )
        if _close(got, 2 * want, 1e-5):
            raise Hint("you added the two directions: take their average (divide by 2).")
        if _close(got, len(z) * want, 1e-5):
            raise Hint("you summed over the batch: take the mean over the B pairs.")
        flat = float(np.mean(_logsumexp(z.reshape(-1), 0) - np.diag(z)))
        if _close(got, flat, 1e-5):
            raise Hint(
                "the softmax runs over the whole matrix: it must run over one row (the image's "
                "B candidate captions) or one column (the caption's B candidate images)."
            )
        wrong_axes = float(np.mean(_logsumexp(z, 0) - z.max(axis=1)))
        if _close(got, wrong_axes, 1e-5) or _close(got, (_one_way(z) + _one_way(-z)) / 2, 1e-5):
            raise Hint("the targets are the diagonal entries logits[i, i]: the pair (image i, caption i).")
        raise Hint("for a test matrix expected {want:.5f}, got {got!r}.", want=want, got=got)


# --- find the bug: the similarity logits ----------------------------------------------------


@reference("ch8-similarity-logits")
def similarity_logits(image_embeddings, caption_embeddings, temperature):
    a = np.asarray(image_embeddings, dtype=float)
    b = np.asarray(caption_embeddings, dtype=float)
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return a @ b.T / temperature


@checker(
    "ch8-similarity-logits",
    "similarity_logits(image_embeddings, caption_embeddings, temperature): cosines / temperature",
)
def _ch8_similarity_logits(fn):
    rng = np.random.default_rng(80)
    a = rng.normal(size=(5, 4)) * rng.uniform(0.2, 5.0, (5, 1))  # lengths vary a lot
    b = rng.normal(size=(7, 4)) * rng.uniform(0.2, 5.0, (7, 1))
    got = call(fn, a.copy(), b.copy(), 0.1)
    got = np.asarray(got, dtype=float)
    want = similarity_logits(a, b, 0.1)
    if got.shape != want.shape:
        if got.shape == want.T.shape:
            raise Hint("images go in rows and captions in columns: the result is (n_images, n_captions).")
        raise Hint(
            "expected a matrix of shape {want_shape} (images x captions), got {got_shape}.",
            want_shape=want.shape,
            got_shape=got.shape,
        )
    if np.allclose(got, want, atol=1e-6):
        return
    if np.allclose(got, a @ b.T / 0.1, atol=1e-6):
        raise Hint(
            "the embeddings are not normalised, so a long vector scores high against everything "
            "and the logits grow without bound instead of being cosines in [-1, 1]. Divide each "
            "row by its length (np.linalg.norm(..., axis=1, keepdims=True)) first."
        )
    if np.allclose(got, want * 0.01, atol=1e-6):
        raise Hint("divide by the temperature, do not multiply: a small temperature sharpens the softmax.")
    raise Hint("expected cosine similarities divided by the temperature.")


# --- prompt ensembling ------------------------------------------------------------------------


@reference("ch8-prompt-ensemble")
def ensemble_prompts(prompt_embeddings):
    z = np.asarray(prompt_embeddings, dtype=float)
    z = z / np.linalg.norm(z, axis=-1, keepdims=True)
    mean = z.mean(axis=0)
    return mean / np.linalg.norm(mean, axis=-1, keepdims=True)


@checker(
    "ch8-prompt-ensemble",
    "ensemble_prompts(prompt_embeddings): (templates, classes, dim) -> unit class embeddings",
)
def _ch8_prompt_ensemble(fn):
    rng = np.random.default_rng(81)
    z = rng.normal(size=(3, 4, 5)) * rng.uniform(0.1, 10.0, (3, 4, 1))
    got = np.asarray(call(fn, z.copy()), dtype=float)
    want = ensemble_prompts(z)
    if got.shape != want.shape:
        raise Hint(
            "average over the templates (axis 0): the result has one row per class, shape "
            "{want_shape}; got {got_shape}.",
            want_shape=want.shape,
            got_shape=got.shape,
        )
    if np.allclose(got, want, atol=1e-6):
        return
    lengths = np.linalg.norm(got, axis=-1)
    if not np.allclose(lengths, 1.0, atol=1e-6):
        raise Hint(
            "a mean of unit vectors is shorter than 1: normalise the averaged class embeddings "
            "again, so every class competes on cosine similarity."
        )
    plain = z.mean(axis=0)
    if np.allclose(got, plain / np.linalg.norm(plain, axis=-1, keepdims=True), atol=1e-6):
        raise Hint(
            "normalise each prompt's embedding before averaging: otherwise the template whose "
            "embeddings happen to be longest outvotes the others."
        )
    raise Hint("normalise each prompt embedding, average over templates, normalise again.")
