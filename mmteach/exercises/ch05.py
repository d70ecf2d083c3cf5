"""The Chapter 5 exercises: their checkers and reference answers.

Checkers are registered with :func:`mmteach.exercises.checker`; each reference answer is
written once here, registered with :func:`mmteach.exercises.reference`, and shown verbatim in
the chapter's hidden solution cell.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression

from mmteach import metrics
from mmteach.exercises import Hint, NotAttempted, _close, _is_stub, call, checker, reference  # noqa: F401


@reference("ch5-balanced-accuracy")
def balanced_accuracy(y_true, y_pred, n_classes):
    recalls = [np.mean(y_pred[y_true == c] == c) for c in range(n_classes)]
    return float(np.mean(recalls))


@checker("ch5-balanced-accuracy", "balanced_accuracy(y_true, y_pred, n_classes): mean recall")
def _ch5_balanced_accuracy(fn):
    from mmteach.metrics import accuracy, precision_score, recall_score

    rng = np.random.default_rng(5)
    y_true = rng.choice(4, 300, p=[0.7, 0.1, 0.1, 0.1])
    cases = [
        (y_true, np.zeros_like(y_true)),  # a constant predictor
        (y_true, np.where(rng.random(300) < 0.7, y_true, rng.integers(0, 4, 300))),
        (np.array([0, 0, 0, 1, 1, 2, 3]), np.array([0, 0, 1, 1, 1, 2, 0])),
    ]
    for t, p in cases:
        got = call(fn, t.copy(), p.copy(), 4)
        want = recall_score(t, p, n_classes=4)
        if _close(got, want):
            continue
        if _close(got, accuracy(t, p)):
            raise Hint(
                "that is plain accuracy, which the frequent class dominates. Compute the "
                "recall of each class (correct / number of scenes that truly are that class), "
                "then take the plain mean over classes."
            )
        if _close(got, precision_score(t, p, n_classes=4)):
            raise Hint(
                "you divided by how often each class was *predicted* (that is precision). "
                "Recall divides by how many scenes truly are the class: the rows of the "
                "confusion matrix."
            )
        raise Hint("for a test case expected {want:.4f}, got {got!r}.", want=want, got=got)


def _as_positions(out):
    if not isinstance(out, tuple) or len(out) != 2:
        raise Hint("return a pair: (train_index, test_index), two arrays of row positions.")
    train, test = (np.asarray(x) for x in out)
    if train.dtype == bool and test.dtype == bool:
        train, test = np.flatnonzero(train), np.flatnonzero(test)
    if not (np.issubdtype(train.dtype, np.integer) and np.issubdtype(test.dtype, np.integer)):
        raise Hint("return integer row positions (like np.flatnonzero(mask)), not the ids.")
    return train, test


@reference("ch5-group-split")
def group_split(scene_ids, test_fraction, seed):
    rng = np.random.default_rng(seed)
    unique = rng.permutation(np.unique(scene_ids))
    test_ids = unique[: int(round(test_fraction * len(unique)))]
    is_test = np.isin(scene_ids, test_ids)
    return np.flatnonzero(~is_test), np.flatnonzero(is_test)


@checker("ch5-group-split", "group_split(scene_ids, test_fraction, seed): no scene on both sides")
def _ch5_group_split(fn):
    rng = np.random.default_rng(11)
    unique = np.array([f"S{i:03d}" for i in range(60)], dtype=object)
    ids = unique[rng.integers(0, 60, 240)]  # each scene appears about four times
    train, test = _as_positions(call(fn, ids.copy(), 0.25, 0))
    if len(np.intersect1d(train, test)) or sorted(np.r_[train, test].tolist()) != list(range(len(ids))):
        raise Hint("every row must go to exactly one side: train or test, once.")
    shared = set(ids[train]) & set(ids[test])
    if shared:
        raise Hint(
            "{n_shared} scenes have copies on both sides (e.g. {example}), so "
            "the test set quizzes the model on scenes it has seen. Shuffle the *unique* "
            "scene ids, put a fraction of them in the test set, then send every row to the "
            "side of its id (np.isin helps).",
            n_shared=len(shared),
            example=sorted(shared)[0],
        )
    n_test_ids, n_ids = len(set(ids[test])), len(set(ids))
    if abs(n_test_ids - 0.25 * n_ids) > 1.5:
        raise Hint(
            "test_fraction=0.25 of the {n_ids} scenes should be in the test set, got "
            "{n_test_ids}: take the fraction of unique ids, not of rows.",
            n_ids=n_ids,
            n_test_ids=n_test_ids,
        )
    _, test_again = _as_positions(call(fn, ids.copy(), 0.25, 0))
    if not np.array_equal(np.sort(test_again), np.sort(test)):
        raise Hint("the same seed must give the same split: build the generator from `seed`.")


@reference("ch5-recall-at-k")
def recall_at_k(similarity, k):
    top_k = np.argsort(-similarity, axis=1)[:, :k]
    hits = [i in top_k[i] for i in range(len(similarity))]
    return float(np.mean(hits))


@checker("ch5-recall-at-k", "recall_at_k(similarity, k): rows are queries, diagonal positives")
def _ch5_recall_at_k(fn):
    from mmteach.metrics import recall_at_k

    rng = np.random.default_rng(8)
    s = rng.standard_normal((40, 40)) + 2.0 * np.eye(40)
    s[:, :4] += 2.5  # four popular candidates: the two directions then differ
    for k in (1, 3, 10):
        got = call(fn, s.copy(), k)
        want = recall_at_k(s, k)
        if _close(got, want):
            continue
        if _close(got, recall_at_k(-s, k)):
            raise Hint(
                "np.argsort sorts from the smallest value up, so the first k columns are "
                "the k *least* similar candidates. Sort by -similarity, or take the last k."
            )
        if _close(got, recall_at_k(s.T, k)):
            raise Hint(
                "you ranked along the wrong axis: each row is a query, so rank the "
                "candidates across the columns of that row (axis=1)."
            )
        if k < 40 and _close(got, recall_at_k(s, k + 1)):
            raise Hint("off by one: the top k are positions 0 .. k-1 of the ranking.")
        raise Hint("for k={k} expected {want:.4f}, got {got!r}.", k=k, want=want, got=got)


# --- ch5-train-score: find the bug (scored on the data it was fitted on) ------------------------


@reference("ch5-train-score")
def held_out_accuracy(model, x_train, y_train, x_test, y_test):
    model.fit(x_train, y_train)
    return metrics.accuracy(y_test, model.predict(x_test))


@checker(
    "ch5-train-score",
    "held_out_accuracy(model, x_train, y_train, x_test, y_test): fit on train, score on test",
)
def _ch5_train_score(fn):
    from sklearn.base import clone
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(15)
    centres = rng.normal(0, 2.0, (3, 5))
    y = rng.integers(0, 3, 400)
    x = centres[y] + rng.normal(0, 1.5, (400, 5))
    y = np.where(rng.random(400) < 0.2, rng.integers(0, 3, 400), y)  # noisy labels
    x_train, y_train, x_test, y_test = x[:300], y[:300], x[300:], y[300:]
    from threadpoolctl import threadpool_limits

    for model in (LogisticRegression(max_iter=500), KNeighborsClassifier(n_neighbors=1)):
        with threadpool_limits(1):
            got = call(fn, clone(model), x_train.copy(), y_train.copy(), x_test.copy(), y_test.copy())
        honest = clone(model).fit(x_train, y_train)
        want = metrics.accuracy(y_test, honest.predict(x_test))
        if _close(got, want):
            continue
        if _close(got, metrics.accuracy(y_train, honest.predict(x_train))):
            raise Hint(
                "that is the score on the training data, which the model has fitted, noise "
                "included (a 1-nearest-neighbour model scores 100% there). Score the "
                "predictions for x_test against y_test."
            )
        both = clone(model).fit(np.vstack([x_train, x_test]), np.r_[y_train, y_test])
        if _close(got, metrics.accuracy(y_test, both.predict(x_test))):
            raise Hint("the model was fitted on the test rows too: fit on x_train, y_train only.")
        raise Hint("expected the accuracy on the test rows, {want:.4f}, got {got!r}.", want=want, got=got)


# --- ch5-ceiling-model: a model scored against the realised Bayes ceiling ------------------------


@reference("ch5-ceiling-model")
def train_colour_model(x_train, y_train):
    def stacked(x):
        return np.hstack([x[m] for m in sorted(x)])

    model = LogisticRegression(C=0.1, max_iter=300)
    model.fit(stacked(x_train), y_train)
    return lambda x: model.predict(stacked(x))


def colour_features(train, *others):
    """The features of Section 5.2, standardised with the training split's statistics."""
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(token_pattern=r"[a-z]+").fit(train.captions)

    def raw(s):
        n = len(s)
        image = s.images.reshape(n, 8, 4, 8, 4, 3).mean(axis=(2, 4)).reshape(n, -1)
        spectrum = np.abs(np.fft.rfft(s.sounds, axis=1))[:, :1000]
        sound = np.log1p(spectrum.reshape(n, 125, 8).mean(axis=2))
        table = s.table[["area_cm2", "x_px", "y_px"]].to_numpy(dtype=float)
        missing = np.isnan(table)
        table = np.hstack([np.nan_to_num(table - np.array([100.0, 16.0, 16.0])), missing])
        caption = vectorizer.transform(s.captions).toarray()
        return {"image": image, "caption": caption, "sound": sound, "table": table}

    train_raw = raw(train)
    mean = {m: x.mean(axis=0) for m, x in train_raw.items()}
    std = {m: x.std(axis=0) + 1e-6 for m, x in train_raw.items()}
    return [
        {m: ((x - mean[m]) / std[m]).astype("float32") for m, x in raw(s).items()} for s in (train, *others)
    ]


