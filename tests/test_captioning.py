"""Tests of mmteach.captioning: tokens, the Shapes world's language, models and decoding."""

import keras
import numpy as np
import pytest

from mmteach import captioning, datasets


@pytest.fixture(scope="module")
def scenes():
    return datasets.make_scenes(200, seed=3)


# --- tokens -------------------------------------------------------------------------


def test_tokenizer_round_trips_and_frames_with_markers(scenes):
    tok = captioning.CaptionTokenizer(max_words=12).fit(scenes.captions)
    ids = tok.transform(scenes.captions)
    assert ids.shape == (len(scenes), 14) and ids.dtype == np.int32
    assert (ids[:, 0] == 2).all()
    assert ((ids == 3).sum(axis=1) == 1).all()
    back = tok.inverse_transform(ids)
    want = [" ".join(tok_words) for tok_words in map(captioning.CaptionVectorizer.tokenize, scenes.captions)]
    assert back == want
    assert tok.vocabulary_[:4] == ["", "[UNK]", "<start>", "<end>"]


def test_tokenizer_unknown_words_and_errors():
    tok = captioning.CaptionTokenizer(max_words=3).fit(["a red box"])
    assert tok.transform(["a blue box"]).tolist() == [[2, 4, 1, 5, 3]]
    with pytest.raises(ValueError, match="captions\\[0\\] has 4 words, more than max_words=3"):
        tok.transform(["a red red box"])
    with pytest.raises(TypeError, match="one string"):
        tok.transform("a red box")
    with pytest.raises(ValueError, match="ids must be in \\[0, 6\\]"):
        tok.inverse_transform([[2, 9, 3]])
    with pytest.raises(TypeError, match="integer"):
        tok.inverse_transform([[2.5, 3.0]])
    with pytest.raises(ValueError, match="max_words must be an integer >= 1"):
        captioning.CaptionTokenizer(max_words=0).fit(["a"])
    # reading stops at the first end marker
    assert tok.inverse_transform([[2, 4, 3, 6, 6]]) == ["a"]


def test_teacher_forcing_shifts_by_one():
    inputs, targets = captioning.teacher_forcing([[2, 7, 8, 3, 0]])
    assert inputs.tolist() == [[2, 7, 8, 3]] and targets.tolist() == [[7, 8, 3, 0]]
    with pytest.raises(ValueError, match="at least 2 columns"):
        captioning.teacher_forcing([[2]])
    with pytest.raises(TypeError, match="integer"):
        captioning.teacher_forcing([[2.0, 3.0]])


# --- the Shapes world's language ---------------------------------------------------------


def test_all_captions_contains_every_caption_the_generator_writes(scenes):
    refs = captioning.all_captions(scenes.attributes, scenes.silent["caption"])
    assert all(c in r for c, r in zip(scenes.captions, refs))
    assert max(len(r) for r in refs) <= 324
    # and every reference states exactly the scene's unsilenced attributes
    for i in range(0, 200, 37):
        stated = captioning.parse_captions(refs[i])
        for a in datasets.ATTRIBUTES:
            want = None if scenes.silent["caption"].loc[i, a] else scenes.attributes.loc[i, a]
            assert (stated[a].to_numpy(dtype=object) == want).all() if want else stated[a].isna().all()


def test_write_captions_follows_silences(scenes):
    grounded = captioning.write_captions(scenes.attributes, scenes.silent["image"], seed=1)
    stated = captioning.parse_captions(grounded)
    shown = ~scenes.silent["image"]
    for a in datasets.ATTRIBUTES:
        said = stated[a].notna().to_numpy()
        assert np.array_equal(said, shown[a].to_numpy())
        assert (stated[a][said] == scenes.attributes[a][said]).all()
    full = captioning.parse_captions(captioning.write_captions(scenes.attributes, seed=1))
    assert full.notna().all().all()
    with pytest.raises(ValueError, match="missing the column"):
        captioning.write_captions(scenes.attributes.drop(columns="size"))
    with pytest.raises(TypeError, match="DataFrame"):
        captioning.write_captions(scenes.attributes.to_numpy())
    bad = scenes.attributes.copy()
    bad.loc[0, "colour"] = "purple"
    with pytest.raises(ValueError, match="purple"):
        captioning.write_captions(bad)


def test_parse_captions_synonyms_conflicts_and_unknown_words():
    stated = captioning.parse_captions(
        [
            "in the bottom-right, a huge navy plus sign",
            "a thing",
            "a red blue box",
            "the picture shows a pyramid",
        ]
    )
    assert stated.iloc[0].to_dict() == {
        "shape": "cross",
        "colour": "blue",
        "size": "large",
        "position": "bottom right",
    }
    assert stated.iloc[1].isna().all()
    assert stated.loc[2, "colour"] == "red+blue"
    assert stated.loc[3, "shape"] == "triangle"
    fragment = captioning.parse_captions(["in the top left a small golden left"]).iloc[0]
    assert fragment["position"] == "top left" and fragment["shape"] is None
    with pytest.raises(ValueError, match="'purple'"):
        captioning.parse_captions(["a purple box"])
    assert captioning.parse_captions(["a purple box"], unknown="ignore").loc[0, "shape"] == "square"
    with pytest.raises(ValueError, match="unknown must be one of"):
        captioning.parse_captions(["a box"], unknown="skip")
    with pytest.raises(TypeError, match="one string"):
        captioning.parse_captions("a box")


