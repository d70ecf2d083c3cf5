"""Tests of mmteach.models: encoders, fusion builders, the missing-modality layers."""

import keras
import numpy as np
import pandas as pd
import pytest

from mmteach import models

SHAPES = {"image": (16, 16, 3), "caption": (6,), "sound": (8, 5), "table": (4,)}
VOCAB = 20


def tiny_inputs(n=10, seed=0, shapes=SHAPES):
    rng = np.random.default_rng(seed)
    out = {}
    for m, shape in shapes.items():
        if m == "caption":
            out[m] = rng.integers(1, VOCAB, size=(n, *shape)).astype("int32")
        else:
            out[m] = rng.normal(size=(n, *shape)).astype("float32")
    return out


def predict(model, inputs):
    return np.asarray(model(inputs, training=False))


# --- encoders ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build, shape, kwargs",
    [
        (models.image_encoder, (16, 16, 3), {}),
        (models.image_encoder, (16, 16, 3), {"pooling": "flatten", "filters": (4,)}),
        (models.caption_encoder, (6,), {"vocab_size": VOCAB}),
        (models.caption_encoder, (6,), {"vocab_size": VOCAB, "kind": "pool"}),
        (models.caption_encoder, (6,), {"vocab_size": VOCAB, "kind": "gru"}),
        (models.sound_encoder, (8, 5), {}),
        (models.table_encoder, (4,), {}),
    ],
)
def test_encoders_return_one_embedding_per_example(build, shape, kwargs):
    enc = build(shape, embed_dim=7, **kwargs)
    name = enc.inputs[0].name
    x = tiny_inputs(3, shapes={name: shape})[name]
    assert predict(enc, x).shape == (3, 7)


def test_encoder_dispatches_by_modality():
    for m, shape in SHAPES.items():
        enc = models.encoder(m, shape, embed_dim=5, vocab_size=VOCAB)
        assert enc.name == f"{m}_encoder" and enc.output.shape == (None, 5)
    with pytest.raises(ValueError, match="unknown modality 'video'"):
        models.encoder("video", (4,))
    with pytest.raises(ValueError, match="vocab_size is required"):
        models.encoder("caption", (6,))


def test_encoder_argument_errors():
    with pytest.raises(ValueError, match="one axis too many.*without the batch axis"):
        models.image_encoder((100, 16, 16, 3))
    with pytest.raises(ValueError, match="must have 3 axis"):
        models.image_encoder((16, 16))
    with pytest.raises(ValueError, match="too small for 2 strided"):
        models.image_encoder((3, 3, 3))
    with pytest.raises(ValueError, match="pooling must be"):
        models.image_encoder((16, 16, 3), pooling="mean")
    with pytest.raises(ValueError, match="kind must be .bag., .pool. or .gru."):
        models.caption_encoder((6,), vocab_size=VOCAB, kind="lstm")
    with pytest.raises(TypeError, match="embed_dim must be an integer"):
        models.sound_encoder((8, 5), embed_dim=2.5)
    with pytest.raises(ValueError, match="positive integers"):
        models.sound_encoder((8, 0))


def test_dense_on_an_image_is_explained():
    with pytest.raises(ValueError, match=r"Dense acts on the last axis only.*Flatten"):
        models.table_encoder((32, 32, 3))
    with pytest.raises(ValueError, match=r"looks like an image.*\(32, 32, 'units'\).*Flatten"):
        models.intermediate_fusion({"table": (32, 32, 3)}, n_classes=2)


# --- fusion builders -----------------------------------------------------------------

KINDS = [
    ("early", {}),
    ("late", {"combine": "average"}),
    ("late", {"combine": "weighted"}),
    ("late", {"combine": "learned"}),
    ("intermediate", {}),
    ("attention", {}),
]


