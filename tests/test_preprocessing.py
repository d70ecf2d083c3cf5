"""Tests of mmteach.preprocessing (Chapter 2)."""

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from mmteach import datasets
from mmteach.preprocessing import (
    PAD,
    UNK,
    CaptionVectorizer,
    ImageScaler,
    JoinReport,
    ShapesPreprocessor,
    SpectrogramScaler,
    TablePreprocessor,
    clean_scenes,
    find_defects,
    join_by_key,
    make_table_transformer,
    spectrogram,
    to_dataset,
)


@pytest.fixture(scope="module")
def splits():
    scenes = datasets.make_scenes(600, seed=3)
    return datasets.train_val_test_split(scenes, sizes=(0.6, 0.2, 0.2), seed=0)


@pytest.fixture(scope="module")
def messy():
    return datasets.make_scenes(800, seed=5, messy=True, defect_rate=0.05)


# --- spectrogram (kept from Chapter 1) ---------------------------------------------


def test_spectrogram_shape_and_peak():
    t = np.arange(2000) / 8000
    spec = spectrogram(np.sin(2 * np.pi * 500 * t), max_hz=2000)
    assert spec.shape == (28, 65)
    assert spec.mean(axis=0).argmax() == 16  # 500 Hz / 31.25 Hz per bin
    with pytest.raises(ValueError, match="NaN"):
        spectrogram(np.full(300, np.nan))


# --- ImageScaler -------------------------------------------------------------------


def test_image_scaler_standardises_per_channel_and_inverts(splits):
    train, val, _ = splits
    scaler = ImageScaler()
    z = scaler.fit_transform(train.images)
    assert z.dtype == np.float32 and z.shape == train.images.shape
    np.testing.assert_allclose(z.mean(axis=(0, 1, 2)), 0, atol=1e-4)
    np.testing.assert_allclose(z.std(axis=(0, 1, 2)), 1, atol=1e-3)
    back = scaler.inverse_transform(scaler.transform(val.images))
    np.testing.assert_allclose(back, val.images, atol=1e-5)


def test_image_scaler_state_comes_from_train_only(splits):
    train, val, _ = splits
    scaler = ImageScaler().fit(train.images)
    train_mean = train.images.mean(axis=(0, 1, 2), dtype=float)
    np.testing.assert_allclose(scaler.mean_, train_mean, rtol=1e-5)
    all_mean = np.concatenate([train.images, val.images]).mean(axis=(0, 1, 2), dtype=float)
    assert not np.allclose(scaler.mean_, all_mean, rtol=1e-6, atol=0)
    before = scaler.mean_.copy()
    scaler.transform(val.images)
    np.testing.assert_array_equal(scaler.mean_, before)
    assert scaler.n_samples_seen_ == len(train)


def test_image_scaler_uint8_and_single_scale():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (10, 4, 4, 3), dtype=np.uint8)
    scaler = ImageScaler(per_channel=False).fit(images)
    assert np.allclose(scaler.mean_, scaler.mean_[0])
    np.testing.assert_allclose(scaler.mean_[0], images.mean() / 255, rtol=1e-5)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(images)), images / 255,
                               atol=1e-5)


