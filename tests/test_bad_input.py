"""Classes of bad input that used to crash deep inside a library or pass silently: each is now
refused by mmteach with one sentence (issue 11)."""

import numpy as np
import pandas as pd
import pytest

from mmteach import datasets, metrics, models, preprocessing


@pytest.fixture(scope="module")
def scenes():
    return datasets.make_scenes(60, seed=0)


def test_a_caption_vectorizer_is_not_fitted_on_empty_captions():
    with pytest.raises(ValueError, match="not one word"):
        preprocessing.CaptionVectorizer().fit(["", "  ", "!"])


def test_an_empty_split_is_refused_by_to_dataset():
    with pytest.raises(ValueError, match="no rows: is the split empty"):
        preprocessing.to_dataset({"table": np.zeros((0, 3))}, np.zeros(0), batch_size=4)


def test_a_negative_clip_level_is_refused(scenes):
    with pytest.raises(ValueError, match="clip_level must be > 0"):
        preprocessing.find_defects(scenes, clip_level=-0.5)


def test_joining_keys_of_different_types_is_refused():
    left = pd.DataFrame({"scene_id": [1, 2, 3], "x": [1, 2, 3]})
    right = pd.DataFrame({"scene_id": ["1", "2", "3"], "y": [1, 2, 3]})
    with pytest.raises(ValueError, match="numeric keys but right.*text keys.*astype"):
        preprocessing.join_by_key(left, right, "scene_id")
    right["scene_id"] = right["scene_id"].astype(int)
    joined, report = preprocessing.join_by_key(left, right, "scene_id")
    assert len(joined) == 3 and report.ok


def test_stratifying_on_a_class_with_one_member_is_refused(scenes):
    labels = scenes.labels.copy()
    labels.loc[labels.index[0], "shape"] = 99  # a class seen once
    odd = datasets.Scenes(**{**scenes.__dict__, "labels": labels})
    with pytest.raises(ValueError, match="class 99 has only one scene"):
        datasets.train_val_test_split(odd, stratify="shape")


def test_units_mistakes_in_psnr_are_refused():
    with pytest.raises(ValueError, match="beyond data_range=1.*data_range=255"):
        metrics.psnr(np.full((2, 4), 200.0), np.full((2, 4), 100.0))
    with pytest.raises(ValueError, match="mix 8-bit integers and floats"):
        metrics.psnr(np.full((2, 4), 200, np.uint8), np.full((2, 4), 0.5))
    assert metrics.psnr(np.full((2, 4), 200.0), np.full((2, 4), 100.0), data_range=255) > 0


def test_float_images_in_0_255_get_a_warning(scenes):
    with pytest.warns(UserWarning, match="divide them by 255"):
        preprocessing.ImageScaler().fit(scenes.images * 255)


def test_model_inputs_are_checked_for_non_finite_values_and_token_ids():
    model = models.unimodal({"caption": (12,)}, n_classes=4, vocab_size=20)
    with pytest.raises(ValueError, match="token id 25.*ids 0..19"):
        models.check_inputs(model, {"caption": np.full((3, 12), 25)})
    with pytest.raises(ValueError, match="negative token id"):
        models.check_inputs(model, {"caption": np.full((3, 12), -1)})
    fused = models.attention_fusion({"image": (8, 8, 3), "table": (6,)}, n_classes=2)
    image = np.zeros((3, 8, 8, 3), "float32")
    image[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"inputs\['image'\] contains NaN"):
        models.modality_weights(fused, {"image": image, "table": np.ones((3, 6), "float32")})


def test_train_refuses_token_ids_beyond_the_vocabulary():
    from mmteach.training import SGD, train

    model = models.unimodal({"caption": (12,)}, n_classes=4, vocab_size=20)
    ids = np.full((8, 12), 30)
    with pytest.raises(ValueError, match="token id 30"):
        train(model, {"caption": ids}, np.zeros(8, int), optimizer=SGD(0.1),
              loss="sparse_categorical_crossentropy", seed=0)


@pytest.mark.parametrize("call", [
    lambda s: datasets.make_scenes(5, seed=-1),
    lambda s: datasets.train_val_test_split(s, seed=2.0),
    lambda s: datasets.make_matching_pairs(s, seed="0"),
    lambda s: preprocessing.ImageScaler().fit(s.images).augment(s.images, seed=-3),
    lambda s: metrics.bootstrap_ci(metrics.accuracy, [0, 1], [0, 1], seed=-1),
    lambda s: metrics.paired_comparison(metrics.accuracy, [0, 1], [0, 1], [1, 1], seed=1.5),
])
def test_every_seed_is_checked(scenes, call):
    with pytest.raises((TypeError, ValueError), match="seed must be an integer"):
        call(scenes)
