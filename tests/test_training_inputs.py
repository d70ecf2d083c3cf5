"""train() refuses bad data with one sentence before TensorFlow sees it (issue: nothing silently wrong)."""

import keras
import numpy as np
import pandas as pd
import pytest

from mmteach.training import SGD, train


def classifier(n_features=3, n_classes=3, name="x"):
    inputs = keras.Input((n_features,), name=name)
    return keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(inputs))


def data(n=20, n_features=3, n_classes=3):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, n_features)).astype("float32"), rng.integers(0, n_classes, n)


def fit(model, x, y, **kwargs):
    options = dict(optimizer=SGD(0.1), loss="sparse_categorical_crossentropy", epochs=1, seed=0)
    options.update(kwargs)
    return train(model, x, y, **options)


def test_one_nan_row_is_refused_not_trained_into_nan_weights():
    x, y = data()
    x[3, 1] = np.nan
    model = classifier()
    with pytest.raises(ValueError, match=r"x contains NaN or infinite values \(in 1 of 20 rows\)"):
        fit(model, x, y)
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_non_finite_validation_data_and_labels_are_refused():
    x, y = data()
    bad = x.copy()
    bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="x_val contains NaN"):
        fit(classifier(), x, y, validation_data=(bad, y))
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    target = x[:, :1].copy()
    target[2] = np.nan
    with pytest.raises(ValueError, match="y contains NaN"):
        fit(model, x, target, loss="mse")


@pytest.mark.parametrize("label", [3, 7, -1])
def test_labels_outside_the_classes_are_refused(label):
    x, y = data()
    y[5] = label
    expected = "negative label" if label < 0 else r"outside the class range 0..2"
    with pytest.raises(ValueError, match=expected):
        fit(classifier(), x, y)


def test_a_label_frame_with_several_columns_is_refused():
    x, y = data()
    frame = pd.DataFrame({"shape": y, "colour": y})
    with pytest.raises(ValueError, match="one column of class codes.*2 columns"):
        fit(classifier(), x, frame)
    fit(classifier(), x, pd.DataFrame({"shape": y}))  # one column is fine


def test_the_loss_must_fit_the_labels_form():
    x, y = data()
    with pytest.raises(ValueError, match="one-hot rows.*argmax"):
        fit(classifier(), x, np.eye(3)[y])
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        fit(classifier(), x, y, loss="categorical_crossentropy")
    fit(classifier(), x, np.eye(3, dtype="float32")[y], loss="categorical_crossentropy")
    binary = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    with pytest.raises(ValueError, match="0/1 labels"):
        fit(binary, x, y, loss="binary_crossentropy")


def test_inputs_must_match_the_model_by_name_and_shape():
    x, y = data()
    with pytest.raises(ValueError, match=r"missing \['x'\].*unexpected \['image'\]"):
        fit(classifier(), {"image": x}, y)
    with pytest.raises(ValueError, match=r"examples of shape \(4,\).*takes \(3\)"):
        fit(classifier(), np.zeros((20, 4), "float32"), y)
    message = ""
    try:
        fit(classifier(), np.zeros((20, 4), "float32"), y)
    except ValueError as err:
        message = str(err)
    assert "\n" not in message and len(message) < 200  # one sentence, never a printed array


@pytest.mark.parametrize(
    "seed, error", [(-1, ValueError), (1.5, TypeError), ("0", TypeError), (True, TypeError)]
)
def test_bad_seeds_are_refused(seed, error):
    x, y = data()
    with pytest.raises(error, match="seed"):
        fit(classifier(), x, y, seed=seed)


def test_flags_must_be_booleans():
    x, y = data()
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        fit(classifier(), x, y, shuffle="no")


def test_a_loop_of_train_calls_prints_no_retracing_notice(caplog):
    x, y = data()
    with caplog.at_level("WARNING", logger="tensorflow"):
        for _ in range(7):
            fit(classifier(), x, y)
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]


def test_importing_mmteach_silences_the_retracing_notice_of_predict_loops(caplog):
    import mmteach  # noqa: F401  (the filter is installed on import)

    x, _ = data()
    with caplog.at_level("WARNING", logger="tensorflow"):
        for n in range(3, 12):
            classifier().predict(x[:n], verbose=0)
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]
