"""Tests of mmteach.retrieval: dual encoder, InfoNCE, search, zero-shot, relevance and ceilings."""

import math

import keras
import numpy as np
import pandas as pd
import pytest

from mmteach import metrics, models, retrieval


def _numpy_info_nce(logits, false_negatives=None):
    """InfoNCE written out with loops, independently of the module."""
    z = np.asarray(logits, dtype=np.float64).copy()
    n = len(z)
    if false_negatives is not None:
        drop = np.asarray(false_negatives, bool) & ~np.eye(n, dtype=bool)
        z[drop] = -np.inf
    rows = [-(z[i, i] - math.log(np.sum(np.exp(z[i])))) for i in range(n)]
    cols = [-(z[j, j] - math.log(np.sum(np.exp(z[:, j])))) for j in range(n)]
    return (np.mean(rows) + np.mean(cols)) / 2


def _small_model(embed_dim=8, **kwargs):
    return retrieval.dual_encoder(
        models.image_encoder((8, 8, 3), embed_dim=16, filters=(4,), pooling="flatten"),
        models.caption_encoder((5,), vocab_size=12, embed_dim=16),
        embed_dim=embed_dim,
        **kwargs,
    )


# --- the loss ------------------------------------------------------------------------------


def test_info_nce_matches_numpy_and_keras_cross_entropy():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(7, 7)) * 3
    ours = float(retrieval.info_nce(logits))
    assert ours == pytest.approx(_numpy_info_nce(logits), rel=1e-5)
    targets = np.arange(7)
    xent = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    keras_value = (float(xent(targets, logits)) + float(xent(targets, logits.T))) / 2
    assert ours == pytest.approx(keras_value, rel=1e-5)


def test_info_nce_is_symmetric_in_both_directions_not_one():
    logits = np.array([[4.0, 3.9, 0.0], [0.0, 4.0, 0.0], [0.0, 3.9, 4.0]])
    # one popular caption (column 1) hurts the rows' softmax and the columns' differently
    rows_only = float(keras.losses.SparseCategoricalCrossentropy(from_logits=True)(np.arange(3), logits))
    assert float(retrieval.info_nce(logits)) != pytest.approx(rows_only)
    assert float(retrieval.info_nce(logits)) == pytest.approx(float(retrieval.info_nce(logits.T)), rel=1e-6)


def test_info_nce_label_aware_drops_false_negatives():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(6, 6))
    mask = np.zeros((6, 6), bool)
    mask[0, 1] = mask[1, 0] = mask[2, 2] = True  # the diagonal entry must be ignored
    got = float(retrieval.info_nce(logits, false_negatives=mask))
    assert got == pytest.approx(_numpy_info_nce(logits, mask), rel=1e-5)
    assert got < float(retrieval.info_nce(logits))  # fewer terms in each denominator
    # a perfectly aligned batch whose false negatives score as high as the pair: no loss left
    dup = np.full((2, 2), 5.0)
    assert float(retrieval.info_nce(dup, false_negatives=np.ones((2, 2), bool))) == pytest.approx(0, abs=1e-6)
    assert float(retrieval.info_nce(dup)) == pytest.approx(math.log(2), rel=1e-5)


def test_info_nce_refuses_bad_input():
    with pytest.raises(ValueError, match="square"):
        retrieval.info_nce(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="2 axes"):
        retrieval.info_nce(np.zeros(3))
    with pytest.raises(ValueError, match="false_negatives must have the shape"):
        retrieval.info_nce(np.zeros((3, 3)), false_negatives=np.zeros((2, 2), bool))
    with pytest.raises(ValueError, match="NaN"):
        retrieval.info_nce(np.full((2, 2), np.nan))


# --- the model ----------------------------------------------------------------------------------


def test_logit_scale_is_log_parameterised_and_clipped():
    layer = retrieval.LogitScale(temperature=0.07)
    a = np.eye(3, dtype="float32")
    out = np.asarray(layer(a, a))
    assert np.allclose(np.diag(out), 1 / 0.07, rtol=1e-5)
    assert float(layer.log_scale.numpy()) == pytest.approx(math.log(1 / 0.07), rel=1e-6)
    layer.log_scale.assign(10.0)  # exp(10) > 100: clipped
    assert layer.temperature == pytest.approx(0.01, rel=1e-5)
    layer.log_scale.assign(-3.0)  # below 0: clipped to a scale of 1
    assert layer.temperature == pytest.approx(1.0)
    with pytest.raises(ValueError, match="temperature"):
        retrieval.LogitScale(temperature=0.001)
    with pytest.raises(ValueError, match="temperature"):
        retrieval.LogitScale(temperature=2.0)
    with pytest.raises(TypeError, match="temperature"):
        retrieval.LogitScale(temperature="hot")


