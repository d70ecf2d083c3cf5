"""The Chapter 2 exercises: their checkers and reference answers.

Checkers are registered with :func:`mmteach.exercises.checker`; each reference answer is
written once here, registered with :func:`mmteach.exercises.reference`, and shown verbatim in
the chapter's hidden solution cell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from mmteach import preprocessing
from mmteach.exercises import Hint, NotAttempted, _close, _is_stub, call, checker, reference  # noqa: F401

# --- ch2-standardize -------------------------------------------------------------------------


@reference("ch2-standardize")
def standardize(train, other):
    mean, std = train.mean(axis=0), train.std(axis=0)
    return (train - mean) / std, (other - mean) / std


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
            "shapes changed: train {train_shape} -> {got_train_shape}, "
            "other {other_shape} -> {got_other_shape}; standardise element by element.",
            train_shape=train.shape,
            got_train_shape=got_train.shape,
            other_shape=other.shape,
            got_other_shape=got_other.shape,
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


# --- ch2-caption-ids -------------------------------------------------------------------------


@reference("ch2-caption-ids")
def encode(caption, vocabulary, max_len):
    index = {word: i for i, word in enumerate(vocabulary)}
    words = preprocessing.CaptionVectorizer.tokenize(caption)
    ids = [index.get(word, 1) for word in words][:max_len]
    return ids + [0] * (max_len - len(ids))


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
            raise Hint("return a list of integer ids, got {got!r}", got=got) from None
        if got == want:
            continue
        if len(got) != max_len:
            if len(got) > max_len:
                raise Hint(
                    "{caption!r} gave {n_got} ids for max_len={max_len}: cut longer captions to max_len ids.",
                    caption=caption,
                    n_got=len(got),
                    max_len=max_len,
                )
            raise Hint(
                "{caption!r} gave {n_got} ids: pad with 0 (the padding id) up to max_len="
                "{max_len}, so every caption has the same length.",
                caption=caption,
                n_got=len(got),
                max_len=max_len,
            )
        if "purple" in caption and got[1] == 0:
            raise Hint("an unknown word gets id 1 ([UNK]), not 0: 0 means 'no word here' (padding).")
        if caption.startswith("A big"):
            raise Hint(
                "lower-case the caption and strip punctuation before looking words up "
                "(CaptionVectorizer.tokenize does both): 'A' -> 'a', 'top-left' -> 'topleft'."
            )
        raise Hint(
            "encode({caption!r}, vocabulary, {max_len}) should be {want}, got {got}.",
            caption=caption,
            max_len=max_len,
            want=want,
            got=got,
        )


# --- ch2-fuse: frames keyed by scene_id, in different orders ----------------------------------


@reference("ch2-fuse")
def fuse(table_x, caption_x):
    captions_in_table_order = caption_x.loc[table_x.index]
    return np.hstack((table_x.to_numpy(), captions_in_table_order.to_numpy()))


def _keyed_frames(rng, n, extra):
    ids = pd.Index([f"S{i:03d}" for i in range(n)], name="scene_id")
    table_x = pd.DataFrame(rng.normal(size=(n, 3)), index=ids, columns=["t0", "t1", "t2"])
    caption_ids = ids.append(pd.Index([f"X{i:03d}" for i in range(extra)], name="scene_id"))
    caption_x = pd.DataFrame(
        rng.normal(size=(n + extra, 3)) + 10, index=caption_ids, columns=["w0", "w1", "w2"]
    )
    return table_x, caption_x.sample(frac=1.0, random_state=int(rng.integers(1 << 30)))


@checker("ch2-fuse", "fuse(table_x, caption_x): each table row beside the caption of the same scene_id")
def _ch2_fuse(fn):
    rng = np.random.default_rng(4)
    for extra in (0, 3):  # the same scenes in another order; then 3 captions of other scenes too
        table_x, caption_x = _keyed_frames(rng, 30, extra)
        out = call(fn, table_x.copy(), caption_x.copy())
        got = np.asarray(out, dtype=float)
        want = np.hstack((table_x.to_numpy(), caption_x.loc[table_x.index].to_numpy()))
        if got.shape != want.shape:
            if got.shape[0] != want.shape[0]:
                raise Hint(
                    "expected one row per table row ({n_table_x}), got shape {got_shape}: "
                    "the labels follow the table, so keep its rows and their order.",
                    n_table_x=len(table_x),
                    got_shape=got.shape,
                )
            raise Hint(
                "expected shape {want_shape} (table + caption features), got {got_shape}.",
                want_shape=want.shape,
                got_shape=got.shape,
            )
        table_np = table_x.to_numpy()
        if np.allclose(got, np.hstack((table_np, table_np))):
            raise Hint(
                "the table is stacked next to itself: the captions never reach the model. "
                "Each modality must appear once."
            )
        if np.allclose(got, want):
            continue
        if extra == 0 and np.allclose(got, np.hstack((table_np, caption_x.to_numpy()))):
            raise Hint(
                "the rows are paired by position, but caption_x lists the scenes in another "
                "order: row i of the table meets the caption of some other scene. Look each "
                "table scene's caption up by its scene_id (the index), e.g. "
                "caption_x.loc[table_x.index]."
            )
        if np.allclose(got[:, :3], want[:, 3:]) and np.allclose(got[:, 3:], want[:, :3]):
            raise Hint("put the table features first, then the caption features.")
        if np.allclose(np.sort(got, axis=0), np.sort(want, axis=0)):
            raise Hint("the right rows, in another order: keep the table's order, which the labels follow.")
        raise Hint("each row must hold that scene's table features and then its caption features.")


# --- ch2-leaky-scaler: find the bug (a scaler fitted before the split) --------------------------


@reference("ch2-leaky-scaler")
def scale_and_split(features, labels):
    split = train_test_split(features, labels, test_size=0.2, random_state=0)
    x_train, x_test, y_train, y_test = split
    scaler = StandardScaler().fit(x_train)  # the training rows only
    return scaler.transform(x_train), scaler.transform(x_test), y_train, y_test


@checker("ch2-leaky-scaler", "scale_and_split(features, labels): split first, scaler fitted on train")
def _ch2_leaky_scaler(fn):
    rng = np.random.default_rng(12)
    features = rng.normal([5.0, -3.0, 100.0], [2.0, 0.5, 30.0], size=(120, 3))
    features[:20] *= 3  # a few extreme rows: where they land changes the statistics
    labels = np.arange(len(features))  # each row's label is its own number: the checker can find it
    out = call(fn, features.copy(), labels.copy())
    if not isinstance(out, tuple | list) or len(out) != 4:
        raise Hint("return four arrays: x_train, x_test, y_train, y_test.")
    x_train, x_test = (np.asarray(a, dtype=float) for a in out[:2])
    y_train, y_test = (np.asarray(a).astype(int).ravel() for a in out[2:])
    if sorted(np.r_[y_train, y_test].tolist()) != labels.tolist():
        raise Hint("every row must land in exactly one split, once.")
    if x_train.shape != (len(y_train), 3) or x_test.shape != (len(y_test), 3):
        raise Hint("x_train and x_test must have one row per label of their split, 3 columns.")
    if not 0.1 <= len(y_test) / len(labels) <= 0.3:
        raise Hint(
            "keep test_size=0.2: the test split holds {n_y_test} of {n_labels} rows.",
            n_y_test=len(y_test),
            n_labels=len(labels),
        )
    raw_train, raw_test = features[y_train], features[y_test]

    def close(a, b):
        return np.allclose(a, b, rtol=1e-3, atol=1e-3)

    def z(x, ref):
        return (x - ref.mean(axis=0)) / ref.std(axis=0)

    if close(x_train, z(raw_train, raw_train)) and close(x_test, z(raw_test, raw_train)):
        return
    if close(x_test, z(raw_test, features)) or close(x_train, z(raw_train, features)):
        raise Hint(
            "the scaler was fitted on all rows before the split: its mean and standard deviation "
            "have seen the test rows. Split first, then fit the scaler on x_train only and "
            "transform both splits with it."
        )
    if close(x_test, z(raw_test, raw_test)):
        raise Hint(
            "x_test was scaled with its own statistics (a second fit): transform it with the "
            "scaler fitted on x_train."
        )
    if close(x_train, raw_train):
        raise Hint("the features are not scaled: fit a StandardScaler on x_train, transform both.")
    raise Hint("expected StandardScaler().fit(x_train), then transform of x_train and x_test.")


# --- ch2-size-model: a model trained on messy data, scored against its ceiling ------------------


@reference("ch2-size-model")
def train_size_model(train_table, train_size):
    threshold = 10 * train_table["area_cm2"].median()  # fitted on train

    def repaired(table):  # areas typed in mm² are 100 times too large
        area = table["area_cm2"]
        return table.assign(area_cm2=area.where(area <= threshold, area / 100))

    prep = preprocessing.TablePreprocessor().fit(repaired(train_table))
    x_train = prep.transform(repaired(train_table))
    model = LogisticRegression(max_iter=1000).fit(x_train, train_size)
    return lambda table: model.predict(prep.transform(repaired(table)))


def _size_task():
    from mmteach.datasets import make_scenes

    train = make_scenes(1500, seed=21, messy=True)
    test = make_scenes(2000, seed=22, messy=True)
    return train, test


def size_model_report(predict, test):
    """Accuracy of ``predict`` on ``test`` beside the realised ceiling of the table for size."""
    y = test.labels["size"].to_numpy()
    pred = np.asarray(call(predict, test.table.copy())).ravel()
    if pred.shape != y.shape:
        raise Hint(
            "predict(table) must return one size per row: {n_y} rows, got shape {pred_shape}.",
            n_y=len(y),
            pred_shape=pred.shape,
        )
    speaks = test.table["area_cm2"].notna().to_numpy()  # a missing area says nothing
    ceiling = speaks.mean() + (1 - speaks.mean()) / 2
    return float(np.mean(pred == y)), float(ceiling), pred


@checker(
    "ch2-size-model",
    "train_size_model(train_table, train_size): a predict(table) within 1 point of the ceiling",
)
def _ch2_size_model(fn):
    from threadpoolctl import threadpool_limits

    train, test = _size_task()
    with threadpool_limits(1):  # small models: one BLAS thread is fastest
        predict = call(fn, train.table.copy(), train.labels["size"].to_numpy())
    if not callable(predict):
        raise Hint("return a function: predict(table) -> one size label (0 or 1) per row.")
    with threadpool_limits(1):
        accuracy, ceiling, pred = size_model_report(predict, test)
    if accuracy >= ceiling - 0.01:
        return
    y = test.labels["size"].to_numpy()
    unit = test.defect_flags["outlier"].to_numpy()
    wrong_unit = int(np.sum(pred[unit] != y[unit]))
    error_elsewhere = float(np.mean(pred[~unit] != y[~unit]))
    if wrong_unit > (error_elsewhere + 0.1) * unit.sum():  # the errors gather on those rows
        raise Hint(
            "accuracy {accuracy:.1%} against a ceiling of {ceiling:.1%}: {wrong_unit} of the "
            "{n_unit_rows} test rows whose area was typed in mm² (100 times too large) are "
            "wrong. Repair them in predict too, with a threshold fitted on the training table "
            "(Section 2.2).",
            accuracy=accuracy,
            ceiling=ceiling,
            wrong_unit=wrong_unit,
            n_unit_rows=int(unit.sum()),
        )
    raise Hint(
        "accuracy {accuracy:.1%} is more than 1 point below the ceiling of {ceiling:.1%} "
        "(what the table's areas allow on these test rows). Repair the unit errors, impute and "
        "standardise with statistics of the training table, then fit a classifier on area_cm2.",
        accuracy=accuracy,
        ceiling=ceiling,
    )
