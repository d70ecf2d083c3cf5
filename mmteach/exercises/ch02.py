"""The Chapter 2 exercises: their checkers (registered with :func:`mmteach.exercises.checker`)."""

from __future__ import annotations

import numpy as np

from mmteach.exercises import Hint, NotAttempted, _close, _is_stub, call, checker  # noqa: F401


@checker("ch2-standardize", "standardize(train, other): statistics from the training split only")
def _ch2_standardize(fn):
    rng = np.random.default_rng(2)
    train = rng.normal([5.0, -3.0, 100.0], [2.0, 0.5, 30.0], size=(200, 3))
    other = rng.normal([8.0, -1.0, 160.0], [4.0, 1.0, 60.0], size=(60, 3))  # a shifted split
    out = call(fn, train.copy(), other.copy())
    if not isinstance(out, tuple) or len(out) != 2:
        raise Hint("return a pair: (train_standardized, other_standardized).")
    got_train, got_other = (np.asarray(a, dtype=float) for a in out)
    if got_train.shape != train.shape or got_other.shape != other.shape:
        raise Hint(
            f"shapes changed: train {train.shape} -> {got_train.shape}, "
            f"other {other.shape} -> {got_other.shape}; standardise element by element."
        )

    def z(x, ref, axis=0):
        return (x - ref.mean(axis=axis)) / ref.std(axis=axis)

    def close(a, b):  # std with ddof=0 or ddof=1 both pass
        return np.allclose(a, b, rtol=1e-2, atol=1e-2)

    if close(got_train, z(train, train)) and close(got_other, z(other, train)):
        return
    both = np.concatenate([train, other])
    if close(got_other, z(other, both)):
        raise Hint(
            "the mean and standard deviation came from train and other together: the held-out "
            "split leaked into the statistics. Compute them from `train` alone."
        )
    if close(got_other, z(other, other)):
        raise Hint(
            "`other` was standardised with its own statistics (a second fit): use the training "
            "mean and standard deviation for every split, as a deployed model would."
        )
    if close(got_train, z(train, train, axis=None)):
        raise Hint("use one mean and one standard deviation per column: reduce over axis=0.")
    if close(got_train, z(train, train)):
        raise Hint("`train` is right; transform `other` with the same (training) statistics.")
    raise Hint("expected (x - train.mean(axis=0)) / train.std(axis=0) for both splits.")


@checker("ch2-caption-ids", "encode(caption, vocabulary, max_len): ids with [UNK]=1 and padding 0")
def _ch2_caption_ids(fn):
    vocabulary = ["", "[UNK]", "a", "red", "circle", "in", "the", "topleft", "big"]
    cases = [
        ("a red circle", 5, [2, 3, 4, 0, 0]),
        ("a purple circle", 4, [2, 1, 4, 0]),
        ("A big RED circle in the top-left", 6, [2, 8, 3, 4, 5, 6]),
        ("", 3, [0, 0, 0]),
    ]
    for caption, max_len, want in cases:
        got = call(fn, caption, list(vocabulary), max_len)
        try:
            got = [int(i) for i in np.asarray(got).ravel()]
        except (TypeError, ValueError):
            raise Hint(f"return a list of integer ids, got {got!r}") from None
        if got == want:
            continue
        if len(got) != max_len:
            if len(got) > max_len:
                raise Hint(
                    f"{caption!r} gave {len(got)} ids for max_len={max_len}: cut longer "
                    "captions to max_len ids."
                )
            raise Hint(
                f"{caption!r} gave {len(got)} ids: pad with 0 (the padding id) up to max_len="
                f"{max_len}, so every caption has the same length."
            )
        if "purple" in caption and got[1] == 0:
            raise Hint("an unknown word gets id 1 ([UNK]), not 0: 0 means 'no word here' (padding).")
        if caption.startswith("A big"):
            raise Hint(
                "lower-case the caption and strip punctuation before looking words up "
                "(CaptionVectorizer.tokenize does both): 'A' -> 'a', 'top-left' -> 'topleft'."
            )
        raise Hint(f"encode({caption!r}, vocabulary, {max_len}) should be {want}, got {got}.")


@checker("ch2-fuse", "fuse(table_x, caption_x): both modalities side by side, rows aligned")
def _ch2_fuse(fn):
    rng = np.random.default_rng(4)
    table_x = rng.normal(size=(30, 4)).astype(np.float32)
    caption_x = rng.normal(size=(30, 4)).astype(np.float32) + 10  # same width: shape can't tell
    out = call(fn, table_x.copy(), caption_x.copy())
    got = np.asarray(out)
    want = np.hstack((table_x, caption_x))
    if got.shape != want.shape:
        if got.shape == (60, 4):
            raise Hint("that stacks rows (more scenes); fusion puts features side by side: axis=1.")
        raise Hint(f"expected shape {want.shape} (n, table + caption features), got {got.shape}.")
    if np.allclose(got, np.hstack((table_x, table_x))) or np.allclose(
        got, np.hstack((caption_x, caption_x))
    ):
        raise Hint(
            "one modality is stacked next to itself: the other never reaches the model. "
            "Each modality must appear once."
        )
    if np.allclose(got, np.hstack((caption_x, table_x))):
        raise Hint("put the table features first, then the caption features.")
    if not np.allclose(got, want):
        raise Hint("each row must hold that scene's table features and then its caption features.")
    try:
        call(fn, table_x, caption_x[:-1])
    except ValueError:
        return
    except (NotAttempted, Hint):
        raise
    except Exception as err:
        raise Hint(
            f"mismatched row counts raised {type(err).__name__}; raise a ValueError instead."
        ) from None
    raise Hint(
        "30 table rows and 29 caption rows were fused without complaint: rows of different "
        "lengths cannot describe the same scenes, so raise a ValueError."
    )