def test_content_report_and_hallucination_rate(scenes):
    shown = ~scenes.silent["image"]
    grounded = captioning.parse_captions(
        captioning.write_captions(scenes.attributes, scenes.silent["image"], seed=2)
    )
    report = captioning.content_report(grounded, scenes.attributes, shown)
    assert np.allclose(report["right"], 1.0)
    assert np.allclose(report.loc[list(datasets.ATTRIBUTES), "gap"], 0.0)
    assert captioning.hallucination_rate(grounded, shown) == 0.0
    full = captioning.parse_captions(captioning.write_captions(scenes.attributes, seed=2))
    report = captioning.content_report(full, scenes.attributes, shown)
    for a in datasets.ATTRIBUTES:
        assert np.isclose(report.loc[a, "hallucinated"], 1 - shown[a].mean())
        assert np.isclose(report.loc[a, "states truth"], 1.0)
    rate = captioning.hallucination_rate(full, shown)
    assert np.isclose(rate, 1 - (shown["colour"] & shown["shape"]).mean())
    size_rate = captioning.hallucination_rate(full, shown, attributes=("size",))
    assert np.isclose(size_rate, 1 - shown["size"].mean())
    with pytest.raises(ValueError, match="expected 200"):
        captioning.content_report(full.iloc[:5], scenes.attributes, shown)
    with pytest.raises(ValueError, match="attributes must be one of"):
        captioning.hallucination_rate(full, shown, attributes=("mood",))


# --- models and decoding -------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny():
    keras.utils.set_random_seed(1)
    cap = captioning.captioner((6,), vocab_size=9, steps=5, units=8)
    att = captioning.attention_captioner((4, 4, 3), vocab_size=9, steps=5, units=8, key_dim=4)
    rng = np.random.default_rng(0)
    return cap, att, rng.random((7, 6)).astype("float32"), rng.random((7, 4, 4, 3)).astype("float32")


def _log_prob(cap, images, ids):
    """Log-probability of decoded ids (no markers) under the training model."""
    n, steps = len(ids), cap.model.input["tokens"].shape[1]
    full = np.zeros((n, steps + 1), dtype=np.int32)
    full[:, 0] = 2
    for i, row in enumerate(ids):
        words = [w for w in row if w]
        seq = [*words, 3][:steps]
        full[i, 1 : len(seq) + 1] = seq
    inputs, targets = captioning.teacher_forcing(full)
    probs = np.asarray(cap.model({"image": images, "tokens": inputs}))
    lp = np.log(np.take_along_axis(probs, targets[..., None], axis=2)[..., 0])
    keep = np.zeros_like(lp, dtype=bool)
    for i, row in enumerate(ids):
        keep[i, : min(int((row != 0).sum()) + 1, steps)] = True
    return (lp * keep).sum(axis=1)


def test_builders_shapes_and_shared_weights(tiny):
    cap, att, x, fm = tiny
    assert cap.model.output.shape == (None, 5, 9)
    assert set(cap.step.output) == {"probs", "state", "start"}
    assert set(att.step.output) == {"probs", "state", "start", "attention"}
    # the step model shares the training model's weights: one step of each agrees
    tokens = np.full((7, 5), 2, dtype=np.int32)
    for c, image in ((cap, x), (att, fm)):
        full = np.asarray(c.model({"image": image, "tokens": tokens}))
        zeros = np.zeros((7, 8))
        state = np.asarray(c.step({"image": image, "token": tokens[:, :1], "state": zeros})["start"])
        one = c.step({"image": image, "token": tokens[:, :1], "state": state})
        assert np.allclose(full[:, 0], np.asarray(one["probs"]), atol=1e-5)
    a = np.asarray(att.step({"image": fm, "token": tokens[:, :1], "state": np.zeros((7, 8))})["attention"])
    assert a.shape == (7, 16) and np.allclose(a.sum(axis=1), 1, atol=1e-5)
    # feed="init": the image only reaches the decoder through the first state
    init = captioning.captioner((6,), vocab_size=9, steps=5, units=8, feed="init")
    names = [layer.name for layer in init.model.layers]
    assert not any("repeat_vector" in n for n in names)
    with pytest.raises(ValueError, match="feed must be one of"):
        captioning.captioner((6,), vocab_size=9, steps=5, feed="sometimes")
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        captioning.captioner((6,), vocab_size=9, steps=0)
    with pytest.raises(ValueError, match="image_shape must have 1 axes"):
        captioning.captioner((32, 32, 3), vocab_size=9, steps=5)


