"""Tests of mmteach.training: optimisers against Keras's, the loop, and the parts of fit."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from mmteach import training
from mmteach.training import (
    SGD,
    Adam,
    EarlyStopping,
    GradientDescent,
    Momentum,
    MultiOutputLoss,
    RMSProp,
    cosine_decay,
    set_seed,
    train,
)

# Float32 arithmetic in a different order (e.g. Keras updates m as m += (g - m) * (1 - beta_1))
# differs in the last bits; after 5 steps the weights agree to this tolerance.
RTOL, ATOL = 1e-5, 1e-6


def tiny_problem():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 3)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")
    set_seed(1)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4, activation="tanh"), keras.layers.Dense(2)]
    )
    return x, y, model


def run_steps(model, optimizer, x, y, steps=5):
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = keras.ops.mean(keras.ops.square(model(x) - y))
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
    return model.get_weights()


PAIRS = [
    (lambda: GradientDescent(0.1), lambda: keras.optimizers.SGD(0.1)),
    (lambda: SGD(0.1), lambda: keras.optimizers.SGD(0.1)),
    (lambda: Momentum(0.1, momentum=0.9), lambda: keras.optimizers.SGD(0.1, momentum=0.9)),
    (
        lambda: Momentum(0.1, momentum=0.8, nesterov=True),
        lambda: keras.optimizers.SGD(0.1, momentum=0.8, nesterov=True),
    ),
    (lambda: RMSProp(0.01), lambda: keras.optimizers.RMSprop(0.01)),
    (
        lambda: RMSProp(0.02, rho=0.8, epsilon=1e-3),
        lambda: keras.optimizers.RMSprop(0.02, rho=0.8, epsilon=1e-3),
    ),
    (lambda: Adam(0.01), lambda: keras.optimizers.Adam(0.01)),
    (
        lambda: Adam(0.05, beta_1=0.5, beta_2=0.9, epsilon=1e-2),
        lambda: keras.optimizers.Adam(0.05, beta_1=0.5, beta_2=0.9, epsilon=1e-2),
    ),
]


@pytest.mark.parametrize("ours, theirs", PAIRS, ids=[repr(ours()) for ours, _ in PAIRS])
def test_optimiser_matches_keras_after_five_steps(ours, theirs):
    x, y, model = tiny_problem()
    start = model.get_weights()
    twin = keras.models.clone_model(model)
    twin.set_weights(start)
    optimizer = ours()
    got = run_steps(model, optimizer, x, y)
    want = run_steps(twin, theirs(), x, y)
    for a, b, s in zip(got, want, start):
        assert not np.allclose(b, s), "the weights must have moved for the test to mean anything"
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)
    assert int(optimizer.iterations.numpy()) == 5


def test_nesterov_and_epsilon_placement_make_a_difference():
    """Guards the test above: the variants it distinguishes really differ."""
    x, y, model = tiny_problem()
    start = model.get_weights()
    plain = run_steps(model, Momentum(0.1, 0.9), x, y)
    model.set_weights(start)
    ahead = run_steps(model, Momentum(0.1, 0.9, nesterov=True), x, y)
    assert not np.allclose(plain[0], ahead[0], rtol=RTOL, atol=ATOL)
    model.set_weights(start)
    ours = run_steps(model, Adam(0.05, epsilon=0.1), x, y)
    twin = keras.models.clone_model(model)
    twin.set_weights(start)
    theirs = run_steps(twin, keras.optimizers.Adam(0.05, epsilon=0.1), x, y)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=RTOL, atol=ATOL)


def test_apply_and_none_gradients():
    variable, other = keras.Variable([1.0, 2.0]), keras.Variable([5.0])
    optimizer = SGD(0.5)
    optimizer.apply([np.array([1.0, -1.0], "float32"), None], [variable, other])
    np.testing.assert_allclose(variable.numpy(), [0.5, 2.5])
    np.testing.assert_allclose(other.numpy(), [5.0])


def test_learning_rate_can_be_changed_and_is_shown():
    optimizer = Adam(0.1)
    optimizer.learning_rate = 0.25
    assert math.isclose(float(optimizer.learning_rate.numpy()), 0.25)
    assert repr(optimizer) == "Adam(learning_rate=0.25, beta_1=0.9, beta_2=0.999, epsilon=1e-07)"
    with pytest.raises(ValueError, match="learning_rate must be >= 0"):
        optimizer.learning_rate = -1


@pytest.mark.parametrize("cls", [GradientDescent, SGD, Momentum, RMSProp, Adam])
@pytest.mark.parametrize(
    "rate, error, message",
    [
        (0, ValueError, "learning_rate must be > 0"),
        (-0.1, ValueError, "learning_rate must be > 0"),
        (float("nan"), ValueError, "finite"),
        ("fast", TypeError, "learning_rate must be a number, got str"),
        (None, TypeError, "learning_rate must be a number"),
        (True, TypeError, "learning_rate must be a number, got bool"),
    ],
)
def test_optimisers_refuse_a_bad_learning_rate(cls, rate, error, message):
    with pytest.raises(error, match=message):
        cls(rate)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: Momentum(0.1, momentum=1.0), ValueError, "momentum must be < 1"),
        (lambda: Momentum(0.1, momentum=-0.1), ValueError, "momentum must be >= 0"),
        (lambda: Momentum(0.1, nesterov="yes"), TypeError, "nesterov must be True or False"),
        (lambda: RMSProp(rho=1.5), ValueError, "rho must be < 1"),
        (lambda: RMSProp(epsilon=-1.0), ValueError, "epsilon must be >= 0"),
        (lambda: Adam(beta_1=1.0), ValueError, "beta_1 must be < 1"),
        (lambda: Adam(beta_2="0.9"), TypeError, "beta_2 must be a number"),
    ],
)
def test_optimisers_refuse_bad_hyperparameters(make, error, message):
    with pytest.raises(error, match=message):
        make()


# --- MultiOutputLoss -----------------------------------------------------------------


def test_multi_output_loss_is_the_weighted_sum():
    loss = MultiOutputLoss(
        {"a": "mse", "b": keras.losses.MeanAbsoluteError()}, loss_weights={"a": 2.0, "b": 0.5}
    )
    y_true = {"a": np.zeros((4, 1)), "b": np.ones((4, 1))}
    y_pred = {"a": np.full((4, 1), 3.0), "b": np.full((4, 1), 3.0)}
    total, parts = loss(y_true, y_pred)
    assert math.isclose(float(parts["a"]), 9.0) and math.isclose(float(parts["b"]), 2.0)
    assert math.isclose(float(total), 2.0 * 9.0 + 0.5 * 2.0)
    assert loss.names == ["a", "b"] and loss.loss_weights == {"a": 2.0, "b": 0.5}


@pytest.mark.parametrize(
    "args, error, message",
    [
        (({},), TypeError, "non-empty dict"),
        (("mse",), TypeError, "non-empty dict"),
        (({"a": "mse"}, {"b": 1.0}), ValueError, r"loss_weights names outputs \['b'\]"),
        (({"a": "mse"}, {"a": -1.0}), ValueError, r"loss_weights\['a'\] must be >= 0"),
        (({"a": "mse"}, [1.0]), TypeError, "loss_weights must be a dict"),
        (({"a": "no_such_loss"},), ValueError, "unknown Keras loss"),
        (({"a": 3},), TypeError, "loss name or a callable"),
    ],
)
def test_multi_output_loss_refuses_bad_arguments(args, error, message):
    with pytest.raises(error, match=message):
        MultiOutputLoss(*args)


def test_multi_output_loss_refuses_one_array_for_two_outputs():
    loss = MultiOutputLoss({"shape": "mse", "colour": "mse"})
    y_pred = {"shape": np.zeros((2, 1)), "colour": np.zeros((2, 1))}
    with pytest.raises(ValueError, match="2 outputs .* y_true must be a dict"):
        loss(np.zeros((2, 1)), y_pred)
    with pytest.raises(ValueError, match=r"no entry for outputs \['colour'\]"):
        loss({"shape": np.zeros((2, 1))}, y_pred)


# --- EarlyStopping, cosine_decay, set_seed ----------------------------------------------


def test_early_stopping_waits_patience_epochs():
    stopper = EarlyStopping(patience=2, restore_best_weights=False)
    decisions = [stopper.update(e, {"val_loss": v}) for e, v in enumerate([3, 2, 2.5, 2.1])]
    assert decisions == [False, False, False, True]
    assert (stopper.best, stopper.best_epoch, stopper.stopped_epoch) == (2.0, 1, 3)
    stopper.reset()
    assert stopper.best is None and stopper.stopped_epoch is None


def test_early_stopping_min_delta_and_accuracy_mode():
    stopper = EarlyStopping("val_accuracy", patience=1, min_delta=0.05)
    assert stopper.mode == "max"
    assert not stopper.update(0, {"val_accuracy": 0.5})
    assert stopper.update(1, {"val_accuracy": 0.52})  # +0.02 is not enough
    assert stopper.best == 0.5


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"patience": -1}, ValueError, "patience must be an integer >= 0"),
        ({"patience": 1.5}, TypeError, "patience must be an integer"),
        ({"mode": "lowest"}, ValueError, "mode must be"),
        ({"monitor": ""}, TypeError, "monitor must be"),
        ({"min_delta": -0.1}, ValueError, "min_delta must be >= 0"),
        ({"restore_best_weights": 1}, TypeError, "restore_best_weights"),
    ],
)
def test_early_stopping_refuses_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        EarlyStopping(**kwargs)


def test_early_stopping_names_a_missing_entry():
    with pytest.raises(ValueError, match="needs validation_data"):
        EarlyStopping().update(0, {"loss": 1.0})


@pytest.mark.parametrize("alpha", [0.0, 0.1])
def test_cosine_decay_matches_keras(alpha):
    ours = cosine_decay(0.5, 40, alpha=alpha)
    theirs = keras.optimizers.schedules.CosineDecay(0.5, 40, alpha=alpha)
    for step in [0, 1, 10, 20, 39, 40, 100]:
        assert math.isclose(ours(step), float(theirs(step)), rel_tol=1e-5, abs_tol=1e-7)


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        ((0.0, 10), {}, ValueError, "initial_learning_rate must be > 0"),
        ((0.1, 0), {}, ValueError, "decay_steps must be an integer >= 1"),
        ((0.1, 10.5), {}, TypeError, "decay_steps must be an integer"),
        ((0.1, 10), {"alpha": 2.0}, ValueError, "alpha must be <= 1"),
    ],
)
def test_cosine_decay_refuses_bad_arguments(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        cosine_decay(*args, **kwargs)


def test_set_seed_repeats_initial_weights():
    def weights(seed):
        set_seed(seed)
        return keras.layers.Dense(3).build((None, 4)) or keras.Sequential(
            [keras.Input((4,)), keras.layers.Dense(3)]
        ).get_weights()[0]

    assert np.array_equal(weights(7), weights(7))
    assert not np.array_equal(weights(7), weights(8))
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        set_seed(-1)
    with pytest.raises(TypeError, match="seed must be an integer"):
        set_seed("0")


# --- the training loop -----------------------------------------------------------------


def classification_data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5]) > 0).astype("int64")
    return x, y


def classifier(seed=0):
    set_seed(seed)
    return keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, activation="tanh"),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )


LOSS = "sparse_categorical_crossentropy"


def test_history_matches_keras_fit_exactly():
    """Same batches (no shuffling), same optimiser: the same numbers as model.fit reports."""
    x, y = classification_data(50)
    xv, yv = classification_data(20, seed=1)
    model = classifier()
    twin = keras.models.clone_model(model)
    twin.set_weights(model.get_weights())
    twin.compile(keras.optimizers.SGD(0.1), LOSS, metrics=["accuracy"])
    want = twin.fit(
        x, y, batch_size=16, epochs=3, shuffle=False, validation_data=(xv, yv), verbose=0
    ).history
    got = train(
        model, x, y, optimizer=SGD(0.1), loss=LOSS, batch_size=16, epochs=3, shuffle=False,
        validation_data=(xv, yv), metrics=["accuracy"],
    )
    assert sorted(got) == sorted(want) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, atol=1e-6)


def test_keras_and_scratch_optimisers_give_the_same_history():
    x, y = classification_data()
    histories = []
    for optimizer in (Adam(0.05), keras.optimizers.Adam(0.05)):
        histories.append(train(classifier(), x, y, optimizer=optimizer, loss=LOSS, epochs=3, seed=0))
    np.testing.assert_allclose(histories[0]["loss"], histories[1]["loss"], rtol=1e-5)


def test_training_learns_and_the_same_seed_repeats():
    x, y = classification_data()
    runs = [
        train(classifier(s), x, y, optimizer=Adam(0.05), loss=LOSS, epochs=15, metrics=["accuracy"],
              seed=s)
        for s in (0, 0, 1)
    ]
    assert runs[0]["loss"][-1] < 0.5 * runs[0]["loss"][0]
    assert runs[0]["accuracy"][-1] > 0.85
    assert runs[0] == runs[1]
    assert runs[0]["loss"] != runs[2]["loss"]


def test_gradient_descent_uses_the_whole_set_and_refuses_mini_batches():
    x, y = classification_data(40)
    history = train(classifier(), x, y, optimizer=GradientDescent(0.5), loss=LOSS, epochs=2)
    assert len(history["loss"]) == 2
    with pytest.raises(ValueError, match="full-batch .* use SGD"):
        train(classifier(), x, y, optimizer=GradientDescent(0.5), loss=LOSS, batch_size=8)


def test_steps_per_epoch_and_schedule():
    x, y = classification_data(40)
    optimizer = SGD(0.1)
    history = train(
        classifier(), x, y, optimizer=optimizer, loss=LOSS, epochs=4, batch_size=8,
        steps_per_epoch=3, schedule=cosine_decay(0.1, 12),
    )
    assert len(history["loss"]) == 4
    assert int(optimizer.iterations.numpy()) == 12
    np.testing.assert_allclose(
        history["learning_rate"], [cosine_decay(0.1, 12)(s) for s in (2, 5, 8, 11)], rtol=1e-6
    )


def test_keras_schedule_objects_work_too():
    x, y = classification_data(40)
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, 1, 0.5)
    history = train(
        classifier(), x, y, optimizer=SGD(0.1), loss=LOSS, epochs=2, batch_size=40,
        schedule=schedule,
    )
    np.testing.assert_allclose(history["learning_rate"], [0.1, 0.05], rtol=1e-6)


def test_divergence_stops_training():
    x, y = classification_data(40)
    x = x * 1e4
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    history = train(model, x, y.astype("float32"), optimizer=SGD(10.0), loss="mse", epochs=50)
    assert len(history["loss"]) < 50
    assert not math.isfinite(history["loss"][-1])


def test_early_stopping_stops_and_restores_the_best_weights():
    x, y = classification_data(30)
    xv, yv = classification_data(30, seed=3)
    yv = 1 - yv  # validation labels that get worse as training fits x
    model = classifier()
    stopper = EarlyStopping(patience=2)
    history = train(
        model, x, y, optimizer=Adam(0.05), loss=LOSS, epochs=30, validation_data=(xv, yv),
        early_stopping=stopper,
    )
    assert stopper.stopped_epoch is not None and len(history["loss"]) == stopper.stopped_epoch + 1
    restored = keras.losses.sparse_categorical_crossentropy(yv, model(xv))
    assert math.isclose(float(keras.ops.mean(restored)), stopper.best, rel_tol=1e-4)
    assert stopper.best == min(history["val_loss"])


def two_head_model():
    set_seed(0)
    inputs = {"a": keras.Input((3,), name="a"), "b": keras.Input((2,), name="b")}
    hidden = keras.layers.Concatenate()([inputs["a"], inputs["b"]])
    heads = {
        "shape": keras.layers.Dense(3, activation="softmax", name="shape")(hidden),
        "colour": keras.layers.Dense(2, activation="softmax", name="colour")(hidden),
    }
    return keras.Model(inputs, heads)


def two_head_data(n=24):
    rng = np.random.default_rng(0)
    x = {"a": rng.normal(size=(n, 3)).astype("float32"), "b": rng.normal(size=(n, 2)).astype("float32")}
    y = {"shape": rng.integers(0, 3, n), "colour": rng.integers(0, 2, n)}
    return x, y


def test_two_heads_keys_and_weighted_total_match_keras():
    x, y = two_head_data()
    model = two_head_model()
    twin = keras.models.clone_model(model)
    twin.set_weights(model.get_weights())
    weights = {"shape": 1.0, "colour": 0.25}
    twin.compile(keras.optimizers.SGD(0.1), loss={k: LOSS for k in y}, loss_weights=weights,
                 metrics={k: ["accuracy"] for k in y})
    want = twin.fit(x, y, batch_size=8, epochs=2, shuffle=False, validation_data=(x, y),
                    verbose=0).history
    got = train(model, x, y, optimizer=SGD(0.1), loss=LOSS, loss_weights=weights, batch_size=8,
                epochs=2, shuffle=False, validation_data=(x, y), metrics=["accuracy"])
    assert sorted(got) == sorted(want)
    for key in want:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        got["loss"], np.add(got["shape_loss"], 0.25 * np.array(got["colour_loss"])), rtol=1e-5
    )


def test_two_heads_with_a_list_of_labels_and_a_multi_output_loss():
    x, y = two_head_data()
    loss = MultiOutputLoss({"shape": LOSS, "colour": LOSS}, {"colour": 0.0})
    history = train(two_head_model(), x, y, optimizer=SGD(0.1), loss=loss, epochs=1)
    np.testing.assert_allclose(history["loss"], history["shape_loss"], rtol=1e-6)
    set_seed(0)
    inputs = keras.Input((3,))
    model = keras.Model(inputs, [keras.layers.Dense(3)(inputs), keras.layers.Dense(2)(inputs)])
    history = train(model, x["a"], [y["shape"], y["colour"]], optimizer=SGD(0.1),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert len([k for k in history if k.endswith("_loss")]) == 2


def test_run_eagerly_gives_the_same_history():
    x, y = classification_data(30)
    compiled = train(classifier(), x, y, optimizer=Momentum(0.1), loss=LOSS, epochs=2, seed=0)
    eager = train(classifier(), x, y, optimizer=Momentum(0.1), loss=LOSS, epochs=2, seed=0,
                  run_eagerly=True)
    np.testing.assert_allclose(compiled["loss"], eager["loss"], rtol=1e-5)


# --- the loop refuses bad input ------------------------------------------------------------


def bad_call(**changes):
    x, y = classification_data(20)
    kwargs = {"optimizer": SGD(0.1), "loss": LOSS}
    args = {"model": classifier(), "x": x, "y": y}
    for key, value in changes.items():
        (args if key in args else kwargs)[key] = value
    return train(args["model"], args["x"], args["y"], **kwargs)


@pytest.mark.parametrize(
    "changes, error, message",
    [
        ({"x": np.zeros((0, 3)), "y": np.zeros(0)}, ValueError, "empty: there is nothing to train"),
        ({"y": np.zeros(19)}, ValueError, r"same number of rows, got x: \[20\], y: \[19\]"),
        ({"optimizer": keras.optimizers.SGD(-0.1)}, ValueError,
         "optimizer.learning_rate must be > 0"),
        ({"optimizer": "adam"}, TypeError, "optimizer must be an optimiser"),
        ({"model": "model"}, TypeError, "model must be a keras.Model"),
        ({"epochs": 0}, ValueError, "epochs must be an integer >= 1"),
        ({"epochs": 2.0}, TypeError, "epochs must be an integer"),
        ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1"),
        ({"steps_per_epoch": -3}, ValueError, "steps_per_epoch must be"),
        ({"metrics": ["f1"]}, ValueError, "metrics must be None"),
        ({"metrics": "accuracy"}, ValueError, "metrics must be None"),
        ({"schedule": 0.1}, TypeError, "schedule must be a function"),
        ({"schedule": lambda step: -0.1}, ValueError, r"schedule\(0\) must be >= 0"),
        ({"schedule": lambda step: "fast"}, TypeError, r"schedule\(0\) must be a number"),
        ({"early_stopping": 3}, TypeError, "early_stopping must be an EarlyStopping"),
        ({"loss_weights": {"a": 1.0}}, ValueError, "one output: give one loss"),
        ({"y": {"a": np.zeros(20)}}, ValueError, "one output, so y must be one array"),
        ({"x": np.array(["a"] * 20, dtype=object)}, TypeError, "must hold numbers"),
        ({"y": np.array(["a"] * 20)}, TypeError, "y must hold numbers, got an array of dtype"),
        ({"shuffle": "yes"}, TypeError, "shuffle must be True or False"),
        ({"metrics": 3}, ValueError, "metrics must be None"),
        ({"validation_data": np.zeros(3)}, TypeError, "validation_data must be a pair"),
        ({"validation_data": (np.zeros((4, 3)), np.zeros(5))}, ValueError,
         "x_val and y_val must have the same number of rows"),
        ({"seed": -1}, ValueError, "seed must be an integer >= 0"),
    ],
)
def test_train_refuses_bad_input(changes, error, message):
    with pytest.raises(error, match=message):
        bad_call(**changes)


def test_two_head_model_refuses_one_label_array():
    x, y = two_head_data()
    with pytest.raises(ValueError, match=r"2 outputs \['shape', 'colour'\], but y is a single array"):
        train(two_head_model(), x, y["shape"], optimizer=SGD(0.1), loss=LOSS)
    with pytest.raises(ValueError, match="one entry per model output"):
        train(two_head_model(), x, {"shape": y["shape"], "size": y["colour"]},
              optimizer=SGD(0.1), loss=LOSS)
    with pytest.raises(ValueError, match="the losses name outputs"):
        train(two_head_model(), x, y, optimizer=SGD(0.1), loss={"shape": LOSS, "size": LOSS})


def test_module_lists_its_public_names():
    for name in training.__all__:
        assert getattr(training, name).__doc__


class _CountTrainingCalls(keras.layers.Layer):
    """Identity layer that counts its calls in training mode: in a compiled step, one per trace."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.training_calls = 0

    def call(self, x, training=None):
        if training:
            self.training_calls += 1
        return x


@pytest.mark.parametrize("x_as_dict", [False, True])
def test_train_traces_its_step_once_even_with_a_smaller_last_batch(x_as_dict):
    counter = _CountTrainingCalls()
    inp = keras.Input((3,), name="a")
    model = keras.Model({"a": inp} if x_as_dict else inp,
                        keras.layers.Dense(2, activation="softmax")(counter(inp)))
    x = np.random.default_rng(0).normal(size=(10, 3)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    train(model, {"a": x} if x_as_dict else x, y, optimizer=SGD(0.1),
          loss="sparse_categorical_crossentropy", epochs=2, batch_size=4, seed=0)  # batches 4, 4, 2
    assert counter.training_calls == 1
    train(model, {"a": x} if x_as_dict else x, y, optimizer=SGD(0.1),
          loss="sparse_categorical_crossentropy", epochs=1, batch_size=4, run_eagerly=True)
    assert counter.training_calls == 1 + 3  # eagerly: one Python call per step