def test_image_scaler_errors(splits):
    train, _, _ = splits
    with pytest.raises(NotFittedError, match="fit"):
        ImageScaler().transform(train.images)
    with pytest.raises(ValueError, match="4 dimensions"):
        ImageScaler().fit(train.images[0])
    with pytest.raises(TypeError, match="numeric"):
        ImageScaler().fit(np.array([["a"]], dtype=object))
    bad = train.images.copy()
    bad[3, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        ImageScaler().fit(bad)
    scaler = ImageScaler().fit(train.images)
    with pytest.raises(ValueError, match="shape"):
        scaler.transform(train.images[:, :16])
    with pytest.raises(ValueError, match="empty"):
        ImageScaler().fit(np.zeros((0, 4, 4, 3)))


def test_augment_shifts_without_wrapping_and_flips():
    images = np.zeros((200, 9, 9, 1), np.float32)
    images[:, 4, 4, 0] = 1.0
    out = ImageScaler().augment(images, seed=1, max_shift=2)
    assert out.shape == images.shape and out.dtype == np.float32
    rows, cols = np.nonzero(out[..., 0].sum(axis=0))
    assert set(rows) == {2, 3, 4, 5, 6} and set(cols) == {2, 3, 4, 5, 6}
    np.testing.assert_allclose(out.sum(axis=(1, 2, 3)), 1.0)  # nothing lost or wrapped
    np.testing.assert_array_equal(out, ImageScaler().augment(images, seed=1, max_shift=2))
    edge = np.zeros((50, 5, 5, 1), np.float32)
    edge[:, :, 0, 0] = 1.0  # a bright left column: mirroring moves it to the right
    flipped = ImageScaler().augment(edge, seed=0, max_shift=0, flip=True)
    moved = flipped[:, 2, 4, 0] == 1.0
    assert 10 < moved.sum() < 40
    np.testing.assert_array_equal(ImageScaler().augment(edge, max_shift=0), edge)
    with pytest.raises(ValueError, match="max_shift"):
        ImageScaler().augment(edge, max_shift=5)
    with pytest.raises(ValueError, match="seed"):
        ImageScaler().augment(edge, seed=-1)
    with pytest.raises(TypeError, match="flip"):
        ImageScaler().augment(edge, flip="yes")


# --- CaptionVectorizer -------------------------------------------------------------


def test_caption_vectorizer_vocabulary_padding_unk_and_inverse():
    vec = CaptionVectorizer(max_len=5).fit(["a red circle", "a red box", "in the top-left, a box"])
    assert vec.vocabulary_[:2] == [PAD, UNK]
    assert vec.vocabulary_[2:5] == ["a", "box", "red"]  # by count, ties alphabetical
    assert "topleft" in vec.vocabulary_  # punctuation stripped like Keras
    ids = vec.transform(["A RED blob", "a red box in the top-left", ""])
    assert ids.dtype == np.int32 and ids.shape == (3, 5)
    assert ids[0].tolist() == [2, 4, 1, 0, 0]
    assert ids[2].tolist() == [0] * 5
    assert vec.inverse_transform(ids) == ["a red [UNK]", "a red box in the", ""]
    assert vec.vocab_size == len(vec.vocabulary_)


def test_caption_vectorizer_min_count_max_tokens_and_train_only(splits):
    train, val, _ = splits
    vec = CaptionVectorizer(min_count=2).fit(["a b", "a c", "a b"])
    assert vec.vocabulary_ == [PAD, UNK, "a", "b"]
    assert CaptionVectorizer(max_tokens=4).fit(["a b", "a c", "a b"]).vocabulary_ == [
        PAD, UNK, "a", "b"]
    vec = CaptionVectorizer().fit(["a red circle"])
    assert vec.transform(list(val.captions)).max() <= 4
    assert set(vec.word_counts_) == {"a", "red", "circle"}


def test_caption_vectorizer_matches_keras_text_vectorization(splits):
    train, val, _ = splits
    vec = CaptionVectorizer(max_len=12).fit(train.captions)
    layer = vec.as_keras_layer()
    assert layer.get_vocabulary() == vec.vocabulary_
    captions = list(val.captions[:50]) + ["A Zebra, in the TOP-LEFT!", ""]
    ours = vec.transform(captions)
    theirs = np.asarray(layer(np.array(captions, dtype=object)))
    np.testing.assert_array_equal(ours, theirs)


def test_caption_vectorizer_errors():
    with pytest.raises(NotFittedError, match="fit"):
        CaptionVectorizer().transform(["a"])
    with pytest.raises(TypeError, match="single string"):
        CaptionVectorizer().fit("a red circle")
    with pytest.raises(ValueError, match=r"captions\[1\] is missing"):
        CaptionVectorizer().fit(["a", None])
    with pytest.raises(ValueError, match="missing"):
        CaptionVectorizer().fit(["a", np.nan])
    with pytest.raises(TypeError, match=r"captions\[0\] must be a string"):
        CaptionVectorizer().fit([3])
    with pytest.raises(ValueError, match="max_len"):
        CaptionVectorizer(max_len=0).fit(["a"])
    with pytest.raises(ValueError, match="1-D"):
        CaptionVectorizer().fit(np.array([["a", "b"]], dtype=object))
    with pytest.raises(ValueError, match="empty"):
        CaptionVectorizer().fit([])
    vec = CaptionVectorizer().fit(["a b"])
    with pytest.raises(ValueError, match=r"ids must be in \[0, 3\]"):
        vec.inverse_transform(np.array([[5]]))
    with pytest.raises(ValueError, match="2 dimensions"):
        vec.inverse_transform(np.array([1, 2]))
    with pytest.raises(TypeError, match="integers"):
        vec.inverse_transform(np.array([[1.5]]))


# --- SpectrogramScaler -------------------------------------------------------------


def test_spectrogram_scaler_per_frequency_and_inverse(splits):
    train, val, _ = splits
    scaler = SpectrogramScaler(chunk_size=100).fit(train.sounds)
    z = scaler.transform(train.sounds)
    assert z.dtype == np.float32 and z.shape == (len(train), 28, 65)
    np.testing.assert_allclose(z.mean(axis=(0, 1)), 0, atol=1e-3)
    np.testing.assert_allclose(z.std(axis=(0, 1)), 1, atol=1e-3)
    raw = spectrogram(val.sounds, max_hz=2000)
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(val.sounds)), raw,
                               atol=1e-4)
    assert scaler.frequencies_[-1] == 2000.0
    np.testing.assert_allclose(scaler.mean_, raw.mean(axis=(0, 1)), atol=0.5)  # sanity
    np.testing.assert_allclose(
        scaler.mean_, spectrogram(train.sounds, max_hz=2000).mean(axis=(0, 1)), rtol=1e-5)