def test_greedy_equals_beam_of_width_one_and_beam_scores_higher(tiny):
    cap, att, x, fm = tiny
    for c, image in ((cap, x), (att, fm)):
        greedy = captioning.greedy_decode(c, image, max_len=4)
        assert greedy.shape == (7, 4)
        assert np.array_equal(greedy, captioning.beam_search(c, image, width=1, max_len=4))
        beam = captioning.beam_search(c, image, width=4, max_len=4)
        finished = lambda ids: (ids == 0).any(axis=1)  # noqa: E731  (ended before max_len)
        both = finished(greedy) & finished(beam)
        assert (_log_prob(c, image, beam)[both] >= _log_prob(c, image, greedy)[both] - 1e-4).all()
    _, maps = captioning.greedy_decode(att, fm, max_len=4, return_attention=True)
    assert maps.shape == (7, 4, 16)


def test_decoding_refuses_bad_input(tiny):
    cap, att, x, fm = tiny
    with pytest.raises(ValueError, match="width must be an integer >= 1"):
        captioning.beam_search(cap, x, width=0)
    with pytest.raises(ValueError, match="max_len must be an integer >= 1"):
        captioning.greedy_decode(cap, x, max_len=0)
    with pytest.raises(ValueError, match="images must have shape \\(n, 6\\)"):
        captioning.greedy_decode(cap, fm)
    with pytest.raises(TypeError, match="floating-point"):
        captioning.greedy_decode(cap, np.ones((2, 6), dtype=int))
    with pytest.raises(ValueError, match="needs an attention_captioner"):
        captioning.greedy_decode(cap, x, return_attention=True)
    with pytest.raises(TypeError, match="step must be a Captioner"):
        captioning.greedy_decode(cap.model, x)


def test_fit_captioner_learns_a_fixed_caption():
    keras.utils.set_random_seed(0)
    tok = captioning.CaptionTokenizer(max_words=4).fit(["a red box", "a blue disc"])
    ids = tok.transform(["a red box"] * 32 + ["a blue disc"] * 32)
    x = np.concatenate([np.ones((32, 3)), np.zeros((32, 3))]).astype("float32")
    cap = captioning.captioner((3,), tok.vocab_size, tok.sequence_length - 1, units=16)
    losses = captioning.fit_captioner(cap, x, ids, steps=60, batch_size=16, learning_rate=0.02)
    assert len(losses) == 60 and losses[-1] < 0.1 * losses[0]
    assert tok.inverse_transform(captioning.greedy_decode(cap, x[[0, -1]])) == ["a red box", "a blue disc"]
    with pytest.raises(ValueError, match="ids must have 6 columns"):
        captioning.fit_captioner(cap, x, ids[:, :4], steps=1)
    with pytest.raises(ValueError, match="images has 3 rows but ids has 64"):
        captioning.fit_captioner(cap, x[:3], ids, steps=1)


def test_attribute_classifier_and_features():
    model = captioning.attribute_classifier(hidden=8, filters=(4, 4))
    f = captioning.image_features(model, np.zeros((3, 32, 32, 3), "float32"), batch_size=2)
    assert f["features"].shape == (3, 8) and f["feature_map"].shape == (3, 8, 8, 4)
    with pytest.raises(ValueError, match="images must have shape \\(n, 32, 32, 3\\)"):
        captioning.image_features(model, np.zeros((3, 16, 16, 3), "float32"))
    with pytest.raises(ValueError, match="divide by 255"):
        captioning.object_boxes(np.full((1, 32, 32, 3), 200.0))


# --- where attention looks -------------------------------------------------------------------


def test_object_boxes_and_attention_in_box():
    scenes = datasets.make_scenes(50, seed=4, silence=0.0)
    boxes = captioning.object_boxes(scenes.images)
    top = boxes[:, 0] < 16
    assert np.array_equal(top, scenes.attributes["position"].str.startswith("top").to_numpy())
    width = boxes[:, 3] - boxes[:, 2] + 1
    large = scenes.attributes["size"].eq("large").to_numpy()
    assert width[large].min() > width[~large].max()
    # uniform attention scores the box's share of the image; attention on the box scores 1
    uniform = np.full((50, 64), 1 / 64)
    area = (boxes[:, 1] - boxes[:, 0] + 1) * (boxes[:, 3] - boxes[:, 2] + 1) / 32**2
    assert np.allclose(captioning.attention_in_box(uniform, boxes), area)
    one_cell = np.zeros((1, 64))
    one_cell[0, 9] = 1.0  # region row 1, column 1: pixels 4-7
    assert captioning.attention_in_box(one_cell, np.array([[4, 7, 4, 7]]))[0] == 1.0
    assert captioning.attention_in_box(one_cell, np.array([[4, 5, 4, 7]]))[0] == 0.5
    with pytest.raises(ValueError, match="square grid"):
        captioning.attention_in_box(np.ones((1, 10)) / 10, np.array([[0, 1, 0, 1]]))
    with pytest.raises(ValueError, match="boxes must have shape \\(1, 4\\)"):
        captioning.attention_in_box(one_cell, np.array([[0, 1, 0]]))
    with pytest.raises(ValueError, match="no object"):
        captioning.object_boxes(np.zeros((1, 32, 32, 3), "float32"))


def test_module_doctests():
    import doctest

    result = doctest.testmod(captioning, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 5