def _colour_task():
    from mmteach.datasets import make_scenes

    scenes = make_scenes(3500, seed=31)
    train, test = scenes.subset(np.arange(2000)), scenes.subset(np.arange(2000, 3500))
    x_train, x_test = colour_features(train, test)
    return x_train, train.labels["colour"].to_numpy(), x_test, test


CEILING_MARGIN = 0.02


@checker(
    "ch5-ceiling-model",
    "train_colour_model(x_train, y_train): a predict(x) within 2 points of the realised ceiling",
)
def _ch5_ceiling_model(fn):
    from threadpoolctl import threadpool_limits

    x_train, y_train, x_test, test = _colour_task()
    with threadpool_limits(1):  # small models: one BLAS thread is fastest
        predict = call(fn, {m: x.copy() for m, x in x_train.items()}, y_train.copy())
    if not callable(predict):
        raise Hint("return a function: predict(x) -> one colour (0-3) per scene of the dict x.")
    y_test = test.labels["colour"].to_numpy()
    with threadpool_limits(1):
        pred = np.asarray(call(predict, {m: x.copy() for m, x in x_test.items()})).ravel()
    if pred.shape != y_test.shape:
        raise Hint(
            "predict(x) must return one colour per scene: {n_y_test}, got {pred_shape}.",
            n_y_test=len(y_test),
            pred_shape=pred.shape,
        )
    accuracy = metrics.accuracy(y_test, pred)
    ceiling = test.realised_ceiling("colour", ["image", "caption", "sound", "table"])
    if accuracy >= ceiling - CEILING_MARGIN:
        return
    if accuracy < 0.5:  # chance is 25%
        raise Hint(
            "accuracy {accuracy:.1%} against a realised ceiling of {ceiling:.1%}, near chance "
            "(25%): does the model learn at all? Try a logistic regression on all the features.",
            accuracy=accuracy,
            ceiling=ceiling,
        )
    for m in ("image", "caption", "sound"):
        others = [o for o in ("image", "caption", "sound") if o != m]
        alone = ~test.silent[m]["colour"].to_numpy() & np.all(
            [test.silent[o]["colour"].to_numpy() for o in others], axis=0
        )
        if alone.sum() and np.mean(pred[alone] != y_test[alone]) > 0.5:
            raise Hint(
                "accuracy {accuracy:.1%} against a realised ceiling of {ceiling:.1%}; on the "
                "{n_alone} scenes where only the {m} tells the colour, your model is "
                "wrong more often than right: does it read the {m} at all?",
                accuracy=accuracy,
                ceiling=ceiling,
                n_alone=int(alone.sum()),
                m=m,
            )
    raise Hint(
        "accuracy {accuracy:.1%} is more than {margin:.0%} below the realised ceiling of "
        "{ceiling:.1%} on the checker's {n_y_test} test scenes: use every modality that "
        "carries colour (a logistic regression on all of them side by side gets there).",
        accuracy=accuracy,
        margin=CEILING_MARGIN,
        ceiling=ceiling,
        n_y_test=len(y_test),
    )