def test_dual_encoder_outputs_cosine_over_temperature():
    keras.utils.set_random_seed(0)
    model = _small_model(temperature=0.5)
    rng = np.random.default_rng(0)
    images = rng.random((4, 8, 8, 3)).astype("float32")
    captions = rng.integers(1, 12, (4, 5)).astype("int32")
    logits = np.asarray(model({"image": images, "caption": captions}))
    zi = retrieval.embed(model, images, "image")
    zc = retrieval.embed(model, captions, "caption")
    assert zi.shape == zc.shape == (4, 8)
    assert np.allclose(np.linalg.norm(zi, axis=1), 1, atol=1e-5)
    assert np.allclose(logits, zi @ zc.T / 0.5, atol=1e-4)
    assert np.allclose(retrieval.cosine_similarity(zi, zc), zi @ zc.T, atol=1e-5)


def test_dual_encoder_temperature_learned_or_fixed():
    learned = _small_model()
    fixed = _small_model(learn_temperature=False)
    weights = lambda m: {w.path for w in m.trainable_weights}
    assert any("log_scale" in p for p in weights(learned))
    assert not any("log_scale" in p for p in weights(fixed))


def test_dual_encoder_refuses_bad_encoders():
    image = models.image_encoder((8, 8, 3), filters=(4,))
    with pytest.raises(TypeError, match="keras.Model"):
        retrieval.dual_encoder(image, "caption encoder")
    with pytest.raises(ValueError, match="different names"):
        retrieval.dual_encoder(image, models.image_encoder((8, 8, 3), filters=(4,)))
    conv = keras.Sequential([keras.Input((8, 8, 3), name="pixels"), keras.layers.Conv2D(2, 3)])
    with pytest.raises(ValueError, match="one vector per example"):
        retrieval.dual_encoder(conv, models.caption_encoder((5,), vocab_size=12))
    with pytest.raises(ValueError, match="embed_dim"):
        retrieval.dual_encoder(image, models.caption_encoder((5,), vocab_size=12), embed_dim=0)
    with pytest.raises(TypeError, match="learn_temperature"):
        retrieval.dual_encoder(image, models.caption_encoder((5,), vocab_size=12), learn_temperature=1)