@pytest.mark.parametrize("kind, kwargs", KINDS, ids=lambda v: str(v))
def test_every_fusion_builds_and_predicts_probabilities(kind, kwargs):
    model = models.FUSIONS[kind](SHAPES, 3, vocab_size=VOCAB, embed_dim=8, hidden=8, **kwargs)
    assert sorted(model.input) == sorted(SHAPES)
    assert model.get_layer("prediction") is not None
    p = predict(model, tiny_inputs(5))
    assert p.shape == (5, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)
    # a missing modality (zeros) still gives a probability for every class
    p = predict(model, models.drop_modalities(tiny_inputs(5), ["image", "sound"]))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-5)


def test_unimodal_needs_exactly_one_modality():
    model = models.unimodal({"sound": (8, 5)}, n_classes=4)
    assert model.name == "unimodal_sound" and model.output.shape == (None, 4)
    with pytest.raises(ValueError, match="exactly one modality"):
        models.unimodal({"sound": (8, 5), "table": (4,)}, n_classes=4)


@pytest.mark.parametrize("build", list(models.FUSIONS.values()) + [models.unimodal])
def test_builders_check_their_arguments(build):
    with pytest.raises(ValueError, match="unknown modality 'audio'"):
        build({"audio": (4,)}, 2)
    with pytest.raises(TypeError, match="input_shapes must be a dict"):
        build([(4,)], 2)
    with pytest.raises(ValueError, match="n_classes must be an integer >= 2"):
        build({"table": (4,)}, 1)
    with pytest.raises(ValueError, match="vocab_size is required"):
        build({"caption": (6,)}, 2)
    with pytest.raises(ValueError, match="modality_dropout must be a probability in"):
        build({"table": (4,)}, 2, modality_dropout=1.0)
    with pytest.raises(ValueError, match="at least 1 modality"):
        build({}, 2)
    with pytest.raises(ValueError, match=r"one axis too many.*\(4,\)"):
        build({"table": (500, 4)}, 2)


def test_late_and_early_specific_errors():
    with pytest.raises(ValueError, match="combine must be one of"):
        models.late_fusion({"table": (4,)}, 2, combine="max")
    with pytest.raises(ValueError, match="pool=8 is larger than the sound"):
        models.early_fusion({"sound": (4, 5)}, 2, pool=8)


def test_late_fusion_is_a_sum_of_one_modality_terms():
    """Why late fusion cannot learn synergy: with an average, p(a, b) = (f(a) + g(b)) / 2."""
    shapes = {"image": (16, 16, 3), "table": (4,)}
    model = models.late_fusion(shapes, 2, combine="average")
    a, b = tiny_inputs(2, seed=1, shapes=shapes), tiny_inputs(2, seed=2, shapes=shapes)
    swap = {"image": a["image"], "table": b["table"]}
    swap2 = {"image": b["image"], "table": a["table"]}
    lhs = predict(model, a) + predict(model, b)
    rhs = predict(model, swap) + predict(model, swap2)
    np.testing.assert_allclose(lhs, rhs, atol=1e-5)
    # intermediate fusion has no such constraint
    model = models.intermediate_fusion(shapes, 2)
    lhs = predict(model, a) + predict(model, b)
    rhs = predict(model, swap) + predict(model, swap2)
    assert np.abs(lhs - rhs).max() > 1e-4


def test_late_average_without_a_modality_is_the_other_modality_vote():
    shapes = {"image": (16, 16, 3), "table": (4,)}
    model = models.late_fusion(shapes, 3, combine="average")
    x = tiny_inputs(4, shapes=shapes)
    vote = keras.Model(model.inputs, model.get_layer("vote_table").output)
    expected = np.asarray(vote(x, training=False))
    got = predict(model, models.drop_modalities(x, ["image"]))
    np.testing.assert_allclose(got, expected, atol=1e-6)


def _voters(shapes, n_classes):
    build = models.unimodal
    return {m: build({m: s}, n_classes, vocab_size=VOCAB, embed_dim=8, hidden=8) for m, s in shapes.items()}


