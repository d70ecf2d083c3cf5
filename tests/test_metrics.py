"""mmteach.metrics: each metric against scikit-learn or a hand-computed worked example."""

import math

import numpy as np
import pytest
import sklearn.metrics as skm
from scipy.stats import binomtest

from mmteach import metrics

# --- classification: against scikit-learn --------------------------------------------


def _random_labels(seed, n=200, k=4, skew=None):
    rng = np.random.default_rng(seed)
    y_true = rng.choice(k, n, p=skew)
    flip = rng.random(n) < 0.3
    y_pred = np.where(flip, rng.integers(0, k, n), y_true)
    return y_true, y_pred


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("average", ["macro", "micro", "weighted", None])
def test_precision_recall_f1_match_sklearn(seed, average):
    skew = [0.7, 0.2, 0.08, 0.02] if seed % 2 else None
    y_true, y_pred = _random_labels(seed, skew=skew)
    ours = metrics.precision_recall_f1(y_true, y_pred, average=average, n_classes=4)
    theirs = skm.precision_recall_fscore_support(
        y_true, y_pred, average=average, labels=range(4), zero_division=0.0
    )[:3]
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_binary_matches_sklearn():
    y_true, y_pred = _random_labels(3, k=2)
    ours = metrics.precision_recall_f1(y_true, y_pred, average="binary")
    for a, fn in zip(ours, (skm.precision_score, skm.recall_score, skm.f1_score)):
        assert a == pytest.approx(fn(y_true, y_pred))
    # a sample that holds only class 0: class 1's ratios are 0/0 -> zero_division
    assert metrics.precision_recall_f1([0, 0], [0, 0], average="binary") == (0.0, 0.0, 0.0)
    assert metrics.f1_score([0, 0], [0, 0], average="binary", zero_division=1.0) == 1.0


def test_zero_division_when_a_class_is_never_predicted():
    # a constant predictor: classes 1..3 are never predicted
    y_true = np.array([0] * 8 + [1, 2, 3, 3])
    y_pred = np.zeros(12, dtype=int)
    p, r, f = metrics.precision_recall_f1(y_true, y_pred, average=None, n_classes=4)
    sk_p, sk_r, sk_f, _ = skm.precision_recall_fscore_support(
        y_true, y_pred, labels=range(4), zero_division=0.0
    )
    np.testing.assert_allclose(p, sk_p)
    np.testing.assert_allclose(r, sk_r)
    np.testing.assert_allclose(f, sk_f)
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(8 / 12)
    assert metrics.f1_score(y_true, y_pred) == pytest.approx((2 * 8 / (12 + 8)) / 4)
    assert metrics.precision_score(y_true, y_pred, zero_division=1.0) > metrics.precision_score(
        y_true, y_pred
    )


def test_micro_f1_equals_accuracy_and_hand_example():
    y_true = [0, 0, 0, 0, 1, 1, 2, 2]
    y_pred = [0, 0, 0, 1, 1, 0, 2, 2]
    assert metrics.accuracy(y_true, y_pred) == 0.75
    assert metrics.f1_score(y_true, y_pred, average="micro") == pytest.approx(0.75)
    # by hand: class 0 P=3/4 R=3/4; class 1 P=1/2 R=1/2; class 2 P=R=1
    p, r, f = metrics.precision_recall_f1(y_true, y_pred, average=None)
    np.testing.assert_allclose(p, [0.75, 0.5, 1.0])
    np.testing.assert_allclose(r, [0.75, 0.5, 1.0])
    assert metrics.f1_score(y_true, y_pred, average="weighted") == pytest.approx(
        (4 * 0.75 + 2 * 0.5 + 2 * 1.0) / 8
    )
    assert metrics.recall_score(y_true, y_pred) == pytest.approx(0.75)


