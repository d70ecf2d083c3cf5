"""Tests of mmteach.datasets: the Shapes world and its exact ceilings."""

import numpy as np
import pandas as pd
import pytest
from shapes_oracle import SILENT, all_subsets, decode_all, oracle_predict

from mmteach import datasets as ds

N_ORACLE = 12000
TOLERANCE = 0.02  # about 4.4 standard errors of an accuracy on 12,000 scenes


@pytest.fixture(scope="module")
def noisy_world():
    silence = {
        "image": {"shape": 0.2, "colour": 0.4, "size": 0.3, "position": 0.25},
        "caption": {"shape": 0.5, "colour": 0.3, "size": 0.6, "position": 0.4},
        "sound": {"shape": 0.35, "colour": 0.25, "size": 0.5},
        "table": {"size": 0.45, "position": 0.3},
    }
    scenes = ds.make_scenes(
        N_ORACLE, seed=11, silence=silence, label_noise=0.1,
        attribute_probs={"shape": [0.4, 0.3, 0.2, 0.1]},
    )
    return scenes, decode_all(scenes)


def test_oracle_reads_every_modality_exactly(noisy_world):
    """The oracle recovers each attribute whenever a modality speaks, and only then."""
    scenes, decoded = noisy_world
    for m in ds.MODALITIES:
        for a in ds.ATTRIBUTES:
            truth = pd.Categorical(scenes.attributes[a], categories=ds.ATTRIBUTES[a]).codes
            silent = scenes.silent[m][a].to_numpy()
            said = decoded[m][a]
            assert np.array_equal(said == SILENT, silent), (m, a)
            assert np.array_equal(said[~silent], truth[~silent]), (m, a)


@pytest.mark.parametrize("target", list(ds.ATTRIBUTES))
def test_ceiling_matches_oracle_simulation(noisy_world, target):
    scenes, decoded = noisy_world
    prior = np.asarray(scenes.config["attribute_probs"][target])
    labels = scenes.labels[target].to_numpy()
    for subset in all_subsets():
        accuracy = np.mean(oracle_predict(decoded, target, subset, prior) == labels)
        ceiling = scenes.ceiling(target, list(subset))
        assert abs(accuracy - ceiling) < TOLERANCE, (target, subset, accuracy, ceiling)


def test_matching_ceiling_matches_oracle():
    scenes = ds.make_scenes(N_ORACLE, seed=5, silence={"image": 0.2, "caption": 0.3},
                            label_noise=0.1)
    pairs = ds.make_matching_pairs(scenes, attribute="colour", seed=1)
    decoded = decode_all(pairs)
    img, cap = decoded["image"]["colour"], decoded["caption"]["colour"]
    both = (img != SILENT) & (cap != SILENT)
    guess = np.where(both, (img == cap).astype(int), 1)
    accuracy = np.mean(guess == pairs.labels["match"].to_numpy())
    assert abs(accuracy - pairs.ceiling("match", ["image", "caption"])) < TOLERANCE
    assert pairs.ceiling("match", ["caption"]) == 0.5
    # neither modality alone says anything: a caption's colour is as common in both classes
    match = pairs.labels["match"].to_numpy()
    for said in (img, cap):
        for k in range(4):
            rate = [np.mean(said[match == y] == k) for y in (0, 1)]
            assert abs(rate[0] - rate[1]) < 0.03


def test_ceiling_arithmetic_by_hand():
    one = ds.bayes_ceiling("colour", ["caption"], silence={"caption": {"colour": 0.3}})
    assert one == pytest.approx(0.7 + 0.3 / 4)
    two = ds.bayes_ceiling("colour", ["caption", "image"],
                           silence={"caption": {"colour": 0.3}, "image": {"colour": 0.1}})
    assert two == pytest.approx(1 - 0.03 + 0.03 / 4)
    assert ds.bayes_ceiling("position", ["sound"]) == pytest.approx(0.25)
    noisy = ds.bayes_ceiling("size", ["image"], silence=0.0, label_noise=0.2)
    assert noisy == pytest.approx(0.8 + 0.2 / 2)
    skewed = ds.bayes_ceiling("shape", ["sound"], silence=1.0,
                              attribute_probs={"shape": [0.7, 0.1, 0.1, 0.1]})
    assert skewed == pytest.approx(0.7)
    assert ds.matching_ceiling("colour", silence={"image": 0.1, "caption": 0.3}) == pytest.approx(
        0.5 + 0.5 * 0.9 * 0.7
    )