def test_late_fusion_with_members_averages_the_trained_models_votes():
    shapes = {"image": (16, 16, 3), "caption": (6,), "table": (4,)}
    voters = _voters(shapes, 3)
    x = tiny_inputs(6, shapes=shapes)
    model = models.late_fusion(shapes, 3, members=voters)  # vocab_size not needed: the voter has it
    assert model.trainable_weights == []  # frozen voters: an average has nothing to learn
    expected = np.mean([predict(voters[m], {m: x[m]}) for m in shapes], axis=0)
    np.testing.assert_allclose(predict(model, x), expected, atol=1e-5)
    # a missing modality is left out of the average
    expected = np.mean([predict(voters[m], {m: x[m]}) for m in ("image", "table")], axis=0)
    np.testing.assert_allclose(predict(model, models.drop_modalities(x, ["caption"])), expected, atol=1e-5)


@pytest.mark.parametrize("combine", ["weighted", "learned"])
def test_late_fusion_with_members_learns_only_the_combiner_unless_asked(combine):
    shapes = {"image": (16, 16, 3), "table": (4,)}
    voters = _voters(shapes, 2)
    frozen = models.late_fusion(shapes, 2, combine=combine, members=voters)
    n_combiner = 1 if combine == "weighted" else 2  # weighted: a vector of logits; learned: kernel, bias
    assert len(frozen.trainable_weights) == n_combiner
    before = [w.numpy().copy() for w in voters["table"].weights]
    x, y = tiny_inputs(64, shapes=shapes), np.arange(64) % 2
    frozen.compile(optimizer=keras.optimizers.Adam(0.05), loss="sparse_categorical_crossentropy")
    frozen.fit(x, y, epochs=2, batch_size=32, verbose=0)
    for a, b in zip(before, voters["table"].weights):
        np.testing.assert_array_equal(a, b.numpy())  # the voters did not move
    unfrozen = models.late_fusion(shapes, 2, combine=combine, members=_voters(shapes, 2), train_members=True)
    assert len(unfrozen.trainable_weights) > n_combiner


def test_late_fusion_members_errors():
    shapes = {"image": (16, 16, 3), "table": (4,)}
    voters = _voters(shapes, 3)
    with pytest.raises(TypeError, match="members must be a dict"):
        models.late_fusion(shapes, 3, members=list(voters.values()))
    with pytest.raises(ValueError, match=r"one model per modality of input_shapes \['image', 'table'\]"):
        models.late_fusion(shapes, 3, members={"image": voters["image"]})
    with pytest.raises(TypeError, match=r"members\['table'\] must be a keras.Model"):
        models.late_fusion(shapes, 3, members={**voters, "table": "model.keras"})
    with pytest.raises(ValueError, match=r"members\['table'\] expects inputs of shape \(4,\).*\(5,\)"):
        models.late_fusion({"image": (16, 16, 3), "table": (5,)}, 3, members=voters)
    with pytest.raises(ValueError, match=r"class probabilities of shape \(2,\), got \[\(3,\)\]"):
        models.late_fusion(shapes, 2, members=voters)
    two_inputs = models.intermediate_fusion(shapes, 3)
    with pytest.raises(ValueError, match="must take one input"):
        models.late_fusion(shapes, 3, members={**voters, "image": two_inputs})


def test_intermediate_fusion_learns_a_table_rule_quickly():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = {"table": rng.normal(size=(512, 4)).astype("float32")}
    y = (x["table"][:, 0] + x["table"][:, 1] > 0).astype(int)
    model = models.intermediate_fusion({"table": (4,)}, 2, embed_dim=8, hidden=16)
    model.compile(optimizer=keras.optimizers.Adam(0.02), loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=8, batch_size=64, verbose=0)
    assert np.mean(predict(model, x).argmax(axis=1) == y) > 0.9


# --- layers --------------------------------------------------------------------------