@pytest.mark.parametrize("seed", range(3))
def test_accuracy_and_confusion_matrix_match_sklearn(seed):
    y_true, y_pred = _random_labels(seed, k=5)
    assert metrics.accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred))
    np.testing.assert_array_equal(
        metrics.confusion_matrix(y_true, y_pred, n_classes=6),
        skm.confusion_matrix(y_true, y_pred, labels=range(6)),
    )


def test_labels_accept_bool_and_integral_floats():
    assert metrics.accuracy(np.array([True, False]), np.array([1.0, 0.0])) == 1.0
    assert metrics.confusion_matrix([0, 2], [0, 2]).shape == (3, 3)


def test_classification_table():
    table = metrics.classification_table(
        [0, 0, 1, 2], [0, 1, 1, 2], class_names=["circle", "square", "cross"]
    )
    assert list(table.index) == ["circle", "square", "cross", "macro avg", "weighted avg"]
    assert table.loc["circle", "recall"] == 0.5
    assert table.loc["square", "precision"] == 0.5
    assert table.loc["macro avg", "support"] == 4
    assert table.loc["macro avg", "f1"] == pytest.approx(
        round(metrics.f1_score([0, 0, 1, 2], [0, 1, 1, 2]), 3)
    )
    with pytest.raises(TypeError, match="class_names"):
        metrics.classification_table([0], [0], class_names="circle")
    with pytest.raises(ValueError, match="does not match"):
        metrics.classification_table([0], [0], class_names=["a", "b"], n_classes=3)
    with pytest.raises(ValueError, match="outside the class range"):
        metrics.classification_table([0, 2], [0, 2], class_names=["a", "b"])


@pytest.mark.parametrize(
    "y_true, y_pred, error, match",
    [
        ([0, 1, 2], [0, 1], ValueError, "same length"),
        ([], [], ValueError, "empty"),
        ([0, 1], [0, -1], ValueError, "negative label"),
        ([0, 1], [[0.2, 0.8], [0.6, 0.4]], ValueError, "argmax"),
        ([0, 1], [0.2, 0.8], TypeError, "integer class codes"),
        (["red", "blue"], [0, 1], TypeError, "y_true must hold integer class codes"),
        ([0, np.nan], [0, 1], ValueError, "NaN"),
        ([0, np.inf], [0, 1], ValueError, "NaN or infinite"),
        (np.zeros((2, 2, 2)), [0, 1], ValueError, "1-D"),
    ],
)
def test_classification_bad_input(y_true, y_pred, error, match):
    with pytest.raises(error, match=match):
        metrics.accuracy(y_true, y_pred)


def test_labels_outside_class_range_and_bad_options():
    with pytest.raises(ValueError, match=r"y_pred has label 4, outside the class range 0\.\.3"):
        metrics.confusion_matrix([0, 1], [0, 4], n_classes=4)
    with pytest.raises(ValueError, match="y_true has label 5"):
        metrics.f1_score([5, 1], [0, 1], n_classes=4)
    with pytest.raises(TypeError, match="n_classes must be an integer"):
        metrics.confusion_matrix([0], [0], n_classes=2.0)
    with pytest.raises(ValueError, match="n_classes must be an integer >= 1"):
        metrics.confusion_matrix([0], [0], n_classes=0)
    with pytest.raises(ValueError, match="average must be one of"):
        metrics.f1_score([0, 1], [0, 1], average="mean")
    with pytest.raises(ValueError, match="'binary' needs two classes"):
        metrics.f1_score([0, 1, 2], [0, 1, 2], average="binary")


# --- regression ----------------------------------------------------------------------


