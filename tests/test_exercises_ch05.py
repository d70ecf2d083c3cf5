"""The Chapter 5 checkers accept the reference solutions and reject plausible wrong answers."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier

from mmteach import exercises, metrics

IDS = [
    "ch5-balanced-accuracy",
    "ch5-group-split",
    "ch5-recall-at-k",
    "ch5-train-score",
    "ch5-ceiling-model",
]
ref = exercises.reference_answer
balanced_accuracy = ref("ch5-balanced-accuracy")
group_split = ref("ch5-group-split")


def plain_accuracy(y_true, y_pred, n_classes):
    return float(np.mean(y_true == y_pred))


def mean_precision(y_true, y_pred, n_classes):
    out = []
    for c in range(n_classes):
        predicted = y_pred == c
        out.append(np.mean(y_true[predicted] == c) if predicted.any() else 0.0)
    return float(np.mean(out))


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


def train_accuracy(model, x_train, y_train, x_test, y_test):  # the notebook's stub
    model.fit(x_train, y_train)
    return metrics.accuracy(y_train, model.predict(x_train))


def fitted_on_everything(model, x_train, y_train, x_test, y_test):
    model.fit(np.vstack([x_train, x_test]), np.r_[y_train, y_test])
    return metrics.accuracy(y_test, model.predict(x_test))


def _one_modality(name):
    def train(x_train, y_train):
        model = LogisticRegression(C=0.1, max_iter=300).fit(x_train[name], y_train)
        return lambda x: model.predict(x[name])

    return train


def memoriser(x_train, y_train):
    def stacked(x):
        return np.hstack([x[m] for m in sorted(x)])

    model = KNeighborsClassifier(n_neighbors=1).fit(stacked(x_train), y_train)
    return lambda x: model.predict(stacked(x))


def constant(x_train, y_train):
    return lambda x: np.zeros(len(x["image"]), int)


def stub(*args): ...


def stub_raises(*args):
    raise NotImplementedError


@pytest.mark.parametrize("exercise", IDS)
def test_reference_answers_pass(exercise):
    result = exercises.check(exercise, ref(exercise), quiet=True)
    assert result.passed, result.message


def test_other_right_answers_pass():
    assert exercises.check("ch5-group-split", group_split_masks, quiet=True).passed


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
        ("ch5-train-score", train_accuracy, "score on the training data"),
        ("ch5-train-score", fitted_on_everything, "fitted on the test rows too"),
        ("ch5-train-score", lambda m, a, b, c, d: 0.5, "expected the accuracy"),
        ("ch5-ceiling-model", _one_modality("image"), "only the caption tells"),
        ("ch5-ceiling-model", _one_modality("caption"), "only the image tells"),
        ("ch5-ceiling-model", memoriser, "realised ceiling"),
        ("ch5-ceiling-model", constant, "does the model learn at all"),
        ("ch5-ceiling-model", lambda x, y: 1, "return a function"),
    ],
)
def test_wrong_answers_get_the_hint(exercise, answer, hint):
    result = exercises.check(exercise, answer, quiet=True)
    assert result.status == "wrong"
    assert hint in result.message


@pytest.mark.parametrize("exercise", IDS)
@pytest.mark.parametrize("answer", [stub, stub_raises, ...])
def test_stubs_are_not_attempted(exercise, answer):
    assert exercises.check(exercise, answer, quiet=True).status == "not attempted"


def test_crash_in_reader_code_is_reported():
    def crashes(*args):
        return 1 / 0

    result = exercises.check("ch5-recall-at-k", crashes, quiet=True)
    assert result.status == "error" and "ZeroDivisionError" in result.message