def test_modality_presence_marks_all_zero_rows():
    image = np.ones((3, 4, 4, 3), "float32")
    image[1] = 0
    caption = np.array([[3, 0], [0, 0], [0, 5]], "int32")
    mask = np.asarray(models.ModalityPresence()([image, caption]))
    assert mask.tolist() == [[1, 1], [0, 0], [1, 1]]


def test_modality_dropout_in_training_only():
    a, b, c = (np.ones((4000, d), "float32") for d in (3, 2, 5))
    layer = models.ModalityDropout(0.4, seed=1)
    for out in layer([a, b, c]):
        assert np.all(np.asarray(out) == 1)
    outs = [np.asarray(t)[:, 0] for t in layer([a, b, c], training=True)]
    kept = np.stack(outs, axis=1)
    assert set(np.unique(kept)) <= {0.0, 1.0}
    assert kept.sum(axis=1).min() >= 1  # never every modality of a sample
    # each modality: kept with probability 0.6, plus a third of the 0.4**3 rescues
    expected = 0.6 + 0.4**3 / 3
    assert np.all(np.abs(kept.mean(axis=0) - expected) < 0.03)
    # whole modalities are dropped: a row is all kept or all zero
    full = np.asarray(layer([a, b, c], training=True)[2])
    assert np.all((full == 0).all(axis=1) | (full == 1).all(axis=1))


def test_modality_dropout_respects_missing_modalities():
    a, b = np.ones((2000, 3), "float32"), np.ones((2000, 3), "float32")
    present = np.zeros((2000, 2), "float32")
    present[:, 1] = 1  # modality a is missing everywhere
    layer = models.ModalityDropout(0.5, seed=0, return_mask=True)
    out_a, out_b, mask = (np.asarray(t) for t in layer([a, b], present=present, training=True))
    assert np.all(out_a == 0) and np.all(out_b == 1)  # b is the only one left: always kept
    assert np.all(np.asarray(mask) == present)
    out_a, out_b, mask = (np.asarray(t) for t in layer([a, b], present=present))
    assert np.all(out_a == 0) and np.all(out_b == 1)


def test_modality_dropout_config_and_errors():
    layer = models.ModalityDropout(0.25, seed=3, return_mask=True, name="md")
    config = layer.get_config()
    assert config["rate"] == 0.25 and config["seed"] == 3 and config["return_mask"] is True
    clone = models.ModalityDropout.from_config(config)
    assert clone.rate == 0.25 and clone.name == "md"
    with pytest.raises(ValueError, match="rate must be a probability in"):
        models.ModalityDropout(1.5)
    with pytest.raises(TypeError, match="rate must be a probability"):
        models.ModalityDropout("0.3")


def test_modality_attention_weights():
    e = [np.ones((3, 4), "float32"), np.full((3, 4), 2.0, "float32")]
    present = np.array([[1, 1], [1, 0], [0, 1]], "float32")
    fused, weights = (np.asarray(t) for t in models.ModalityAttention(units=3)(e, present=present))
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, atol=1e-6)
    assert weights[1, 1] == 0 and weights[2, 0] == 0
    np.testing.assert_allclose(fused[1], e[0][1], atol=1e-6)
    np.testing.assert_allclose(fused[2], e[1][2], atol=1e-6)
    assert models.ModalityAttention(units=5).get_config()["units"] == 5
    with pytest.raises(ValueError, match="embeddings of one size"):
        models.ModalityAttention()([np.ones((2, 4), "float32"), np.ones((2, 3), "float32")])


def test_combine_predictions():
    p = [np.array([[1.0, 0.0]], "float32"), np.array([[0.0, 1.0]], "float32")]
    layer = models.CombinePredictions("weighted")
    np.testing.assert_allclose(np.asarray(layer(p)), [[0.5, 0.5]], atol=1e-6)
    np.testing.assert_allclose(layer.modality_weights(), [0.5, 0.5], atol=1e-6)
    assert models.CombinePredictions("average").modality_weights() is None
    assert models.CombinePredictions("average").get_config()["combine"] == "average"
    with pytest.raises(ValueError, match="combine must be 'average' or 'weighted'"):
        models.CombinePredictions("learned")