def test_mse_mae_match_sklearn_on_images():
    rng = np.random.default_rng(0)
    a = rng.random((6, 8, 8, 3))
    b = rng.random((6, 8, 8, 3))
    assert metrics.mean_squared_error(a, b) == pytest.approx(
        skm.mean_squared_error(a.reshape(6, -1), b.reshape(6, -1))
    )
    assert metrics.mean_absolute_error(a, b) == pytest.approx(
        skm.mean_absolute_error(a.reshape(6, -1), b.reshape(6, -1))
    )
    per = metrics.mean_squared_error(a, b, per_sample=True)
    assert per.shape == (6,)
    np.testing.assert_allclose(
        per, skm.mean_squared_error(a.reshape(6, -1).T, b.reshape(6, -1).T, multioutput="raw_values")
    )
    np.testing.assert_allclose(
        metrics.mean_absolute_error(a, b, per_sample=True),
        np.abs(a - b).reshape(6, -1).mean(axis=1),
    )


def test_psnr():
    rng = np.random.default_rng(1)
    a = rng.random((4, 5, 5))
    b = np.clip(a + 0.1 * rng.standard_normal(a.shape), 0, 1)
    mse = skm.mean_squared_error(a.reshape(4, -1), b.reshape(4, -1))
    assert metrics.psnr(a, b) == pytest.approx(10 * math.log10(1 / mse))
    assert metrics.psnr(a * 255, b * 255, data_range=255) == pytest.approx(metrics.psnr(a, b))
    per = metrics.psnr(a, b, per_sample=True)
    assert per.shape == (4,)
    assert per[0] == pytest.approx(metrics.psnr(a[0], b[0]))
    assert metrics.psnr(a, a) == math.inf
    # worked example: MSE = 0.01 / 3 -> 10 log10(300)
    assert metrics.psnr([0.0, 0.5, 1.0], [0.1, 0.5, 1.0]) == pytest.approx(10 * math.log10(300))


@pytest.mark.parametrize(
    "y_true, y_pred, error, match",
    [
        (np.zeros((2, 3)), np.zeros((2, 4)), ValueError, "same shape"),
        ([], [], ValueError, "empty"),
        ([1.0, np.nan], [1.0, 2.0], ValueError, "y_true contains NaN"),
        ([1.0, 2.0], [1.0, np.inf], ValueError, "y_pred contains NaN or infinite"),
        (["a"], ["b"], TypeError, "numeric"),
    ],
)
def test_regression_bad_input(y_true, y_pred, error, match):
    with pytest.raises(error, match=match):
        metrics.mean_squared_error(y_true, y_pred)
    with pytest.raises(error, match=match):
        metrics.mean_absolute_error(y_true, y_pred)


def test_psnr_bad_input():
    with pytest.raises(ValueError, match="data_range must be > 0"):
        metrics.psnr([1.0], [1.0], data_range=0)
    with pytest.raises(TypeError, match="data_range must be a number"):
        metrics.psnr([1.0], [1.0], data_range="1")
    with pytest.raises(ValueError, match="sample axis"):
        metrics.mean_squared_error(1.0, 2.0, per_sample=True)


# --- retrieval -----------------------------------------------------------------------

# three images (rows) and three captions (columns); the true pair is the diagonal
S = np.array(
    [
        [0.9, 0.2, 0.4],
        [0.8, 0.5, 0.1],
        [0.3, 0.2, 0.7],
    ]
)


def test_ranks_recall_median_by_hand():
    assert metrics.retrieval_ranks(S).tolist() == [1, 2, 1]
    assert metrics.recall_at_k(S, 1) == pytest.approx(2 / 3)
    assert metrics.recall_at_k(S, 2) == 1.0
    assert metrics.median_rank(S) == 1.0
    # the other direction: columns as queries
    assert metrics.retrieval_ranks(S.T).tolist() == [1, 1, 1]
    report = metrics.retrieval_report(S, ks=(1, 2), names=("image", "caption"))
    assert list(report.index) == ["image→caption", "caption→image"]
    assert report.loc["image→caption", "R@1"] == pytest.approx(0.667)
    assert report.loc["caption→image", "R@1"] == 1.0
    assert report.loc["image→caption", "median rank"] == 1.0
    assert metrics.retrieval_report(S, ks=1).columns.tolist() == ["R@1", "median rank"]