def test_shapes_dtypes_and_ranges():
    s = ds.make_scenes(64, seed=3)
    assert s.images.shape == (64, 32, 32, 3) and s.images.dtype == np.float32
    assert s.images.min() >= 0 and s.images.max() <= 1
    assert s.sounds.shape == (64, 2000) and s.sounds.dtype == np.float32
    assert s.captions.shape == (64,) and all(isinstance(c, str) and c for c in s.captions)
    assert list(s.table.columns) == ["scene_id", "device", "lux", "area_cm2", "x_px", "y_px"]
    assert s.table["scene_id"].is_unique
    assert set(s.labels.columns) == set(ds.ATTRIBUTES)
    assert len(s) == 64 and "64 scenes" in repr(s)


def test_deterministic_from_seed():
    a, b, c = ds.make_scenes(50, seed=7), ds.make_scenes(50, seed=7), ds.make_scenes(50, seed=8)
    assert np.array_equal(a.images, b.images) and np.array_equal(a.sounds, b.sounds)
    assert list(a.captions) == list(b.captions)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not np.array_equal(a.images, c.images)


def test_captions_vary_and_use_synonyms():
    s = ds.make_scenes(2000, seed=0, silence=0.0)
    starts = {c.split()[0] for c in s.captions}
    assert {"a", "there", "the", "in"} <= starts  # several word orders
    red = s.captions[s.attributes["colour"].to_numpy() == "red"]
    assert {w for w in ("red", "crimson", "scarlet") if any(w in c for c in red)} == {
        "red", "crimson", "scarlet"}


def test_silence_is_applied_at_its_rate():
    s = ds.make_scenes(4000, seed=2, silence={"caption": {"colour": 0.5}, "image": 0.0})
    assert abs(s.silent["caption"]["colour"].mean() - 0.5) < 0.03
    assert s.silent["image"].to_numpy().sum() == 0
    assert s.silent["sound"]["position"].all()  # sound never carries position
    silent_caps = s.captions[s.silent["caption"]["colour"].to_numpy()]
    colour_words = [w for group in ds._SYNONYMS["colour"] for w in group]
    assert not any(f" {w} " in f" {c} " for c in silent_caps for w in colour_words)


def test_label_noise_rate():
    s = ds.make_scenes(5000, seed=4, label_noise=0.4)
    truth = pd.Categorical(s.attributes["shape"], categories=ds.ATTRIBUTES["shape"]).codes
    changed = np.mean(s.labels["shape"].to_numpy() != truth)
    assert abs(changed - 0.4 * 3 / 4) < 0.03


def test_imbalanced_attribute_probs():
    s = ds.make_scenes(5000, seed=0, attribute_probs={"shape": [0.7, 0.1, 0.1, 0.1]})
    assert abs(np.mean(s.attributes["shape"] == "circle") - 0.7) < 0.03


def test_messy_mode_counts_are_exact():
    s = ds.make_scenes(1000, seed=9, messy=True, defect_rate=0.05)
    d, flags = s.defects, s.defect_flags
    assert d["duplicate_rows"] == 50 and len(s) == 1050
    assert s.table["scene_id"].duplicated().sum() == d["duplicate_rows"]
    assert d["corrupted_images"] == int((s.images.reshape(len(s), -1).max(axis=1) == 0).sum())
    assert d["empty_captions"] == int((s.captions == "").sum())
    clipped = (np.abs(s.sounds) == np.float32(0.5)).sum(axis=1) > 20  # flat tops
    assert d["clipped_audio"] == int(flags["clipped_audio"].sum()) == int(clipped.sum())
    assert d["outliers"] == int((s.table["area_cm2"] > 1000).sum())
    for k in ("corrupted_images", "empty_captions", "clipped_audio", "outliers"):
        assert 0 < d[k] < 150, k


def test_messy_missing_values_count_cells():
    s = ds.make_scenes(2000, seed=1, messy=True, silence={"table": 0.0})
    unique = s.table.drop_duplicates("scene_id")
    assert s.defects["missing_values"] == int(unique[["device", "lux", "area_cm2"]].isna().sum().sum())


def test_matching_pairs_balanced_and_only_caption_changes():
    s = ds.make_scenes(301, seed=0, silence=0.0)
    p = ds.make_matching_pairs(s, attribute="shape", seed=3)
    assert int((p.labels["match"] == 0).sum()) == 150
    assert np.array_equal(p.images, s.images)
    changed = p.captions != s.captions
    assert np.array_equal(changed, p.labels["match"].to_numpy() == 0)