def test_spectrogram_scaler_errors(splits):
    train, _, _ = splits
    with pytest.raises(NotFittedError, match="fit"):
        SpectrogramScaler().transform(train.sounds)
    with pytest.raises(ValueError, match="2 dimensions"):
        SpectrogramScaler().fit(train.sounds[0])
    bad = train.sounds.copy()
    bad[0, 5] = np.inf
    with pytest.raises(ValueError, match="NaN or infinite"):
        SpectrogramScaler().fit(bad)
    scaler = SpectrogramScaler().fit(train.sounds)
    with pytest.raises(ValueError, match="2000 samples"):
        scaler.transform(train.sounds[:, :1000])
    with pytest.raises(ValueError, match="shape"):
        scaler.inverse_transform(np.zeros((2, 28, 10)))
    with pytest.raises(ValueError, match="max_hz"):
        SpectrogramScaler(max_hz=9000).fit(train.sounds)


# --- tables --------------------------------------------------------------------------


def test_table_preprocessor_imputes_scales_one_hots(messy):
    train, val, _ = datasets.train_val_test_split(messy, seed=0)
    prep = TablePreprocessor()
    x = prep.fit_transform(train.table)
    assert x.dtype == np.float32 and x.shape == (len(train), len(prep.feature_names_))
    assert not np.isnan(x).any()
    assert {"lux", "area_cm2", "device_cam_a", "device_phone", "device_missing",
            "missingindicator_area_cm2"} <= set(prep.feature_names_)
    assert "scene_id" not in prep.feature_names_
    np.testing.assert_allclose(x[:, prep.feature_names_.index("lux")].mean(), 0, atol=1e-5)
    xv = prep.transform(val.table)
    assert xv.shape[1] == x.shape[1]
    # fitted on the training split only: the medians are the training medians
    medians = prep.transformer_.named_transformers_["num"].named_steps["impute"].statistics_
    np.testing.assert_allclose(medians, train.table[["lux", "area_cm2", "x_px", "y_px"]].median())


def test_table_inverse_transform_and_unknown_category():
    df = pd.DataFrame({"lux": [100.0, 200.0, np.nan], "device": ["cam_a", "phone", "cam_a"]})
    prep = TablePreprocessor(numeric=["lux"], categorical=["device"]).fit(df)
    back = prep.inverse_transform(prep.transform(df))
    assert back["lux"].tolist() == [100.0, 200.0, 150.0]
    assert back["device"].tolist() == ["cam_a", "phone", "cam_a"]
    new = pd.DataFrame({"lux": [1.0], "device": ["tablet"]})
    row = prep.transform(new)[0]
    assert row[prep.feature_names_.index("device_cam_a")] == 0
    assert row[prep.feature_names_.index("device_phone")] == 0
    robust = TablePreprocessor(numeric=["lux"], categorical=[], scaler="robust").fit(df)
    assert robust.feature_names_ == ["lux", "missingindicator_lux"]