def test_ties_count_against_the_model():
    flat = np.zeros((4, 4))
    assert metrics.retrieval_ranks(flat).tolist() == [4, 4, 4, 4]
    assert metrics.recall_at_k(flat, 1) == 0.0
    assert metrics.recall_at_k(flat, 4) == 1.0


def test_two_conventions_with_duplicate_captions():
    # captions 0 and 1 say the same thing ("a red circle"): for image 0 caption 1 is
    # an equally correct answer, but under the one-exact-positive convention it is a miss
    s = np.array(
        [
            [0.8, 0.9, 0.1],
            [0.9, 0.8, 0.1],
            [0.1, 0.2, 0.9],
        ]
    )
    assert metrics.retrieval_ranks(s).tolist() == [2, 2, 1]
    labels = np.array(["red circle", "red circle", "blue cross"])
    mask = metrics.positives_from_labels(labels, labels)
    assert mask.sum() == 5
    assert metrics.retrieval_ranks(s, mask).tolist() == [1, 1, 1]
    assert metrics.recall_at_k(s, 1) == pytest.approx(1 / 3)
    assert metrics.recall_at_k(s, 1, positives=mask) == 1.0
    report = metrics.retrieval_report(s, ks=(1,), positives=mask)
    assert (report["R@1"] == 1.0).all()


def test_integer_positives_and_rectangular_similarity():
    # 2 queries, 4 candidates: query 0's positive is candidate 3, query 1's is candidate 0
    s = np.array([[0.1, 0.5, 0.2, 0.4], [0.3, 0.6, 0.1, 0.0]])
    assert metrics.retrieval_ranks(s, np.array([3, 0])).tolist() == [2, 2]
    assert metrics.recall_at_k(s, 2, positives=np.array([3, 0])) == 1.0


@pytest.mark.parametrize("seed", range(3))
def test_recall_at_k_matches_sklearn_top_k(seed):
    rng = np.random.default_rng(seed)
    s = rng.standard_normal((30, 30)) + 1.5 * np.eye(30)
    for k in (1, 3, 10):
        want = skm.top_k_accuracy_score(np.arange(30), s, k=k, labels=np.arange(30))
        assert metrics.recall_at_k(s, k) == pytest.approx(want)
        want_t = skm.top_k_accuracy_score(np.arange(30), s.T, k=k, labels=np.arange(30))
        assert metrics.recall_at_k(s.T, k) == pytest.approx(want_t)


def test_retrieval_bad_input():
    with pytest.raises(ValueError, match="larger than the candidate set"):
        metrics.recall_at_k(S, 4)
    with pytest.raises(ValueError, match="larger than the candidate set"):
        metrics.retrieval_report(S, ks=(1, 5))
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        metrics.recall_at_k(S, 0)
    with pytest.raises(TypeError, match="k must be an integer"):
        metrics.recall_at_k(S, 1.5)
    with pytest.raises(ValueError, match="must be square"):
        metrics.recall_at_k(np.zeros((2, 3)), 1)
    with pytest.raises(ValueError, match="2-D"):
        metrics.recall_at_k(np.zeros(3), 1)
    with pytest.raises(ValueError, match="empty"):
        metrics.median_rank(np.zeros((0, 0)))
    with pytest.raises(ValueError, match="NaN or infinite"):
        metrics.median_rank(np.array([[np.nan, 0.0], [0.0, 1.0]]))
    with pytest.raises(TypeError, match="numeric"):
        metrics.median_rank(np.array([["a", "b"], ["c", "d"]]))
    with pytest.raises(ValueError, match="has 2 entries but similarity has 3 queries"):
        metrics.retrieval_ranks(S, np.array([0, 1]))
    with pytest.raises(ValueError, match="outside 0..2"):
        metrics.retrieval_ranks(S, np.array([0, 1, 3]))
    with pytest.raises(TypeError, match="integer index"):
        metrics.retrieval_ranks(S, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match="query 1 has none"):
        metrics.retrieval_ranks(S, np.array([[1, 0, 0], [0, 0, 0], [0, 0, 1]], dtype=bool))
    with pytest.raises(TypeError, match="boolean mask"):
        metrics.retrieval_ranks(S, np.eye(3))
    with pytest.raises(ValueError, match="shape"):
        metrics.retrieval_ranks(S, np.eye(2, dtype=bool))
    with pytest.raises(ValueError, match="every query needs at least one positive"):
        # each image has a positive, but caption 2 is nobody's positive
        metrics.retrieval_report(
            S, ks=(1,), positives=np.array([[1, 0, 0], [0, 1, 0], [1, 0, 0]], dtype=bool)
        )
    with pytest.raises(ValueError, match="names"):
        metrics.retrieval_report(S, ks=(1,), names=("image",))
    with pytest.raises(ValueError, match="at least one k"):
        metrics.retrieval_report(S, ks=())
    with pytest.raises(ValueError, match="query_labels must be 1-D"):
        metrics.positives_from_labels(np.zeros((2, 2)), [1])
    with pytest.raises(ValueError, match="candidate_labels is empty"):
        metrics.positives_from_labels([1], [])


