"""The Chapter 5 checkers accept the reference solutions and reject plausible wrong answers."""

import numpy as np
import pytest

from mmteach import exercises


def balanced_accuracy(y_true, y_pred, n_classes):
    recalls = [np.mean(y_pred[y_true == c] == c) for c in range(n_classes)]
    return float(np.mean(recalls))


def plain_accuracy(y_true, y_pred, n_classes):
    return float(np.mean(y_true == y_pred))


def mean_precision(y_true, y_pred, n_classes):
    out = []
    for c in range(n_classes):
        predicted = y_pred == c
        out.append(np.mean(y_true[predicted] == c) if predicted.any() else 0.0)
    return float(np.mean(out))


def group_split(scene_ids, test_fraction, seed):
    rng = np.random.default_rng(seed)
    unique = rng.permutation(np.unique(scene_ids))
    test_ids = unique[: int(round(test_fraction * len(unique)))]
    is_test = np.isin(scene_ids, test_ids)
    return np.flatnonzero(~is_test), np.flatnonzero(is_test)


def group_split_masks(scene_ids, test_fraction, seed):
    train, test = group_split(scene_ids, test_fraction, seed)
    mask = np.zeros(len(scene_ids), bool)
    mask[test] = True
    return ~mask, mask


def row_split(scene_ids, test_fraction, seed):  # the bug in the notebook
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(scene_ids))
    n_test = int(round(test_fraction * len(scene_ids)))
    return order[n_test:], order[:n_test]


def group_split_wrong_fraction(scene_ids, test_fraction, seed):
    return group_split(scene_ids, 0.5, seed)


def group_split_unseeded(scene_ids, test_fraction, seed):
    return group_split(scene_ids, test_fraction, int(np.random.default_rng().integers(1 << 30)))


def group_split_loses_rows(scene_ids, test_fraction, seed):
    train, test = group_split(scene_ids, test_fraction, seed)
    return train[1:], test


def group_split_returns_ids(scene_ids, test_fraction, seed):
    train, test = group_split(scene_ids, test_fraction, seed)
    return scene_ids[train], scene_ids[test]


def _recall(similarity, k, flip=False, transpose=False, extra=0):
    s = -similarity if flip else similarity
    s = s.T if transpose else s
    top = np.argsort(-s, axis=1)[:, : k + extra]
    return float(np.mean([i in top[i] for i in range(len(s))]))


def recall_at_k(similarity, k):
    return _recall(similarity, k)


def stub(*args):
    ...


def stub_raises(*args):
    raise NotImplementedError


@pytest.mark.parametrize(
    "exercise, answer",
    [
        ("ch5-balanced-accuracy", balanced_accuracy),
        ("ch5-group-split", group_split),
        ("ch5-group-split", group_split_masks),
        ("ch5-recall-at-k", recall_at_k),
    ],
)
def test_reference_solutions_pass(exercise, answer):
    result = exercises.check(exercise, answer, quiet=True)
    assert result.passed, result.message


@pytest.mark.parametrize(
    "exercise, answer, hint",
    [
        ("ch5-balanced-accuracy", plain_accuracy, "plain accuracy"),
        ("ch5-balanced-accuracy", mean_precision, "that is precision"),
        ("ch5-balanced-accuracy", lambda t, p, k: 0.5, "expected"),
        ("ch5-group-split", row_split, "copies on both sides"),
        ("ch5-group-split", group_split_wrong_fraction, "fraction of unique ids"),
        ("ch5-group-split", group_split_unseeded, "same seed"),
        ("ch5-group-split", group_split_loses_rows, "exactly one side"),
        ("ch5-group-split", group_split_returns_ids, "integer row positions"),
        ("ch5-group-split", lambda ids, f, s: ids, "return a pair"),
        ("ch5-recall-at-k", lambda s, k: _recall(s, k, flip=True), "smallest value up"),
        ("ch5-recall-at-k", lambda s, k: _recall(s, k, transpose=True), "wrong axis"),
        ("ch5-recall-at-k", lambda s, k: _recall(s, k, extra=1), "off by one"),
        ("ch5-recall-at-k", lambda s, k: 1.0, "expected"),
    ],
)
def test_wrong_answers_get_the_hint(exercise, answer, hint):
    result = exercises.check(exercise, answer, quiet=True)
    assert result.status == "wrong"
    assert hint in result.message


@pytest.mark.parametrize("exercise", ["ch5-balanced-accuracy", "ch5-group-split", "ch5-recall-at-k"])
@pytest.mark.parametrize("answer", [stub, stub_raises, ...])
def test_stubs_are_not_attempted(exercise, answer):
    assert exercises.check(exercise, answer, quiet=True).status == "not attempted"


def test_crash_in_reader_code_is_reported():
    def crashes(*args):
        return 1 / 0

    result = exercises.check("ch5-recall-at-k", crashes, quiet=True)
    assert result.status == "error" and "ZeroDivisionError" in result.message