def test_table_errors():
    df = pd.DataFrame({"lux": [1.0, 2.0], "device": ["a", "b"], "id": ["x", "y"]})
    with pytest.raises(ValueError, match=r"unknown column\(s\) \['area_cm2'\]"):
        TablePreprocessor(numeric=["lux", "area_cm2"], categorical=[]).fit(df)
    with pytest.raises(TypeError, match="numeric column 'id'"):
        TablePreprocessor(numeric=["id"], categorical=[]).fit(df)
    with pytest.raises(TypeError, match="DataFrame"):
        TablePreprocessor().fit(df.to_numpy())
    with pytest.raises(NotFittedError, match="fit"):
        TablePreprocessor().transform(df)
    with pytest.raises(ValueError, match="empty"):
        TablePreprocessor(numeric=["lux"], categorical=[]).fit(df.iloc[:0])
    with pytest.raises(ValueError, match="infinite"):
        TablePreprocessor(numeric=["lux"], categorical=[]).fit(df.assign(lux=[1.0, np.inf]))
    with pytest.raises(ValueError, match="both numeric and categorical"):
        make_table_transformer(["lux"], ["lux"])
    with pytest.raises(ValueError, match="scaler"):
        make_table_transformer(["lux"], [], scaler="minmax")
    with pytest.raises(ValueError, match="at least one"):
        make_table_transformer([], [])
    prep = TablePreprocessor(numeric=["lux"], categorical=["device"]).fit(df)
    with pytest.raises(ValueError, match="columns"):
        prep.inverse_transform(np.zeros((1, 2)))


# --- ShapesPreprocessor --------------------------------------------------------------


def test_shapes_preprocessor_outputs(splits):
    train, val, _ = splits
    prep = ShapesPreprocessor().fit(train)
    out = prep.transform(val)
    assert list(out) == ["image", "caption", "sound", "table"]
    assert out["image"].dtype == np.float32 and out["image"].shape == (len(val), 32, 32, 3)
    assert out["caption"].dtype == np.int32 and out["caption"].shape == (len(val), 12)
    assert out["sound"].dtype == np.float32 and out["sound"].shape == (len(val), 28, 65)
    assert out["table"].dtype == np.float32 and out["table"].ndim == 2
    assert prep.input_shapes == {m: out[m].shape[1:] for m in out}
    assert prep.vocab_size == len(prep.steps_["caption"].vocabulary_)
    assert out["caption"].max() < prep.vocab_size
    inputs = prep.keras_inputs()
    assert inputs["caption"].dtype == "int32" and tuple(inputs["sound"].shape) == (None, 28, 65)
    # the same arrays from a plain dict of raw modalities
    raw = {"image": val.images, "caption": val.captions, "sound": val.sounds, "table": val.table}
    np.testing.assert_array_equal(prep.transform(raw)["caption"], out["caption"])


def test_shapes_preprocessor_fitted_on_train_only(splits):
    train, val, _ = splits
    prep = ShapesPreprocessor(modalities=("image", "caption"), max_len=8).fit(train)
    np.testing.assert_allclose(prep.steps_["image"].mean_, ImageScaler().fit(train.images).mean_)
    assert prep.steps_["caption"].vocabulary_ == CaptionVectorizer().fit(
        train.captions).vocabulary_
    assert prep.input_shapes == {"image": (32, 32, 3), "caption": (8,)}
    assert set(prep.transform(val)) == {"image", "caption"}


def test_shapes_preprocessor_errors(splits):
    train, val, _ = splits
    with pytest.raises(NotFittedError, match="fit"):
        ShapesPreprocessor().transform(val)
    with pytest.raises(ValueError, match="unknown modality 'video'"):
        ShapesPreprocessor(modalities=("image", "video")).fit(train)
    with pytest.raises(ValueError, match="empty"):
        ShapesPreprocessor(modalities=()).fit(train)
    with pytest.raises(TypeError, match="Scenes object or a dict"):
        ShapesPreprocessor().fit(train.images)
    raw = {"image": train.images, "caption": train.captions[:-1]}
    with pytest.raises(ValueError, match="mismatched lengths"):
        ShapesPreprocessor(modalities=("image", "caption")).fit(raw)
    with pytest.raises(ValueError, match="missing modality"):
        ShapesPreprocessor(modalities=("image", "sound")).fit(raw)
    prep = ShapesPreprocessor(modalities=("image",)).fit(train)
    with pytest.raises(ValueError, match="no caption step"):
        _ = prep.vocab_size


# --- to_dataset ----------------------------------------------------------------------