# --- BLEU: worked examples ------------------------------------------------------------

# Papineni et al. (2002), Example 1 and its modified n-gram precisions (Section 2.1)
REFS_1 = [
    "it is a guide to action that ensures that the military will forever heed party commands",
    "it is the guiding principle which guarantees the military forces always being under "
    "the command of the party",
    "it is the practical guide for the army always to heed the directions of the party",
]
CAND_1 = "it is a guide to action which ensures that the military always obeys the commands of the party"
CAND_2 = "it is to insure the troops forever hearing the activity guidebook that party direct"


def test_modified_precision_papineni_examples():
    assert metrics.modified_precision(REFS_1, CAND_1, 1) == (17, 18)
    assert metrics.modified_precision(REFS_1, CAND_1, 2) == (10, 17)
    assert metrics.modified_precision(REFS_1, CAND_2, 1) == (8, 14)
    assert metrics.modified_precision(REFS_1, CAND_2, 2) == (1, 13)
    # Example 2: "the the the ..." gets 2/7, not 7/7, thanks to clipping
    refs = ["the cat is on the mat", "there is a cat on the mat"]
    assert metrics.modified_precision(refs, "the the the the the the the", 1) == (2, 7)
    # clipping takes the maximum count over references, not the sum
    assert metrics.modified_precision(["the a", "the b"], "the the", 1) == (1, 2)
    assert metrics.modified_precision(["a b"], ["a", "b", "c"], 3) == (0, 1)
    assert metrics.modified_precision(["a b"], "a", 2) == (0, 0)


def test_sentence_bleu_hand_computed():
    ref, hyp = ["the cat is on the mat"], "the cat sat on the mat"
    # by hand: p1 = 5/6, p2 = 3/5, p3 = 1/4, p4 = 0/3; c = r = 6 so BP = 1
    assert metrics.sentence_bleu(ref, hyp, max_n=1) == pytest.approx(5 / 6)
    assert metrics.sentence_bleu(ref, hyp, max_n=2) == pytest.approx(math.sqrt(5 / 6 * 3 / 5))
    assert metrics.sentence_bleu(ref, hyp, max_n=3) == pytest.approx((5 / 6 * 3 / 5 / 4) ** (1 / 3))
    assert metrics.sentence_bleu(ref, hyp) == 0.0
    eps = (5 / 6 * 3 / 5 * 1 / 4 * 0.1 / 3) ** 0.25
    assert metrics.sentence_bleu(ref, hyp, smoothing="epsilon") == pytest.approx(eps)
    add_one = (5 / 6 * 4 / 6 * 2 / 5 * 1 / 4) ** 0.25
    assert metrics.sentence_bleu(ref, hyp, smoothing="add-one") == pytest.approx(add_one)
    assert metrics.sentence_bleu(ref, ref[0]) == 1.0
    assert metrics.sentence_bleu(ref, hyp.split()) == 0.0  # tokens work like a string


