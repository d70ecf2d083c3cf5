"""The Chapter 1 exercises: their checkers (registered with :func:`mmteach.exercises.checker`)."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from mmteach.exercises import (  # noqa: F401
    Hint,
    NotAttempted,
    _close,
    _is_stub,
    call,
    checker,
    reference,
)


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
                "one in n_classes of those guesses is right (p_silent={p}, n_classes={k}).",
                p=p,
                k=k,
            )
        if _close(got, p / k) or _close(got, p + (1 - p) / k):
            raise Hint("you swapped the roles: p_silent is the chance the modality says *nothing*.")
        raise Hint(
            "for p_silent={p}, n_classes={k} expected {want:.4f}, got {got!r}.", p=p, k=k, want=want, got=got
        )


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
        raise Hint(
            "for p_silent_list={ps}, n_classes={k} expected {want:.4f}, got {got!r}.",
            ps=ps,
            k=k,
            want=want,
            got=got,
        )


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
            "shapes changed: images {images_shape} -> {new_images_shape}, "
            "captions {captions_shape} -> {new_captions_shape}.",
            images_shape=images.shape,
            new_images_shape=new_images.shape,
            captions_shape=captions.shape,
            new_captions_shape=new_captions.shape,
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


# --- ch1-caption-model: build a model, scored against the Bayes ceiling ---------------------

_CH1_TOLERANCE = 0.03  # "within 3 points of the ceiling"
_CH1_DATA = {}


def _ch1_caption_data():
    """Fresh scenes for the exercise (made once): captions, colours and the realised ceiling."""
    if not _CH1_DATA:
        from mmteach import datasets

        train = datasets.make_scenes(2000, seed=101)
        test = datasets.make_scenes(2000, seed=102)
        speaks = ~test.silent["caption"]["colour"].to_numpy()
        _CH1_DATA.update(
            captions=train.captions,
            colours=train.labels["colour"].to_numpy(),
            test_captions=test.captions,
            test_colours=test.labels["colour"].to_numpy(),
            ceiling=float(np.mean(np.where(speaks, 1.0, 1 / 4))),
            expected=test.ceiling("colour", ["caption"]),
        )
    return _CH1_DATA


@checker(
    "ch1-caption-model",
    "fit_caption_model(captions, colours) -> a model whose .predict(captions) is within 3 points "
    "of the caption-only colour ceiling",
)
def _ch1_caption_model(fn):
    if _is_stub(fn):
        raise NotAttempted
    data = _ch1_caption_data()
    model = call(fn, data["captions"].copy(), data["colours"].copy())
    if not hasattr(model, "predict"):
        raise Hint(
            "return the fitted model, an object with a .predict(captions) method; got {model_type}.",
            model_type=type(model).__name__,
        )
    predicted = np.asarray(model.predict(data["test_captions"].copy()))
    truth = data["test_colours"]
    if predicted.shape != truth.shape:
        raise Hint(
            "predict must return one colour per caption, shape {truth_shape}; got {predicted_shape}.",
            truth_shape=truth.shape,
            predicted_shape=predicted.shape,
        )
    if not np.issubdtype(predicted.dtype, np.integer):
        raise Hint(
            "predict must return class numbers 0-3, as in scenes.labels['colour'] "
            "(0 = red ... 3 = yellow); got values like {examples}.",
            examples=predicted[:3].tolist(),
        )
    acc = float(np.mean(predicted == truth))
    ceiling = data["ceiling"]
    if acc >= ceiling - _CH1_TOLERANCE:
        return
    if acc < 0.35:
        raise Hint(
            "accuracy {acc:.1%} on new scenes is near chance (25%): was the model fitted on the "
            "captions together with *their own* colours?",
            acc=acc,
        )
    raise Hint(
        "accuracy {acc:.1%} is {gap_points:.1f} points below the ceiling on these "
        "scenes ({ceiling:.1%}). A caption names its colour with one of several words "
        "(red, crimson, scarlet ...): does your model know them all? Learning the words from "
        "the data, as a bag of words does, finds them for you.",
        acc=acc,
        gap_points=100 * (ceiling - acc),
        ceiling=ceiling,
    )


# --- reference answers (shown verbatim in the chapter's hidden solutions) -----------------


@reference("ch1-text-ceiling")
def text_ceiling(p_silent, n_classes):
    return (1 - p_silent) * 1.0 + p_silent / n_classes


@reference("ch1-fused-ceiling")
def fused_ceiling(p_silent_list, n_classes):
    all_silent = float(np.prod(p_silent_list)) if len(p_silent_list) else 1.0
    return (1 - all_silent) + all_silent / n_classes


@reference("ch1-shuffle-together")
def shuffle_together(images, captions, seed):
    order = np.random.default_rng(seed).permutation(len(images))
    return images[order], captions[order]


@reference("ch1-caption-model")
def fit_caption_model(captions, colours):
    model = make_pipeline(CountVectorizer(), LogisticRegression(max_iter=1000))
    return model.fit(captions, colours)
