"""The Chapter 9 checkers accept the reference solutions and reject plausible wrong answers."""

import numpy as np
import pytest
from sklearn.model_selection import KFold

from mmteach import exercises

speaker_folds = exercises.reference_answer("ch9-speaker-folds")
standardise_bands = exercises.reference_answer("ch9-train-statistics")
fuse = exercises.reference_answer("ch9-product-fusion")


def status(exercise, answer):
    return exercises.check(exercise, answer, quiet=True)


def kfold_rows(speakers):  # the bug in the notebook
    folds = KFold(n_splits=len(set(speakers)), shuffle=True, random_state=0)
    return list(folds.split(np.arange(len(speakers))))


def folds_as_masks(speakers):
    speakers = np.asarray(speakers)
    return [(speakers != s, speakers == s) for s in np.unique(speakers)]


def folds_unsorted(speakers):
    return speaker_folds(speakers)[::-1]


def folds_with_test_in_train(speakers):
    return [(np.arange(len(speakers)), test) for _, test in speaker_folds(speakers)]


def folds_missing_one(speakers):
    return speaker_folds(speakers)[:-1]


def all_data_statistics(train, test):  # the bug in the notebook
    both = np.concatenate([train, test])
    mean, std = both.mean(axis=(0, 1)), both.std(axis=(0, 1))
    return (train - mean) / std, (test - mean) / std


def each_own_statistics(train, test):
    scale = lambda x: (x - x.mean(axis=(0, 1))) / x.std(axis=(0, 1))
    return scale(train), scale(test)


def global_statistics(train, test):
    return (train - train.mean()) / train.std(), (test - train.mean()) / train.std()


def product_without_prior(p_audio, p_image, prior):
    joint = p_audio * p_image
    return joint / joint.sum(axis=1, keepdims=True)


def average(p_audio, p_image, prior):
    return (p_audio + p_image) / 2


def unnormalised(p_audio, p_image, prior):
    return p_audio * p_image / prior


def stub(*args): ...


@pytest.mark.parametrize(
    "exercise, answer",
    [
        ("ch9-speaker-folds", speaker_folds),
        ("ch9-train-statistics", standardise_bands),
        ("ch9-product-fusion", fuse),
    ],
)
def test_reference_passes_and_stub_is_not_attempted(exercise, answer):
    assert status(exercise, answer).passed
    assert status(exercise, stub).status == "not attempted"


@pytest.mark.parametrize(
    "exercise, wrong, words",
    [
        ("ch9-speaker-folds", kfold_rows, "rows were split at random"),
        ("ch9-speaker-folds", folds_as_masks, "not boolean masks"),
        ("ch9-speaker-folds", folds_unsorted, "sorted order"),
        ("ch9-speaker-folds", folds_with_test_in_train, "either in training or in test"),
        ("ch9-speaker-folds", folds_missing_one, "so 4 folds"),
        ("ch9-train-statistics", all_data_statistics, "include the test features"),
        ("ch9-train-statistics", each_own_statistics, "its own statistics"),
        ("ch9-train-statistics", global_statistics, "each band"),
        ("ch9-product-fusion", product_without_prior, "counted twice"),
        ("ch9-product-fusion", average, "average"),
        ("ch9-product-fusion", unnormalised, "renormalise"),
    ],
)
def test_wrong_answers_get_a_specific_hint(exercise, wrong, words):
    result = status(exercise, wrong)
    assert result.status == "wrong", result
    assert words in result.message, result.message


def test_fusion_reference_is_the_product_rule_for_a_uniform_prior():
    rng = np.random.default_rng(0)
    p_a, p_v = rng.dirichlet(np.ones(10), 5), rng.dirichlet(np.ones(10), 5)
    joint = p_a * p_v
    assert np.allclose(fuse(p_a, p_v, np.full(10, 0.1)), joint / joint.sum(axis=1, keepdims=True))