def test_brevity_penalty():
    # "the cat": both precisions are 1, but c = 2 < r = 6
    assert metrics.sentence_bleu(["the cat is on the mat"], "the cat", max_n=2) == pytest.approx(
        math.exp(1 - 6 / 2)
    )
    assert metrics.brevity_penalty(7, 6) == 1.0
    assert metrics.brevity_penalty(6, 6) == 1.0
    assert metrics.brevity_penalty(0, 6) == 0.0
    assert metrics.brevity_penalty(3, 6) == pytest.approx(math.exp(-1))
    # closest reference length: refs of 4 and 7 words, hypothesis of 6 -> r = 7
    refs = ["a b c d", "a b c d e f g"]
    assert metrics.sentence_bleu(refs, "a b c d e f", max_n=1) == pytest.approx(
        math.exp(1 - 7 / 6)
    )
    # a tie (4 and 6 around 5) takes the shorter reference -> no penalty
    assert metrics.sentence_bleu(["a b c d", "a b c d e f"], "a b c d e", max_n=1) == 1.0
    assert metrics.sentence_bleu(["a b"], "", max_n=1) == 0.0
    with pytest.raises(ValueError, match="hypothesis_length"):
        metrics.brevity_penalty(-1, 3)


def test_corpus_bleu_is_not_the_mean_of_sentence_bleus():
    refs = [["the cat is on the mat"], ["a red circle"]]
    hyps = ["the cat sat on the mat", "a red circle"]
    # corpus unigrams: (5 + 3) / (6 + 3); bigrams: (3 + 2) / (5 + 2); BP = 1
    want = math.sqrt(8 / 9 * 5 / 7)
    got = metrics.corpus_bleu(refs, hyps, max_n=2)
    assert got == pytest.approx(want)
    mean_sentence = np.mean([metrics.sentence_bleu(r, h, max_n=2) for r, h in zip(refs, hyps)])
    assert mean_sentence == pytest.approx((math.sqrt(0.5) + 1) / 2)
    assert abs(got - mean_sentence) > 0.01
    # corpus brevity penalty uses summed lengths: c = 2 + 3, r = 6 + 3
    short = metrics.corpus_bleu(refs, ["the cat", "a red circle"], max_n=1)
    assert short == pytest.approx(math.exp(1 - 9 / 5))
    # add-one smoothing leaves the unigram precision alone
    assert metrics.corpus_bleu(refs, hyps, max_n=1, smoothing="add-one") == pytest.approx(8 / 9)


def test_bleu_bad_input():
    with pytest.raises(TypeError, match="wrap it in a list"):
        metrics.sentence_bleu("the cat", "the cat")
    with pytest.raises(ValueError, match="non-empty list of reference"):
        metrics.sentence_bleu([], "the cat")
    with pytest.raises(TypeError, match="hypothesis must be a string or a list of token"):
        metrics.sentence_bleu(["the cat"], 3)
    with pytest.raises(ValueError, match="1 entries but hypotheses has 2"):
        metrics.corpus_bleu([["a"]], ["a", "b"])
    with pytest.raises(ValueError, match="hypotheses is empty"):
        metrics.corpus_bleu([], [])
    with pytest.raises(TypeError, match="single string"):
        metrics.corpus_bleu([["a"]], "a")
    with pytest.raises(TypeError, match="list_of_references must be a list"):
        metrics.corpus_bleu("a", ["a"])
    with pytest.raises(ValueError, match="smoothing must be one of"):
        metrics.sentence_bleu(["a"], "a", smoothing="laplace")
    with pytest.raises(ValueError, match="max_n must be an integer >= 1"):
        metrics.sentence_bleu(["a"], "a", max_n=0)
    with pytest.raises(ValueError, match="epsilon"):
        metrics.sentence_bleu(["a"], "a", smoothing="epsilon", epsilon=0)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        metrics.modified_precision(["a"], "a", 0)


