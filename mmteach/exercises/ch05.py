"""The Chapter 5 exercises: their checkers (registered with :func:`mmteach.exercises.checker`)."""

from __future__ import annotations

import numpy as np

from mmteach.exercises import Hint, NotAttempted, _close, _is_stub, call, checker  # noqa: F401


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
        raise Hint(f"for a test case expected {want:.4f}, got {got!r}.")


def _as_positions(out):
    if not isinstance(out, tuple) or len(out) != 2:
        raise Hint("return a pair: (train_index, test_index), two arrays of row positions.")
    train, test = (np.asarray(x) for x in out)
    if train.dtype == bool and test.dtype == bool:
        train, test = np.flatnonzero(train), np.flatnonzero(test)
    if not (np.issubdtype(train.dtype, np.integer) and np.issubdtype(test.dtype, np.integer)):
        raise Hint("return integer row positions (like np.flatnonzero(mask)), not the ids.")
    return train, test


@checker("ch5-group-split", "group_split(scene_ids, test_fraction, seed): no scene on both sides")
def _ch5_group_split(fn):
    rng = np.random.default_rng(11)
    unique = np.array([f"S{i:03d}" for i in range(60)], dtype=object)
    ids = unique[rng.integers(0, 60, 240)]  # each scene appears about four times
    train, test = _as_positions(call(fn, ids.copy(), 0.25, 0))
    if len(np.intersect1d(train, test)) or sorted(np.r_[train, test].tolist()) != list(
        range(len(ids))
    ):
        raise Hint("every row must go to exactly one side: train or test, once.")
    shared = set(ids[train]) & set(ids[test])
    if shared:
        raise Hint(
            f"{len(shared)} scenes have copies on both sides (e.g. {sorted(shared)[0]}), so "
            "the test set quizzes the model on scenes it has seen. Shuffle the *unique* "
            "scene ids, put a fraction of them in the test set, then send every row to the "
            "side of its id (np.isin helps)."
        )
    n_test_ids, n_ids = len(set(ids[test])), len(set(ids))
    if abs(n_test_ids - 0.25 * n_ids) > 1.5:
        raise Hint(
            f"test_fraction=0.25 of the {n_ids} scenes should be in the test set, got "
            f"{n_test_ids}: take the fraction of unique ids, not of rows."
        )
    _, test_again = _as_positions(call(fn, ids.copy(), 0.25, 0))
    if not np.array_equal(np.sort(test_again), np.sort(test)):
        raise Hint("the same seed must give the same split: build the generator from `seed`.")


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
        raise Hint(f"for k={k} expected {want:.4f}, got {got!r}.")