def test_to_dataset_batches_labels_and_shuffle():
    inputs = {"a": np.arange(10, dtype=np.float32)[:, None], "b": np.arange(10, dtype=np.int32)}
    labels = np.arange(10)
    batches = list(to_dataset(inputs, labels, batch_size=4))
    assert [len(y) for _, y in batches] == [4, 4, 2]
    x, y = batches[0]
    assert set(x) == {"a", "b"} and np.asarray(y).tolist() == [0, 1, 2, 3]
    ds = to_dataset(inputs, labels, batch_size=10, shuffle=True, seed=1)
    first, second = (np.asarray(y) for _, y in ds.repeat(2))
    assert sorted(first.tolist()) == list(range(10)) and first.tolist() != list(range(10))
    assert first.tolist() != second.tolist()  # reshuffled every epoch
    x, y = next(iter(ds))
    np.testing.assert_array_equal(np.asarray(x["b"]), np.asarray(y))  # rows stay aligned
    again = next(iter(to_dataset(inputs, labels, batch_size=10, shuffle=True, seed=1)))[1]
    np.testing.assert_array_equal(np.asarray(again), first)
    multi = next(iter(to_dataset(inputs, {"shape": labels, "size": labels % 2}, batch_size=3)))
    assert set(multi[1]) == {"shape", "size"}
    only_x = next(iter(to_dataset(inputs, batch_size=3)))
    assert set(only_x) == {"a", "b"}


def test_to_dataset_errors():
    inputs = {"a": np.zeros((5, 2), np.float32)}
    with pytest.raises(TypeError, match="dict"):
        to_dataset(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="mismatched lengths"):
        to_dataset({"a": np.zeros((5, 2)), "b": np.zeros(4)})
    with pytest.raises(ValueError, match="mismatched lengths"):
        to_dataset(inputs, np.zeros(4))
    with pytest.raises(ValueError, match="mismatched lengths"):
        to_dataset(inputs, {"y": np.zeros(5), "z": np.zeros(3)})
    with pytest.raises(ValueError, match="NaN"):
        to_dataset({"a": np.array([1.0, np.nan])})
    with pytest.raises(TypeError, match="CaptionVectorizer"):
        to_dataset({"caption": np.array(["a red circle"], dtype=object)})
    with pytest.raises(ValueError, match="batch_size"):
        to_dataset(inputs, batch_size=0)
    with pytest.raises(TypeError, match="shuffle"):
        to_dataset(inputs, shuffle=1)
    with pytest.raises(TypeError, match="drop_remainder"):
        to_dataset(inputs, drop_remainder="yes")
    with pytest.raises(ValueError, match="only 5 rows"):
        to_dataset(inputs, batch_size=8, drop_remainder=True)


def test_to_dataset_drop_remainder_keeps_one_batch_shape_and_varies_the_rows_left_out():
    inputs = {"a": np.arange(10, dtype=np.float32)[:, None]}
    labels = np.arange(10)
    batches = list(to_dataset(inputs, labels, batch_size=4, drop_remainder=True))
    assert [len(y) for _, y in batches] == [4, 4]
    ds = to_dataset(inputs, labels, batch_size=4, shuffle=True, seed=0, drop_remainder=True)
    assert ds.element_spec[1].shape.as_list() == [4]  # a static batch shape: one trace
    seen = [frozenset(np.concatenate([np.asarray(y) for _, y in ds]).tolist()) for _ in range(5)]
    assert all(len(s) == 8 for s in seen)
    assert len(set(seen)) > 1  # shuffled: a different pair of rows is left out each epoch


# --- join_by_key ---------------------------------------------------------------------


def test_join_by_key_reports_unmatched():
    images = pd.DataFrame({"scene_id": ["a", "b", "c", "e"], "pixels": [1, 2, 3, 5]})
    captions = pd.DataFrame({"scene_id": ["c", "b", "d"], "caption": ["x", "y", "z"]})
    joined, report = join_by_key(images, captions, "scene_id")
    assert isinstance(report, JoinReport)
    assert joined["scene_id"].tolist() == ["b", "c"]
    assert joined.set_index("scene_id").loc["c", "caption"] == "x"  # matched by key, not row
    assert report.left_only == ["a", "e"] and report.right_only == ["d"]
    assert report.n_joined == 2 and not report.ok
    assert "only in left: 2 (a, e)" in str(report)
    outer, _ = join_by_key(images, captions, "scene_id", how="outer")
    assert len(outer) == 5
    same, ok = join_by_key(images, images.rename(columns={"pixels": "p"}), "scene_id")
    assert ok.ok and len(same) == 4