def _toy_pairs(n=256, seed=0):
    """Images whose colour channel says the class, captions whose one token says it."""
    rng = np.random.default_rng(seed)
    cls = rng.integers(0, 4, n)
    images = 0.1 * rng.random((n, 8, 8, 3)).astype("float32")
    images[np.arange(n), :, :, cls % 3] += 0.5 + 0.4 * (cls // 3)[:, None, None]
    captions = np.zeros((n, 5), dtype="int32")
    captions[:, 0] = 2 + cls
    captions[:, 1] = rng.integers(6, 12, n)  # a distracting token
    return images, captions, cls


def test_train_dual_encoder_learns_and_logs():
    keras.utils.set_random_seed(0)
    images, captions, cls = _toy_pairs()
    model = _small_model()
    before = retrieval.cosine_similarity(
        retrieval.embed(model, images, "image"), retrieval.embed(model, captions, "caption")
    )
    log = retrieval.train_dual_encoder(
        model,
        {"image": images, "caption": captions},
        steps=120,
        batch_size=32,
        learning_rate=5e-3,
        log_every=40,
    )
    assert list(log.index) == [40, 80, 120] and list(log.columns) == ["loss", "temperature"]
    assert log["loss"].iloc[-1] < log["loss"].iloc[0]
    assert log["temperature"].iloc[-1] != pytest.approx(0.07)  # the temperature is learned
    after = retrieval.cosine_similarity(
        retrieval.embed(model, images, "image"), retrieval.embed(model, captions, "caption")
    )
    same = metrics.positives_from_labels(cls, cls)
    r1 = lambda s: metrics.recall_at_k(s, 1, positives=same)
    assert r1(after) > 0.95 > r1(before)


def test_train_dual_encoder_label_aware_and_fixed_temperature():
    keras.utils.set_random_seed(0)
    images, captions, cls = _toy_pairs()
    model = _small_model(learn_temperature=False, temperature=0.1)
    log = retrieval.train_dual_encoder(
        model,
        {"image": images, "caption": captions},
        steps=60,
        batch_size=32,
        labels=(cls, cls),
        log_every=60,
    )
    assert log["temperature"].iloc[-1] == pytest.approx(0.1, rel=1e-5)
    assert np.isfinite(log["loss"]).all()


def test_train_dual_encoder_refuses_bad_input():
    images, captions, cls = _toy_pairs(64)
    model = _small_model()
    good = {"image": images, "caption": captions}
    with pytest.raises(ValueError, match="inputs must be a dict"):
        retrieval.train_dual_encoder(model, {"image": images}, steps=1)
    with pytest.raises(ValueError, match="same number of pairs"):
        retrieval.train_dual_encoder(model, {"image": images, "caption": captions[:10]}, steps=1)
    with pytest.raises(ValueError, match="larger than the 64"):
        retrieval.train_dual_encoder(model, good, steps=1, batch_size=128)
    with pytest.raises(ValueError, match="steps"):
        retrieval.train_dual_encoder(model, good, steps=0)
    with pytest.raises(TypeError, match="must be an integer"):
        retrieval.train_dual_encoder(model, {"image": images, "caption": captions * 1.0}, steps=1)
    with pytest.raises(TypeError, match="labels must be a pair"):
        retrieval.train_dual_encoder(model, good, steps=1, batch_size=32, labels=cls)
    with pytest.raises(ValueError, match="one row per pair"):
        retrieval.train_dual_encoder(model, good, steps=1, batch_size=32, labels=(cls[:5], cls))
    with pytest.raises(ValueError, match="must be a dual encoder"):
        retrieval.train_dual_encoder(models.image_encoder((8, 8, 3), filters=(4,)), good, steps=1)


def test_embed_refuses_bad_input():
    model = _small_model()
    with pytest.raises(ValueError, match="modality must be one of"):
        retrieval.embed(model, np.zeros((2, 5), "int32"), "sound")
    with pytest.raises(ValueError, match="shape"):
        retrieval.embed(model, np.zeros((2, 16, 16, 3), "float32"), "image")
    with pytest.raises(TypeError, match="integer"):
        retrieval.embed(model, np.zeros((2, 5), "float32"), "caption")


# --- search and zero-shot ---------------------------------------------------------------------------


def test_search_agrees_with_metrics_ranks():
    rng = np.random.default_rng(3)
    q, c = rng.normal(size=(20, 6)), rng.normal(size=(30, 6))
    idx, sim = retrieval.search(q, c, k=4)
    s = retrieval.cosine_similarity(q, c)
    assert idx.shape == sim.shape == (20, 4)
    assert (np.diff(sim, axis=1) <= 0).all()
    assert np.array_equal(idx[:, 0], s.argmax(axis=1))
    assert (metrics.retrieval_ranks(s, idx[:, 0]) == 1).all()
    with pytest.raises(ValueError, match="k must be an integer <= 30"):
        retrieval.search(q, c, k=31)
    with pytest.raises(ValueError, match="columns"):
        retrieval.search(q, c[:, :5])
    with pytest.raises(ValueError, match="all-zero row"):
        retrieval.cosine_similarity(np.zeros((1, 6)), c)


def test_zero_shot_classifier_prompt_ensembling():
    vectors = {
        "a red thing": [1.0, 0.0, 0.0],
        "a blue thing": [0.0, 1.0, 0.0],
        "red": [0.0, 0.0, 1.0],
        "blue": [0.0, 0.0, -1.0],
    }
    encode = lambda prompts: np.array([vectors[p] for p in prompts]) * 3.0  # norms do not matter
    clf = retrieval.zero_shot_classifier(encode, ["red", "blue"], templates=["a {} thing", "{}"])
    assert clf.prompts == [["a red thing", "a blue thing"], ["red", "blue"]]
    red = np.array([1.0, 0.0, 1.0]) / math.sqrt(2)  # mean of the unit vectors, renormalised
    assert np.allclose(clf.class_embeddings[0], red)
    assert np.allclose(clf.class_embeddings[1], np.array([0.0, 1.0, -1.0]) / math.sqrt(2))
    assert clf.predict([[0.5, 0.0, 0.5], [0.0, 1.0, 0.0]]).tolist() == [0, 1]
    single = retrieval.zero_shot_classifier(encode, ["red", "blue"], templates="a {} thing")
    assert single.predict([[0.0, 1.0, 0.0]]).tolist() == [1]
    assert single.scores([[1.0, 0.0, 0.0]]).shape == (1, 2)


def test_zero_shot_classifier_refuses_bad_input():
    encode = lambda prompts: np.eye(len(prompts))
    with pytest.raises(ValueError, match="exactly one"):
        retrieval.zero_shot_classifier(encode, ["red", "blue"], templates=["a red thing"])
    with pytest.raises(TypeError, match="encode_text"):
        retrieval.zero_shot_classifier("encoder", ["red", "blue"])
    with pytest.raises(TypeError, match="one string"):
        retrieval.zero_shot_classifier(encode, "red")
    with pytest.raises(ValueError, match="at least 2"):
        retrieval.zero_shot_classifier(encode, ["red"])
    with pytest.raises(ValueError, match="returned 1 rows"):
        retrieval.zero_shot_classifier(lambda p: np.ones((1, 3)), ["red", "blue"])


# --- relevance and ceilings ------------------------------------------------------------------------


def test_stated_labels_and_relevance():
    labels = pd.DataFrame({"shape": [0, 1, 0], "colour": [2, 2, 3]})
    silent = pd.DataFrame({"shape": [False, True, False], "colour": [False, False, True]})
    said = retrieval.stated_labels(labels, silent)
    assert said.tolist() == [[0, 2], [-1, 2], [0, -1]]
    rel = retrieval.relevance(labels, said)
    # caption 1 ("a ... colour 2 thing") fits images 0 and 1; caption 2 ("a shape 0") fits 0 and 2
    assert rel.astype(int).tolist() == [[1, 1, 1], [0, 1, 0], [0, 0, 1]]
    assert retrieval.relevance([0, 1], [1, 1, 0]).astype(int).tolist() == [[0, 0, 1], [1, 1, 0]]
    with pytest.raises(ValueError, match="same number of columns"):
        retrieval.relevance([[0, 1]], [[0]])
    with pytest.raises(ValueError, match="-1 where the caption is silent"):
        retrieval.relevance([[0]], [[-2]])
    with pytest.raises(ValueError, match="image_labels must be class codes"):
        retrieval.relevance([[-1]], [[0]])
    with pytest.raises(TypeError, match="integer"):
        retrieval.relevance([[0.5]], [[0]])
    with pytest.raises(ValueError, match="shape of labels"):
        retrieval.stated_labels([[0, 1]], [[True]])


def test_recall_ceiling_is_the_expected_recall_of_a_random_tie_breaking_oracle():
    rng = np.random.default_rng(4)
    images = rng.integers(0, 3, (60, 2))
    captions = np.where(rng.random((60, 2)) < 0.4, -1, images)
    rel = retrieval.relevance(images, captions)
    table = retrieval.recall_ceiling(rel, ks=(1, 5))
    # simulate: the oracle scores relevant candidates 1 and others 0, plus tiny random jitter
    sims = [rel + 1e-3 * rng.random(rel.shape) for _ in range(400)]
    r1 = np.mean([metrics.recall_at_k(s.T, 1) for s in sims])
    r5 = np.mean([metrics.recall_at_k(s, 5) for s in sims])
    assert table.loc["text→image", "R@1"] == pytest.approx(r1, abs=0.01)
    assert table.loc["image→text", "R@5"] == pytest.approx(r5, abs=0.01)
    # any-relevant convention: the same oracle is always right
    assert metrics.recall_at_k(sims[0], 1, positives=rel) == 1.0


def test_recall_ceiling_and_false_negative_share_refuse_bad_input():
    with pytest.raises(ValueError, match="square"):
        retrieval.recall_ceiling(np.ones((2, 3), bool))
    with pytest.raises(ValueError, match="relevant to itself"):
        retrieval.recall_ceiling(np.zeros((2, 2), bool))
    with pytest.raises(ValueError, match="ks must be an integer <= 2"):
        retrieval.recall_ceiling(np.eye(2, dtype=bool), ks=(5,))
    with pytest.raises(ValueError, match="names"):
        retrieval.recall_ceiling(np.eye(2, dtype=bool), ks=1, names=("a",))
    assert retrieval.false_negative_share(np.eye(3, dtype=bool)) == 0.0
    assert retrieval.false_negative_share(np.ones((4, 4), bool)) == 1.0
    with pytest.raises(ValueError, match="at least two"):
        retrieval.false_negative_share(np.ones((1, 1), bool))


def test_modality_gap():
    rng = np.random.default_rng(5)
    a = rng.normal(size=(500, 4))
    assert retrieval.modality_gap(a, a) == 0.0
    shifted = retrieval.modality_gap(a + [3, 0, 0, 0], a - [3, 0, 0, 0])
    assert shifted > 1.0
    with pytest.raises(ValueError, match="columns"):
        retrieval.modality_gap(a, a[:, :3])