def test_split_is_stratified_and_disjoint():
    s = ds.make_scenes(1000, seed=0)
    train, val, test = ds.train_val_test_split(s, sizes=(0.7, 0.15, 0.15), stratify="shape")
    assert (len(train), len(val), len(test)) == (700, 150, 150)
    ids = [set(x.scene_ids) for x in (train, val, test)]
    assert not (ids[0] & ids[1] or ids[0] & ids[2] or ids[1] & ids[2])
    for part in (train, val, test):
        share = part.labels["shape"].value_counts(normalize=True).sort_index()
        overall = s.labels["shape"].value_counts(normalize=True).sort_index()
        assert np.allclose(share, overall, atol=0.02)
    # the modalities stay aligned after the split
    row = 17
    i = int(np.flatnonzero(s.scene_ids == val.scene_ids[row])[0])
    assert np.array_equal(val.images[row], s.images[i]) and val.captions[row] == s.captions[i]


def test_subset_and_to_frame():
    s = ds.make_scenes(20, seed=0)
    sub = s.subset(np.arange(20) % 2 == 0)
    assert len(sub) == 10 and sub.scene_ids[1] == s.scene_ids[2]
    frame = s.to_frame()
    assert {"caption", "label_shape", "label_colour"} <= set(frame.columns)
    with pytest.raises(ValueError, match="boolean index must have shape"):
        s.subset(np.array([True, False]))
    with pytest.raises(ValueError, match="out of range"):
        s.subset([25])
    with pytest.raises(TypeError, match="integers or booleans"):
        s.subset([0.5])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"n": -5}, ValueError, "n must be an integer >= 1"),
        ({"n": 0}, ValueError, "n must be an integer >= 1"),
        ({"n": 2.5}, TypeError, "n must be an integer"),
        ({"n": 10, "seed": -1}, ValueError, "seed must be an integer >= 0"),
        ({"n": 10, "label_noise": 1.5}, ValueError, r"label_noise must be a probability in \[0, 1\]"),
        ({"n": 10, "label_noise": "high"}, TypeError, "label_noise must be a probability"),
        ({"n": 10, "silence": 2.0}, ValueError, "silence must be a probability"),
        ({"n": 10, "silence": {"video": 0.1}}, ValueError, "unknown modality 'video'"),
        ({"n": 10, "silence": {"image": {"texture": 0.1}}}, ValueError, "unknown attribute"),
        ({"n": 10, "silence": {"image": {"colour": -0.1}}}, ValueError, "probability in"),
        ({"n": 10, "silence": {"sound": {"position": 0.5}}}, ValueError, "never carries 'position'"),
        ({"n": 10, "silence": [0.1]}, TypeError, "silence must be None"),
        ({"n": 10, "attribute_probs": {"shape": [0.5, 0.5]}}, ValueError, "must have 4 entries"),
        ({"n": 10, "attribute_probs": {"size": [0.9, 0.9]}}, ValueError, "sum to 1"),
        ({"n": 10, "attribute_probs": {"weight": [1.0]}}, ValueError, "unknown attribute"),
        ({"n": 10, "pixel_noise": -1}, ValueError, "pixel_noise must be >= 0"),
        ({"n": 10, "messy": "yes"}, TypeError, "messy must be True or False"),
        ({"n": 10, "defect_rate": 3}, ValueError, "defect_rate must be a probability"),
    ],
)
def test_make_scenes_refuses_bad_arguments(kwargs, error, match):
    n = kwargs.pop("n")
    with pytest.raises(error, match=match):
        ds.make_scenes(n, **kwargs)


def test_ceiling_refuses_bad_arguments():
    with pytest.raises(ValueError, match="unknown target 'weight'"):
        ds.bayes_ceiling("weight", ["image"])
    with pytest.raises(ValueError, match="unknown modality 'video'"):
        ds.bayes_ceiling("shape", ["video"])
    with pytest.raises(ValueError, match="repeated"):
        ds.bayes_ceiling("shape", ["image", "image"])
    with pytest.raises(TypeError, match="modalities must be a list"):
        ds.bayes_ceiling("shape", 3)
    with pytest.raises(ValueError, match="matching_ceiling"):
        ds.bayes_ceiling("match", ["image"])
    with pytest.raises(ValueError, match="no 'match' label"):
        ds.make_scenes(5).ceiling("match", ["image", "caption"])
    with pytest.raises(ValueError, match="unknown attribute 'weight'"):
        ds.matching_ceiling("weight")