# --- uncertainty ----------------------------------------------------------------------


def test_bootstrap_ci_width_follows_the_binomial():
    rng = np.random.default_rng(0)
    for n in (200, 2000):
        y = rng.integers(0, 2, n)
        pred = np.where(rng.random(n) < 0.8, y, 1 - y)
        ci = metrics.bootstrap_ci(metrics.accuracy, y, pred, n_resamples=800, seed=1)
        acc = metrics.accuracy(y, pred)
        assert ci.estimate == acc
        assert ci.low < acc < ci.high
        se = math.sqrt(acc * (1 - acc) / n)
        assert (ci.high - ci.low) == pytest.approx(2 * 1.96 * se, rel=0.2)
        assert ci.samples.shape == (800,)
    assert "95% interval" in str(ci)
    again = metrics.bootstrap_ci(metrics.accuracy, y, pred, n_resamples=800, seed=1)
    assert again.low == ci.low and again.high == ci.high


def test_bootstrap_ci_any_metric_and_images():
    rng = np.random.default_rng(2)
    a = rng.random((50, 4, 4, 3))
    b = a + 0.1
    ci = metrics.bootstrap_ci(metrics.mean_squared_error, a, b, n_resamples=100)
    assert ci.low == pytest.approx(0.01) and ci.high == pytest.approx(0.01)
    f1 = lambda t, p: metrics.f1_score(t, p, n_classes=4)
    y, p = _random_labels(0)
    ci = metrics.bootstrap_ci(f1, y, p, n_resamples=200, level=0.9)
    assert ci.low < ci.estimate < ci.high and ci.level == 0.9


def test_paired_comparison_and_mcnemar():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 4, 500)
    a = np.where(rng.random(500) < 0.9, y, (y + 1) % 4)
    b = np.where(rng.random(500) < 0.7, y, (y + 1) % 4)
    cmp = metrics.paired_comparison(metrics.accuracy, y, a, b, n_resamples=500)
    assert cmp.difference == pytest.approx(metrics.accuracy(y, a) - metrics.accuracy(y, b))
    assert cmp.low > 0 and cmp.p_value < 0.01
    assert "A - B" in str(cmp)
    same = metrics.paired_comparison(metrics.accuracy, y, a, a, n_resamples=100)
    assert same.difference == 0 and same.p_value == 1.0
    # paired differences are far less noisy than two separate intervals
    a2 = a.copy()
    a2[np.flatnonzero(a2 != y)[:10]] = y[np.flatnonzero(a2 != y)[:10]]  # fix 10 mistakes
    tight = metrics.paired_comparison(metrics.accuracy, y, a2, a, n_resamples=500)
    single = metrics.bootstrap_ci(metrics.accuracy, y, a, n_resamples=500)
    assert tight.high - tight.low < (single.high - single.low) / 2
    assert tight.low > 0

    a_only, b_only, p = metrics.mcnemar_test(y, a, b)
    assert a_only == np.sum((a == y) & (b != y)) and b_only == np.sum((a != y) & (b == y))
    assert p == pytest.approx(binomtest(min(a_only, b_only), a_only + b_only).pvalue)
    for k, n in ((3, 10), (5, 10), (0, 1), (40, 100)):
        y1 = np.ones(n, int)
        pa = np.r_[np.ones(k, int), np.zeros(n - k, int)]
        pb = 1 - pa
        assert metrics.mcnemar_test(y1, pa, pb)[2] == pytest.approx(binomtest(k, n).pvalue)
    assert metrics.mcnemar_test([0, 1], [0, 1], [0, 1]) == (0, 0, 1.0)


