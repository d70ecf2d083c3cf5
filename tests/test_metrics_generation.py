"""The Chapter 7 metrics: consistency, diversity with its exact maximum, Fréchet distance."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest
import scipy.linalg

from mmteach import metrics

# --- text_image_consistency ---------------------------------------------------------------


def test_consistency_counts_only_stated_attributes():
    judged = np.array([[0, 1], [2, 3], [0, 0], [1, 1]])
    stated = np.array([[0, -1], [2, 1], [-1, -1], [0, 1]])
    assert metrics.text_image_consistency(judged, stated) == 0.5
    assert metrics.text_image_consistency(judged, stated, per_sample=True).tolist() == [1, 0, 1, 0]


def test_consistency_accepts_frames_and_checks_their_columns():
    judged = pd.DataFrame({"shape": [0, 1], "colour": [2, 2]})
    stated = pd.DataFrame({"shape": [0, 0], "colour": [2, -1]})
    assert metrics.text_image_consistency(judged, stated) == 0.5
    with pytest.raises(ValueError, match="same columns"):
        metrics.text_image_consistency(judged, stated[["colour", "shape"]])


@pytest.mark.parametrize(
    "judged, stated, error, match",
    [
        ([[0, 1]], [[0, 1], [1, 1]], ValueError, "same shape"),
        ([[0.5, 1]], [[0, 1]], TypeError, "integer class codes"),
        (np.zeros((0, 2)), np.zeros((0, 2)), ValueError, "non-empty"),
    ],
)
def test_consistency_refuses_bad_input(judged, stated, error, match):
    with pytest.raises(error, match=match):
        metrics.text_image_consistency(judged, stated)


# --- max_entropy and attribute_diversity -------------------------------------------------


def _entropy(labels, k):
    p = np.bincount(labels, minlength=k) / len(labels)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


@pytest.mark.parametrize("n, k", [(1, 4), (2, 4), (5, 4), (7, 3), (8, 4), (9, 2)])
def test_max_entropy_is_the_largest_over_every_labelling(n, k):
    brute = max(_entropy(np.array(labels), k) for labels in itertools.product(range(k), repeat=n))
    assert math.isclose(metrics.max_entropy(n, k), brute, abs_tol=1e-12)


def test_max_entropy_is_log_k_when_k_divides_n():
    assert math.isclose(metrics.max_entropy(16, 4), math.log(4))
    assert math.isclose(metrics.max_entropy(16, 2), math.log(2))
    with pytest.raises(ValueError, match="n_samples"):
        metrics.max_entropy(0, 4)


def test_diversity_is_zero_for_a_constant_generator_and_maximal_for_an_even_one():
    groups = np.repeat([0, 1, 2], 8)
    constant = metrics.attribute_diversity(np.zeros(24, int), groups, n_classes=4)
    assert constant.entropy == 0.0 and constant.share == 0.0
    even = metrics.attribute_diversity(np.tile(np.arange(4), 6), groups, n_classes=4)
    assert math.isclose(even.entropy, math.log(4)) and math.isclose(even.share, 1.0)
    assert math.isclose(even.maximum, math.log(4))


def test_diversity_averages_groups_and_their_own_maxima():
    labels = np.array([0, 1, 0, 0, 0])  # groups of 2 and 3
    d = metrics.attribute_diversity(labels, [0, 0, 1, 1, 1], n_classes=4)
    assert math.isclose(d.entropy, (math.log(2) + 0.0) / 2)
    assert math.isclose(d.maximum, (math.log(2) + math.log(3)) / 2)


def test_diversity_refuses_bad_input():
    with pytest.raises(ValueError, match="groups"):
        metrics.attribute_diversity([0, 1, 2], [0, 0], n_classes=4)
    with pytest.raises(ValueError, match="outside the class range"):
        metrics.attribute_diversity([0, 5], [0, 0], n_classes=4)


# --- Fréchet distance ------------------------------------------------------------------


def _scipy_frechet(a, b):
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = scipy.linalg.sqrtm(s_a @ s_b).real
    return float(np.sum((mu_a - mu_b) ** 2) + np.trace(s_a + s_b - 2 * root))


@pytest.mark.parametrize("d, seed", [(2, 0), (8, 1), (32, 2)])
def test_frechet_distance_agrees_with_scipy(d, seed):
    rng = np.random.default_rng(seed)
    mix = rng.standard_normal((d, d))
    a = rng.standard_normal((400, d)) @ mix
    b = rng.standard_normal((300, d)) @ mix.T + 0.5
    assert math.isclose(metrics.frechet_distance(a, b), _scipy_frechet(a, b), rel_tol=1e-6, abs_tol=1e-8)


def test_frechet_distance_of_a_set_with_itself_is_zero_and_it_is_symmetric():
    rng = np.random.default_rng(3)
    a, b = rng.standard_normal((200, 5)), rng.standard_normal((200, 5)) * 2
    assert metrics.frechet_distance(a, a) < 1e-8
    assert math.isclose(metrics.frechet_distance(a, b), metrics.frechet_distance(b, a), rel_tol=1e-8)


def test_frechet_gaussians_in_one_dimension():
    # (m_a - m_b)^2 + (s_a - s_b)^2 for standard deviations s
    assert math.isclose(metrics.frechet_distance_gaussians([0.0], [[1.0]], [3.0], [[4.0]]), 9 + 1)


def test_frechet_refuses_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="same width"):
        metrics.frechet_distance(rng.random((10, 3)), rng.random((10, 4)))
    with pytest.raises(ValueError, match="n >= 2"):
        metrics.frechet_distance(rng.random((1, 3)), rng.random((10, 3)))
    with pytest.raises(ValueError, match="NaN"):
        metrics.frechet_distance(np.full((5, 2), np.nan), rng.random((5, 2)))
    with pytest.raises(ValueError, match="symmetric"):
        metrics.frechet_distance_gaussians([0, 0], [[1, 0.5], [0, 1]], [0, 0], np.eye(2))
    with pytest.raises(ValueError, match="covariance matrix"):
        metrics.frechet_distance_gaussians([0, 0], np.eye(3), [0, 0], np.eye(2))