def test_split_and_pairs_refuse_bad_arguments():
    s = ds.make_scenes(30)
    with pytest.raises(ValueError, match="sum to 1"):
        ds.train_val_test_split(s, sizes=(0.5, 0.1, 0.1))
    with pytest.raises(TypeError, match="sizes must be three fractions"):
        ds.train_val_test_split(s, sizes="70/15/15")
    with pytest.raises(ValueError, match="too few"):
        ds.train_val_test_split(ds.make_scenes(2), sizes=(0.8, 0.1, 0.1))
    with pytest.raises(ValueError, match="unknown stratify 'weight'"):
        ds.train_val_test_split(s, stratify="weight")
    with pytest.raises(TypeError, match="Scenes object"):
        ds.train_val_test_split(np.zeros(3))
    with pytest.raises(TypeError, match="Scenes object"):
        ds.make_matching_pairs([1, 2])
    with pytest.raises(ValueError, match="messy"):
        ds.make_matching_pairs(ds.make_scenes(20, messy=True))


@pytest.mark.parametrize("target", list(ds.ATTRIBUTES))
def test_realised_ceiling_is_the_oracles_accuracy_on_these_scenes(noisy_world, target):
    """Where the commonest class is unique (shape), the Bayes rule is the oracle exactly."""
    scenes, decoded = noisy_world
    prior = np.asarray(scenes.config["attribute_probs"][target])
    labels = scenes.labels[target].to_numpy()
    ties = np.sum(prior == prior.max())
    for subset in all_subsets():
        per_scene = scenes.realised_ceiling(target, list(subset), per_scene=True)
        right = oracle_predict(decoded, target, subset, prior) == labels
        speaks = np.zeros(len(labels), dtype=bool)
        for m in subset:
            speaks |= decoded[m][target] != SILENT
        assert np.array_equal(per_scene[speaks], right[speaks]), (target, subset)
        if ties == 1:
            assert np.array_equal(per_scene, right.astype(float)), (target, subset)
        # on average over many scenes, the realised ceiling is the expected one
        expected = scenes.ceiling(target, list(subset))
        assert abs(per_scene.mean() - expected) < TOLERANCE, (target, subset)


def test_realised_ceiling_by_hand_and_bad_input():
    scenes = ds.make_scenes(400, seed=2, silence={"image": {"colour": 0.5}}, label_noise=0.0)
    silent = scenes.silent["image"]["colour"].to_numpy()
    by_hand = np.mean(np.where(silent, 1 / 4, 1.0))  # uniform colours: a silent scene is 1 in 4
    assert scenes.realised_ceiling("colour", ["image"]) == pytest.approx(by_hand)
    assert scenes.realised_ceiling("colour", []) == pytest.approx(0.25)  # four tied guesses
    with pytest.raises(ValueError, match="target must be one of"):
        scenes.realised_ceiling("match", ["image"])
    with pytest.raises(ValueError, match="unknown modality"):
        scenes.realised_ceiling("colour", ["smell"])
    with pytest.raises(TypeError, match="per_scene"):
        scenes.realised_ceiling("colour", ["image"], per_scene="yes")


def test_realised_ceiling_with_label_noise_and_a_lopsided_prior():
    scenes = ds.make_scenes(4000, seed=3, label_noise=0.2, attribute_probs={"shape": [0.7, 0.1, 0.1, 0.1]})
    for target, mods in [("colour", ["caption"]), ("shape", ["caption", "sound"]), ("colour", ["table"])]:
        right = scenes.realised_ceiling(target, mods, per_scene=True)
        # close to the expected ceiling on a large sample, and exactly the Bayes rule's score
        assert abs(right.mean() - scenes.ceiling(target, mods)) < 0.02
        silent = np.all([scenes.silent[m][target] for m in mods], axis=0)
        assert set(np.unique(right[~silent])) <= {0.0, 1.0}
    # the table never tells colour: every scene is a uniform guess, 1 in 4 right
    assert np.allclose(scenes.realised_ceiling("colour", ["table"], per_scene=True), 0.25)
    # a lopsided prior: the Bayes rule guesses the majority class when all are silent
    right = scenes.realised_ceiling("shape", ["table"], per_scene=True)
    assert np.array_equal(right, (scenes.labels["shape"].to_numpy() == 0).astype(float))