def test_models_with_custom_layers_save_and_load(tmp_path):
    model = models.attention_fusion(SHAPES, 3, vocab_size=VOCAB, modality_dropout=0.2, seed=1)
    x = tiny_inputs(4)
    path = tmp_path / "attention.keras"
    model.save(path)
    again = keras.models.load_model(path)
    np.testing.assert_allclose(predict(again, x), predict(model, x), atol=1e-5)
    assert again.get_layer("modality_dropout").rate == 0.2


# --- using the models ------------------------------------------------------------------


def test_drop_modalities():
    x = tiny_inputs(3)
    out = models.drop_modalities(x, "caption")
    assert np.all(out["caption"] == 0) and out["caption"].dtype == x["caption"].dtype
    assert np.all(out["image"] == x["image"]) and np.any(x["caption"] != 0)  # input untouched
    with pytest.raises(ValueError, match="cannot drop 'video'"):
        models.drop_modalities(x, ["video"])
    with pytest.raises(TypeError, match="inputs must be a dict"):
        models.drop_modalities([x["image"]], ["image"])


def test_check_inputs():
    model = models.intermediate_fusion({"image": (16, 16, 3), "table": (4,)}, 2)
    x = tiny_inputs(6, shapes={"image": (16, 16, 3), "table": (4,)})
    assert models.check_inputs(model, x, np.zeros(6)) == 6
    with pytest.raises(ValueError, match=r"lacks \['table'\].*drop_modalities"):
        models.check_inputs(model, {"image": x["image"]})
    with pytest.raises(ValueError, match=r"has \['sound'\], which the model"):
        models.check_inputs(model, {**x, "sound": np.zeros((6, 8, 5))})
    with pytest.raises(ValueError, match=r"inputs\['image'\] has shape \(6, 32, 32, 3\)"):
        models.check_inputs(model, {**x, "image": np.zeros((6, 32, 32, 3))})
    with pytest.raises(ValueError, match="different numbers of rows"):
        models.check_inputs(model, {**x, "table": np.zeros((5, 4))})
    with pytest.raises(ValueError, match="labels have 5 rows but inputs have 6"):
        models.check_inputs(model, x, np.zeros(5))
    with pytest.raises(TypeError, match="inputs must be a dict"):
        models.check_inputs(model, x["image"])
    with pytest.raises(TypeError, match="model must be a keras.Model"):
        models.check_inputs("model", x)


def test_check_inputs_wants_one_label_array_per_output():
    inp = keras.Input((4,), name="table")
    h = keras.layers.Dense(3)(inp)
    two = keras.Model(inp, [keras.layers.Dense(1, name="a")(h), keras.layers.Dense(1, name="b")(h)])
    x = {"table": np.zeros((5, 4), "float32")}
    with pytest.raises(ValueError, match="2 outputs.*one label array per output"):
        models.check_inputs(two, x, np.zeros(5))
    assert models.check_inputs(two, x, {"a": np.zeros(5), "b": np.zeros(5)}) == 5


def test_modality_weights_are_named_in_builder_order():
    shapes = {"table": (4,), "image": (16, 16, 3), "caption": (6,)}
    model = models.attention_fusion(shapes, 2, vocab_size=VOCAB)
    x = tiny_inputs(7, shapes=shapes)
    w = models.modality_weights(model, x, batch_size=3)
    assert isinstance(w, pd.DataFrame) and w.shape == (7, 3)
    assert list(w.columns) == ["image", "caption", "table"]  # models.MODALITIES order
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-5)
    w = models.modality_weights(model, models.drop_modalities(x, ["caption"]))
    assert np.all(w["caption"] == 0)
    with pytest.raises(ValueError, match="no 'modality_attention' layer"):
        models.modality_weights(models.intermediate_fusion(shapes, 2, vocab_size=VOCAB), x)