def test_uncertainty_bad_input():
    y = [0, 1, 1]
    with pytest.raises(TypeError, match="metric must be a function"):
        metrics.bootstrap_ci("accuracy", y, y)
    with pytest.raises(ValueError, match="same length"):
        metrics.bootstrap_ci(metrics.accuracy, y, [0, 1])
    with pytest.raises(ValueError, match="empty"):
        metrics.bootstrap_ci(metrics.accuracy, [], [])
    with pytest.raises(ValueError, match="scalar"):
        metrics.bootstrap_ci(metrics.accuracy, 1, 1)
    with pytest.raises(ValueError, match="level must be a probability"):
        metrics.bootstrap_ci(metrics.accuracy, y, y, level=95)
    with pytest.raises(ValueError, match="n_resamples must be an integer >= 10"):
        metrics.bootstrap_ci(metrics.accuracy, y, y, n_resamples=5)
    with pytest.raises(TypeError, match="n_resamples must be an integer"):
        metrics.bootstrap_ci(metrics.accuracy, y, y, n_resamples=100.0)
    with pytest.raises(ValueError, match="same length"):
        metrics.paired_comparison(metrics.accuracy, y, y, [0, 1])
    with pytest.raises(ValueError, match="same length"):
        metrics.mcnemar_test(y, y, [0, 1])
    with pytest.raises(ValueError, match="NaN"):
        metrics.bootstrap_ci(metrics.mean_squared_error, [1.0, np.nan], [1.0, 1.0])


# --- ablation --------------------------------------------------------------------------


def _ablation_setup():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    inputs = {
        "image": (y[:, None] + 0.3 * rng.standard_normal((400, 3))).astype(np.float32),
        "caption": rng.standard_normal((400, 5)).astype(np.float32),  # pure noise
    }
    calls = []

    def predict(x):
        calls.append(sorted(x))
        return (x["image"].mean(axis=1) + 0.0 * x["caption"].sum(axis=1) > 0.5).astype(int)

    return y, inputs, predict, calls


@pytest.mark.parametrize("fill", ["zeros", "mean", "shuffle"])
def test_modality_ablation_finds_the_modality_used(fill):
    y, inputs, predict, calls = _ablation_setup()
    table = metrics.modality_ablation(predict, inputs, y, fill=fill)
    assert list(table.index) == ["none", "image", "caption"]
    assert table.loc["none", "score"] > 0.95
    assert table.loc["image", "drop"] > 0.35
    assert table.loc["caption", "drop"] == 0.0
    assert all(c == ["caption", "image"] for c in calls)
    assert inputs["image"].std() > 0.3  # the caller's arrays were not modified


def test_modality_ablation_metric_and_subset():
    y, inputs, predict, _ = _ablation_setup()
    table = metrics.modality_ablation(
        predict, inputs, y, metric=lambda t, p: metrics.f1_score(t, p, average="binary"),
        modalities="image",
    )
    assert list(table.index) == ["none", "image"]
    assert table.loc["image", "score"] < 0.7


def test_modality_ablation_bad_input():
    y, inputs, predict, _ = _ablation_setup()
    with pytest.raises(TypeError, match="predict must be a function"):
        metrics.modality_ablation(None, inputs, y)
    with pytest.raises(TypeError, match="non-empty dict"):
        metrics.modality_ablation(predict, {}, y)
    with pytest.raises(TypeError, match="non-empty dict"):
        metrics.modality_ablation(predict, [inputs["image"]], y)
    with pytest.raises(ValueError, match="fill must be one of"):
        metrics.modality_ablation(predict, inputs, y, fill="noise")
    with pytest.raises(ValueError, match="not in inputs"):
        metrics.modality_ablation(predict, inputs, y, modalities=["sound"])
    with pytest.raises(ValueError, match="same length"):
        metrics.modality_ablation(predict, inputs, y[:10])
    with pytest.raises(TypeError, match="encode it"):
        metrics.modality_ablation(
            predict, {**inputs, "text": np.array(["a"] * 400, dtype=object)}, y
        )
    with pytest.raises(TypeError, match="metric must be a function"):
        metrics.modality_ablation(predict, inputs, y, metric="accuracy")
