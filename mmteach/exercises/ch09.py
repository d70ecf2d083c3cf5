"""The Chapter 9 exercises: their checkers and reference answers."""

from __future__ import annotations

import numpy as np

from mmteach.exercises import Hint, call, checker, reference


# The reference answers, formatted as the notebook shows them (80 columns).
# fmt: off
@reference("ch9-speaker-folds")
def speaker_folds(speakers):
    speakers = np.asarray(speakers)
    return [
        (np.flatnonzero(speakers != s), np.flatnonzero(speakers == s))
        for s in np.unique(speakers)
    ]


@reference("ch9-train-statistics")
def standardise_bands(train, test):
    mean, std = train.mean(axis=(0, 1)), train.std(axis=(0, 1))
    return (train - mean) / std, (test - mean) / std


@reference("ch9-product-fusion")
def fuse(p_audio, p_image, prior):
    joint = np.asarray(p_audio) * np.asarray(p_image) / np.asarray(prior)
    return joint / joint.sum(axis=1, keepdims=True)
# fmt: on


@checker("ch9-speaker-folds", "speaker_folds(speakers): one (train, test) pair per speaker")
def _ch9_speaker_folds(fn):
    rng = np.random.default_rng(9)
    names = np.array(["ana", "ben", "chloe", "dev"])
    speakers = names[rng.integers(0, 4, 200)]
    folds = call(fn, speakers.copy())
    try:
        folds = [(np.asarray(a), np.asarray(b)) for a, b in folds]
    except (TypeError, ValueError):
        raise Hint("return a list of (train_index, test_index) pairs, one per speaker.") from None
    if len(folds) != len(names):
        raise Hint(
            "there are {n_names} speakers, so {n_names} folds; got {n_folds}.",
            n_names=len(names),
            n_folds=len(folds),
        )
    for name, (train, test) in zip(sorted(names), folds):
        for part in (train, test):
            if part.dtype == bool:
                raise Hint("return row positions (np.flatnonzero(mask)), not boolean masks.")
            if not np.issubdtype(part.dtype, np.integer):
                raise Hint("return integer row positions, not speaker names.")
        test_speakers = set(speakers[test])
        if len(test_speakers) > 1:
            raise Hint(
                "a test fold holds clips of {n_test_speakers} speakers: rows were split at "
                "random, so the model is tested on voices it trained on. Build one fold per "
                "speaker: test rows = that speaker's clips (np.unique and np.flatnonzero help).",
                n_test_speakers=len(test_speakers),
            )
        if test_speakers != {name}:
            raise Hint(
                "fold {index} should test speaker {name!r} (sorted order), got {test_speakers}.",
                index=sorted(names).index(name),
                name=name,
                test_speakers=sorted(test_speakers),
            )
        if sorted(np.r_[train, test].tolist()) != list(range(len(speakers))):
            raise Hint("in every fold each row must be either in training or in test, once.")
        if name in set(speakers[train]):
            raise Hint("speaker {name!r} is on both sides of their own fold.", name=name)


@checker("ch9-train-statistics", "standardise_bands(train, test): statistics of training data only")
def _ch9_train_statistics(fn):
    rng = np.random.default_rng(90)
    train = rng.normal(2.0, 3.0, (40, 12, 5))
    test = rng.normal(-1.0, 0.5, (25, 12, 5))
    out = call(fn, train.copy(), test.copy())
    if not isinstance(out, tuple) or len(out) != 2:
        raise Hint("return a pair: (standardised train, standardised test).")
    got_train, got_test = (np.asarray(x, dtype=float) for x in out)
    want_train, want_test = standardise_bands(train, test)
    if got_train.shape != train.shape or got_test.shape != test.shape:
        raise Hint(
            "keep the shapes: got {got_train_shape} and {got_test_shape}.",
            got_train_shape=got_train.shape,
            got_test_shape=got_test.shape,
        )
    if np.allclose(got_train, want_train) and np.allclose(got_test, want_test):
        return
    both = np.concatenate([train, test])
    m, s = both.mean(axis=(0, 1)), both.std(axis=(0, 1))
    if np.allclose(got_test, (test - m) / s):
        raise Hint(
            "the statistics still include the test features, so the test set shapes the "
            "preprocessing. Compute the mean and standard deviation from `train` only."
        )
    if np.allclose(got_test, (test - test.mean(axis=(0, 1))) / test.std(axis=(0, 1))):
        raise Hint(
            "each set is standardised with its own statistics; the test set must use the "
            "training set's mean and standard deviation."
        )
    if np.allclose(got_train, (train - train.mean()) / train.std()):
        raise Hint("standardise each band (the last axis) separately: average over axes (0, 1).")
    raise Hint("expected (x - mean) / std per band, with the training set's mean and std.")


@checker("ch9-product-fusion", "fuse(p_audio, p_image, prior): p(y | a, v) under independence")
def _ch9_product_fusion(fn):
    rng = np.random.default_rng(91)
    p_a = rng.dirichlet(np.ones(4), 30)
    p_v = rng.dirichlet(np.ones(4), 30)
    prior = np.array([0.55, 0.25, 0.15, 0.05])
    got = np.asarray(call(fn, p_a.copy(), p_v.copy(), prior.copy()), dtype=float)
    want = fuse(p_a, p_v, prior)
    if got.shape != want.shape:
        raise Hint(
            "return one row of class probabilities per example, shape {want_shape}.", want_shape=want.shape
        )
    if np.allclose(got, want, atol=1e-6):
        return
    product = p_a * p_v
    if np.allclose(got, product / product.sum(axis=1, keepdims=True), atol=1e-6):
        raise Hint(
            "the prior is counted twice: each model's probabilities already contain it. "
            "Divide the product by the prior once, then renormalise."
        )
    if np.allclose(got, product / prior, atol=1e-6) or np.allclose(got, product, atol=1e-6):
        raise Hint("renormalise each row so that it sums to 1.")
    if np.allclose(got, (p_a + p_v) / 2, atol=1e-6):
        raise Hint(
            "that is the average of the two models. Under independence the evidence "
            "multiplies: use the product of the probabilities, divided by the prior."
        )
    raise Hint("expected p_audio * p_image / prior, each row divided by its sum.")