def test_join_by_key_validates_one_to_one_and_errors():
    left = pd.DataFrame({"k": ["a", "a", "b"], "x": [1, 2, 3]})
    right = pd.DataFrame({"k": ["a", "b"], "y": [4, 5]})
    with pytest.raises(ValueError, match=r"not one-to-one.*\['a'\]"):
        join_by_key(left, right, "k")
    joined, report = join_by_key(left, right, "k", validate=None)
    assert len(joined) == 3 and report.duplicated_left == ["a"]
    with pytest.raises(ValueError, match="unknown column 'id' in left"):
        join_by_key(left, right, "id")
    with pytest.raises(TypeError, match="right must be a pandas DataFrame"):
        join_by_key(left, right.to_numpy(), "k")
    with pytest.raises(ValueError, match="missing keys"):
        join_by_key(pd.DataFrame({"k": ["a", None]}), right, "k")
    with pytest.raises(ValueError, match="how"):
        join_by_key(right, right, "k", how="cross")
    with pytest.raises(ValueError, match="validate"):
        join_by_key(right, right, "k", validate="m:1")


# --- cleaning ------------------------------------------------------------------------


def test_find_defects_recovers_the_generators_flags(messy):
    found = find_defects(messy)
    truth = messy.defect_flags
    first_copy = messy.table["scene_id"].duplicated()
    assert found["duplicate_id"].sum() == messy.defects["duplicate_rows"]
    assert (found["duplicate_id"] == first_copy).all()
    np.testing.assert_array_equal(found["corrupted_image"], truth["corrupted_image"])
    np.testing.assert_array_equal(found["empty_caption"], truth["empty_caption"])
    assert (found["clipped_audio"] == truth["clipped_audio"]).mean() > 0.98
    np.testing.assert_array_equal(found["outlier"], truth["outlier"])
    clean = datasets.make_scenes(300, seed=5)
    assert not find_defects(clean)[["duplicate_id", "corrupted_image", "empty_caption",
                                    "clipped_audio", "outlier"]].to_numpy().any()
    with pytest.raises(TypeError, match="Scenes"):
        find_defects(messy.table)


def test_clean_scenes(messy):
    clean, counts = clean_scenes(messy)
    assert clean.table["scene_id"].is_unique
    assert not (clean.images.reshape(len(clean), -1).std(axis=1) == 0).any()
    assert clean.table["area_cm2"].max() < 300
    assert counts["duplicates_dropped"] == messy.defects["duplicate_rows"]
    assert len(clean) == len(messy) - counts["duplicates_dropped"] - counts[
        "corrupted_images_dropped"]
    assert counts["outliers_set_to_nan"] > 0
    with pytest.raises(ValueError, match="outlier_factor"):
        find_defects(messy, outlier_factor=0.5)


def test_outliers_judged_against_a_reference_split(messy):
    """A test split is cleaned with the training split's medians, never its own."""
    train, test = messy.subset(np.arange(300)), messy.subset(np.arange(300, len(messy)))
    own = find_defects(test)["outlier"]
    against_train = find_defects(test, reference=train)["outlier"]
    assert (own == against_train).mean() > 0.95  # same world, similar medians
    # a test split whose values were all typed in the wrong unit: against its own medians
    # nothing stands out; against the training medians every row does
    shifted = test.subset(np.arange(len(test)))
    shifted.table = shifted.table.assign(area_cm2=shifted.table["area_cm2"] * 100)
    assert find_defects(shifted)["outlier"].mean() < 0.2
    has_area = shifted.table["area_cm2"].notna().to_numpy()
    assert find_defects(shifted, reference=train)["outlier"][has_area].mean() > 0.95
    cleaned, counts = clean_scenes(shifted, reference=train)
    assert counts["outliers_set_to_nan"] >= 0.95 * has_area.sum() - len(shifted) + len(cleaned)
    with pytest.raises(TypeError, match="reference must be a Scenes"):
        find_defects(test, reference=train.table)
    narrow = train.subset(np.arange(len(train)))
    narrow.table = narrow.table.drop(columns=["area_cm2"])
    with pytest.raises(ValueError, match="reference lacks the table columns"):
        clean_scenes(test, reference=narrow)
