"""The Chapter 1 exercises: their checkers (registered with :func:`mmteach.exercises.checker`)."""

from __future__ import annotations

import numpy as np

from mmteach.exercises import Hint, NotAttempted, _close, _is_stub, call, checker  # noqa: F401


@checker("ch1-text-ceiling", "ceiling(p_silent, n_classes): best accuracy from one modality")
def _ch1_text_ceiling(fn):
    for p, k in [(0.3, 4), (0.0, 4), (1.0, 4), (0.5, 2), (0.25, 10)]:
        got = call(fn, p, k)
        want = (1 - p) + p / k
        if _close(got, want):
            continue
        if _close(got, 1 - p):
            raise Hint(
                "when the modality is silent the model can still guess: "
                f"one in n_classes of those guesses is right (p_silent={p}, n_classes={k})."
            )
        if _close(got, p / k) or _close(got, p + (1 - p) / k):
            raise Hint("you swapped the roles: p_silent is the chance the modality says *nothing*.")
        raise Hint(f"for p_silent={p}, n_classes={k} expected {want:.4f}, got {got!r}.")


@checker("ch1-fused-ceiling", "fused_ceiling(p_silent_list, n_classes): best accuracy from several")
def _ch1_fused_ceiling(fn):
    for ps, k in [([0.3, 0.1], 4), ([0.5], 2), ([0.2, 0.2, 0.2], 4), ([1.0, 0.4], 4), ([], 4)]:
        got = call(fn, list(ps), k)
        all_silent = float(np.prod(ps)) if ps else 1.0
        want = (1 - all_silent) + all_silent / k
        if _close(got, want):
            continue
        prod_speak = float(np.prod([1 - p for p in ps])) if ps else 0.0
        if _close(got, prod_speak + (1 - prod_speak) / k):
            raise Hint(
                "one modality that speaks is enough: the attribute stays unknown only when "
                "*every* modality is silent, which happens with probability p1 * p2 * ...."
            )
        if ps and _close(got, max((1 - p) + p / k for p in ps)):
            raise Hint("that is the best single modality; fusion can fill the gaps of each.")
        raise Hint(f"for p_silent_list={ps}, n_classes={k} expected {want:.4f}, got {got!r}.")


@checker("ch1-shuffle-together", "shuffle_together(images, captions, seed) keeps pairs aligned")
def _ch1_shuffle_together(fn):
    rng = np.random.default_rng(3)
    n = 50
    images = rng.random((n, 4, 4, 3)).astype(np.float32)
    images[:, 0, 0, 0] = np.arange(n)  # a tag that identifies each image
    captions = np.array([f"caption {i}" for i in range(n)], dtype=object)
    out = call(fn, images.copy(), captions.copy(), 0)
    if not isinstance(out, tuple) or len(out) != 2:
        raise Hint("return a pair: (shuffled_images, shuffled_captions).")
    new_images, new_captions = np.asarray(out[0]), np.asarray(out[1], dtype=object)
    if new_images.shape != images.shape or new_captions.shape != captions.shape:
        raise Hint(
            f"shapes changed: images {images.shape} -> {new_images.shape}, "
            f"captions {captions.shape} -> {new_captions.shape}."
        )
    tags = new_images[:, 0, 0, 0].astype(int)
    if np.array_equal(tags, np.arange(n)):
        raise Hint("nothing was shuffled: the order is the same as before.")
    if sorted(tags.tolist()) != list(range(n)):
        raise Hint("some images were lost or repeated: use one permutation of all the rows.")
    if not all(c == f"caption {t}" for c, t in zip(new_captions, tags)):
        raise Hint(
            "images and captions were shuffled with different orders, so pairs no longer "
            "match. Draw one permutation and index both arrays with it."
        )
    again = call(fn, images.copy(), captions.copy(), 0)
    if not np.array_equal(np.asarray(again[0]), new_images):
        raise Hint("the same seed must give the same order: build the generator from `seed`.")
