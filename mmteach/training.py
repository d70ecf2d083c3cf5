"""Training from the inside: optimisers, a training loop and the parts of ``fit``.

Introduced in Chapter 4 (``notebooks/04_training.ipynb``).

Keras's ``model.fit`` hides four things a practitioner should be able to write
by hand. This module writes each one out, short enough to read in a minute:

- **optimisers** -- :class:`GradientDescent`, :class:`SGD`, :class:`Momentum`
  (with Nesterov's variant), :class:`RMSProp` and :class:`Adam`. Each docstring
  gives its update rule; each applies that rule to a Keras model's variables
  from ``tf.GradientTape`` gradients, with the same formulas (and defaults) as
  its ``keras.optimizers`` counterpart, so the two give the same weights;
- **a training loop** -- :func:`train`: epochs, mini-batches, validation, and a
  history dict shaped like ``model.fit(...).history``. It drives these
  optimisers or Keras's own;
- **the parts of fit** -- :class:`MultiOutputLoss` (one loss per output,
  weighted), :class:`EarlyStopping`, a learning-rate schedule
  (:func:`cosine_decay`) and :func:`set_seed` for repeatable runs.

Example
-------
>>> import numpy as np, keras
>>> from mmteach.training import Adam, set_seed, train
>>> _ = set_seed(0)
>>> x = np.linspace(-1, 1, 64, dtype="float32")[:, None]
>>> y = 3 * x + 1
>>> model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
>>> history = train(model, x, y, optimizer=Adam(0.1), loss="mse", epochs=40, batch_size=16)
>>> sorted(history), len(history["loss"])
(['loss'], 40)
>>> history["loss"][-1] < 0.01
True
"""

from __future__ import annotations

import math

import numpy as np

from mmteach import native_logs_silenced
from mmteach._validation import check_array, check_flag, check_int, check_labels, check_number, check_seed

with native_logs_silenced():  # TensorFlow prints start-up notices when first imported
    import keras
    from keras import ops

__all__ = [
    "Optimizer",
    "GradientDescent",
    "SGD",
    "Momentum",
    "RMSProp",
    "Adam",
    "MultiOutputLoss",
    "EarlyStopping",
    "cosine_decay",
    "set_seed",
    "train",
]


# --- argument checks ---------------------------------------------------------------


def _learning_rate(value, name="learning_rate"):
    return check_number(name, value, low=0.0, low_open=True)


def _as_float(value) -> float:
    """A Python float from a number, a NumPy scalar, a tensor or a Keras variable."""
    return float(value.numpy() if hasattr(value, "numpy") else value)


# --- optimisers ------------------------------------------------------------------


class Optimizer:
    """Base class of the from-scratch optimisers.

    Introduced in Chapter 4.

    It holds what every optimiser needs -- the learning rate, a step counter
    ``iterations`` and a little state per model variable -- and offers the same
    methods as a ``keras.optimizers.Optimizer``: ``build(variables)``,
    ``apply_gradients(zip(gradients, variables))`` and ``apply(gradients, variables)``.
    A subclass lists the state it keeps per variable in ``state_names`` (each starts
    as zeros shaped like the variable) and writes ``update(variable, gradient, state,
    lr, t)``: one step of its rule, with ``state`` a dict of those arrays and ``t`` the
    step number, 1 for the first step.

    The learning rate lives in a variable, so a schedule can change it between
    steps without recompiling: ``optimizer.learning_rate = 0.01``.
    """

    #: True for an optimiser meant to see the whole training set at every step.
    full_batch = False

    def __init__(self, learning_rate):
        self._learning_rate = keras.Variable(
            _learning_rate(learning_rate), dtype="float32", trainable=False, name="learning_rate"
        )
        self.iterations = keras.Variable(0, dtype="int64", trainable=False, name="iterations")
        self._states = {}  # id(variable) -> (variable, {name: state variable})

    # the keras.optimizers interface
    @property
    def learning_rate(self):
        """The current learning rate (a variable; ``float(...)`` gives the number)."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        # A schedule may reach 0 at its end; only the starting rate must be positive.
        self._learning_rate.assign(check_number("learning_rate", value, low=0.0))

    @property
    def built(self) -> bool:
        return bool(self._states)

    def build(self, variables):
        """Create the state of every variable not seen before (call before a compiled step)."""
        for variable in variables:
            if id(variable) not in self._states:
                state = {
                    name: keras.Variable(
                        np.zeros(variable.shape, dtype=variable.dtype),
                        trainable=False,
                        name=f"{name}_{len(self._states)}",
                    )
                    for name in self.state_names
                }
                self._states[id(variable)] = (variable, state)

    def apply_gradients(self, grads_and_vars):
        """Apply one update to each variable from its gradient; returns ``iterations``."""
        grads_and_vars = [(g, v) for g, v in grads_and_vars if g is not None]
        self.build([v for _, v in grads_and_vars])
        self.iterations.assign_add(1)
        t = ops.cast(self.iterations, "float32")
        lr = ops.convert_to_tensor(self._learning_rate)
        for gradient, variable in grads_and_vars:
            gradient = ops.cast(gradient, variable.dtype)
            self.update(variable, gradient, self._states[id(variable)][1], lr, t)
        return self.iterations

    def apply(self, gradients, variables):
        """Same as ``apply_gradients(zip(gradients, variables))``."""
        return self.apply_gradients(zip(gradients, variables))

    # what a subclass writes
    state_names: tuple[str, ...] = ()

    def update(self, variable, gradient, state, lr, t):  # pragma: no cover - abstract
        raise NotImplementedError

    def _params(self):
        return {}

    def __repr__(self):
        params = {"learning_rate": round(_as_float(self._learning_rate), 8), **self._params()}
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in params.items())})"


class GradientDescent(Optimizer):
    """Gradient descent: step downhill along the gradient of the loss on the whole training set.

    Introduced in Chapter 4.

    Update rule, for each weight ``w`` with gradient ``g = dL/dw`` and learning rate ``lr``::

        w <- w - lr * g

    "Full batch": :func:`train` computes ``g`` on every training example at once
    (``batch_size=None`` gives the whole set). The same rule on a mini-batch is :class:`SGD`.
    Equals ``keras.optimizers.SGD(learning_rate)``.

    >>> GradientDescent(0.1)
    GradientDescent(learning_rate=0.1)
    """

    full_batch = True

    def __init__(self, learning_rate: float = 0.01):
        super().__init__(learning_rate)

    def update(self, variable, gradient, state, lr, t):
        variable.assign_sub(lr * gradient)


class SGD(GradientDescent):
    """Stochastic gradient descent: the gradient-descent rule on a random mini-batch.

    Introduced in Chapter 4.

    Update rule, with ``g`` the gradient on the current mini-batch only::

        w <- w - lr * g

    A mini-batch gradient is a noisy but cheap estimate of the full one, so SGD takes
    many small, wobbly steps for the price of one exact step. :func:`train` chooses the
    batches (``batch_size``, 32 by default). Equals ``keras.optimizers.SGD(learning_rate)``.

    >>> SGD(0.05)
    SGD(learning_rate=0.05)
    """

    full_batch = False


class Momentum(Optimizer):
    """SGD with momentum (optionally Nesterov's): a velocity that remembers past gradients.

    Introduced in Chapter 4.

    Update rule, with velocity ``v`` (starts at 0) and momentum ``mu``::

        v <- mu * v - lr * g
        w <- w + v                        (classical momentum)
        w <- w + mu * v - lr * g          (nesterov=True: look one step ahead)

    Steps grow up to ``1 / (1 - mu)`` times (10 times for ``mu = 0.9``) along directions
    where gradients agree, and oscillations across a narrow valley cancel out
    (Polyak 1964; Nesterov's form as in Sutskever et al. 2013). Equals
    ``keras.optimizers.SGD(learning_rate, momentum=mu, nesterov=...)``.

    >>> Momentum(0.01, momentum=0.9, nesterov=True)
    Momentum(learning_rate=0.01, momentum=0.9, nesterov=True)
    """

    state_names = ("velocity",)

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9, nesterov: bool = False):
        super().__init__(learning_rate)
        self.momentum = check_number("momentum", momentum, low=0.0, high=1.0, high_open=True)
        if not isinstance(nesterov, bool):
            raise TypeError(f"nesterov must be True or False, got {nesterov!r}")
        self.nesterov = nesterov

    def update(self, variable, gradient, state, lr, t):
        v = state["velocity"]
        v.assign(self.momentum * v - lr * gradient)
        if self.nesterov:
            variable.assign_add(self.momentum * v - lr * gradient)
        else:
            variable.assign_add(v)

    def _params(self):
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class RMSProp(Optimizer):
    """RMSProp: divide each weight's step by a running root-mean-square of its gradients.

    Introduced in Chapter 4.

    Update rule, with ``s`` a moving average of squared gradients (starts at 0)::

        s <- rho * s + (1 - rho) * g**2
        w <- w - lr * g / sqrt(s + epsilon)

    Every weight gets its own effective step size: large where gradients are large,
    larger where they are small, so badly scaled inputs matter less (Tieleman and
    Hinton's lecture 6e, 2012). Equals ``keras.optimizers.RMSprop(learning_rate, rho,
    epsilon=epsilon)``; note that Keras puts ``epsilon`` inside the square root.

    >>> RMSProp()
    RMSProp(learning_rate=0.001, rho=0.9, epsilon=1e-07)
    """

    state_names = ("mean_square",)

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, epsilon: float = 1e-7):
        super().__init__(learning_rate)
        self.rho = check_number("rho", rho, low=0.0, high=1.0, high_open=True)
        self.epsilon = check_number("epsilon", epsilon, low=0.0)

    def update(self, variable, gradient, state, lr, t):
        s = state["mean_square"]
        s.assign(self.rho * s + (1 - self.rho) * ops.square(gradient))
        variable.assign_sub(lr * gradient / ops.sqrt(s + self.epsilon))

    def _params(self):
        return {"rho": self.rho, "epsilon": self.epsilon}


class Adam(Optimizer):
    """Adam: momentum and RMSProp together, with a correction for their zero start.

    Introduced in Chapter 4.

    Update rule at step ``t = 1, 2, ...``, with ``m`` and ``v`` starting at 0::

        m <- beta_1 * m + (1 - beta_1) * g          (running mean of gradients)
        v <- beta_2 * v + (1 - beta_2) * g**2       (running mean of squared gradients)
        w <- w - lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) * m / (sqrt(v) + epsilon)

    Kingma and Ba (2015) write the bias correction as ``m_hat = m / (1 - beta_1**t)``,
    ``v_hat = v / (1 - beta_2**t)`` and ``w <- w - lr * m_hat / (sqrt(v_hat) + epsilon)``;
    the form above (their Section 2's "more efficient" order, which Keras uses) is the
    same except that ``epsilon`` is scaled by ``sqrt(1 - beta_2**t)``. The correction
    matters early: ``m`` and ``v`` start at 0, and ``v`` (with ``beta_2`` near 1) stays near
    0 far longer, so uncorrected first steps would be about three times too large.
    Equals ``keras.optimizers.Adam(learning_rate, beta_1, beta_2, epsilon)``.

    >>> Adam()
    Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07)
    """

    state_names = ("m", "v")

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
    ):
        super().__init__(learning_rate)
        self.beta_1 = check_number("beta_1", beta_1, low=0.0, high=1.0, high_open=True)
        self.beta_2 = check_number("beta_2", beta_2, low=0.0, high=1.0, high_open=True)
        self.epsilon = check_number("epsilon", epsilon, low=0.0)

    def update(self, variable, gradient, state, lr, t):
        m, v = state["m"], state["v"]
        m.assign(self.beta_1 * m + (1 - self.beta_1) * gradient)
        v.assign(self.beta_2 * v + (1 - self.beta_2) * ops.square(gradient))
        step = lr * ops.sqrt(1 - ops.power(self.beta_2, t)) / (1 - ops.power(self.beta_1, t))
        variable.assign_sub(step * m / (ops.sqrt(v) + self.epsilon))

    def _params(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


# --- losses, early stopping, schedules, seeds ----------------------------------------


def _get_loss(name, loss):
    """A function (y_true, y_pred) -> scalar: the batch mean of the loss, as Keras reports it."""
    if isinstance(loss, str):
        try:
            fn = keras.losses.get(loss)
        except ValueError:
            fn = None
        if fn is None:
            raise ValueError(f"{name}: unknown Keras loss {loss!r}")
    elif callable(loss):
        fn = loss
    else:
        raise TypeError(f"{name} must be a Keras loss name or a callable, got {type(loss).__name__}")

    def mean_loss(y_true, y_pred):
        # Loss objects already average; loss functions (e.g. "mse") give one value per example.
        return ops.cast(ops.mean(fn(y_true, y_pred)), "float32")

    return mean_loss


class MultiOutputLoss:
    """The loss of a model with several outputs: a weighted sum of one loss per output.

    Introduced in Chapter 4.

    ::

        total = sum over outputs k of  weight_k * loss_k(y_true[k], y_pred[k])

    which is what ``model.compile(loss={...}, loss_weights={...})`` minimises. Calling it
    returns ``(total, {name: loss_k})``; ``y_true`` and ``y_pred`` are dicts keyed by
    output name. Missing weights are 1.

    >>> import numpy as np
    >>> loss = MultiOutputLoss({"a": "mse", "b": "mse"}, loss_weights={"b": 0.5})
    >>> y_true = {"a": np.zeros((2, 1)), "b": np.ones((2, 1))}
    >>> total, parts = loss(y_true, {"a": np.ones((2, 1)), "b": np.zeros((2, 1))})
    >>> float(total), float(parts["b"])
    (1.5, 1.0)
    """

    def __init__(self, losses: dict, loss_weights: dict | None = None):
        if not isinstance(losses, dict) or not losses:
            raise TypeError(
                "losses must be a non-empty dict {output name: loss}, got "
                f"{type(losses).__name__} {losses!r}"
            )
        self.losses = {k: _get_loss(f"losses[{k!r}]", v) for k, v in losses.items()}
        loss_weights = {} if loss_weights is None else loss_weights
        if not isinstance(loss_weights, dict):
            raise TypeError(
                f"loss_weights must be a dict {{output name: weight}}, got {type(loss_weights).__name__}"
            )
        unknown = sorted(set(loss_weights) - set(self.losses))
        if unknown:
            raise ValueError(
                f"loss_weights names outputs {unknown} that have no loss; outputs: {self.names}"
            )
        self.loss_weights = {
            k: check_number(f"loss_weights[{k!r}]", loss_weights.get(k, 1.0), low=0.0) for k in self.losses
        }

    @property
    def names(self) -> list[str]:
        """The output names, in order."""
        return list(self.losses)

    def __call__(self, y_true, y_pred):
        for label, value in (("y_true", y_true), ("y_pred", y_pred)):
            if not isinstance(value, dict):
                raise ValueError(
                    f"the model has {len(self.names)} outputs {self.names}, so {label} must be a "
                    f"dict with one array per output, got a single {type(value).__name__}"
                )
            missing = [k for k in self.names if k not in value]
            if missing:
                raise ValueError(f"{label} has no entry for outputs {missing}; it has {list(value)}")
        parts = {k: self.losses[k](y_true[k], y_pred[k]) for k in self.names}
        total = sum(self.loss_weights[k] * parts[k] for k in self.names)
        return total, parts


class EarlyStopping:
    """Stop training when a monitored value has stopped improving; keep the best weights.

    Introduced in Chapter 4.

    After each epoch :func:`train` calls :meth:`update` with that epoch's logs. A value
    counts as an improvement when it beats the best so far by more than ``min_delta``.
    After ``patience`` epochs in a row without one, :meth:`update` returns True and
    training stops; with ``restore_best_weights`` the model gets back the weights of its
    best epoch at the end. Same rule as ``keras.callbacks.EarlyStopping`` (whose
    ``restore_best_weights`` defaults to False: a model stopped late is not the best one).

    After training, ``best`` is the best value, ``best_epoch`` its epoch (from 0) and
    ``stopped_epoch`` the epoch it stopped at (None if it ran to the end).

    >>> stopper = EarlyStopping(patience=2, restore_best_weights=False)
    >>> [stopper.update(epoch, {"val_loss": v}) for epoch, v in enumerate([3, 2, 2.5, 2.1])]
    [False, False, False, True]
    >>> stopper.best, stopper.best_epoch, stopper.stopped_epoch
    (2.0, 1, 3)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 5,
        *,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = True,
    ):
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"monitor must be the name of a history entry, got {monitor!r}")
        self.monitor = monitor
        self.patience = check_int("patience", patience, minimum=0)
        self.min_delta = check_number("min_delta", min_delta, low=0.0)
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        if mode == "auto":
            mode = "max" if ("acc" in monitor or "auc" in monitor) else "min"
        self.mode = mode
        if not isinstance(restore_best_weights, bool):
            raise TypeError(f"restore_best_weights must be True or False, got {restore_best_weights!r}")
        self.restore_best_weights = restore_best_weights
        self.reset()

    def reset(self):
        """Forget everything (called by :func:`train` at the start)."""
        self.best = None
        self.best_epoch = None
        self.best_weights = None
        self.stopped_epoch = None
        self.wait = 0

    def _improved(self, value) -> bool:
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def update(self, epoch: int, logs: dict, model=None) -> bool:
        """Record epoch ``epoch``'s ``logs``; return True when training should stop."""
        if self.monitor not in logs:
            raise ValueError(
                f"EarlyStopping monitors {self.monitor!r}, which is not among {sorted(logs)}; "
                "monitoring val_* needs validation_data"
            )
        value = float(logs[self.monitor])
        if math.isfinite(value) and self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights and model is not None:
                self.best_weights = model.get_weights()
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False


def cosine_decay(initial_learning_rate: float, decay_steps: int, *, alpha: float = 0.0):
    """A learning-rate schedule: half a cosine from ``initial_learning_rate`` down to
    ``alpha * initial_learning_rate`` over ``decay_steps`` steps, then flat.

    Introduced in Chapter 4.

    ::

        progress = min(step, decay_steps) / decay_steps
        lr(step) = initial * ((1 - alpha) * 0.5 * (1 + cos(pi * progress)) + alpha)

    Large steps early, to travel; small steps late, to settle (Loshchilov and Hutter,
    2017). Returns a function ``step -> learning rate`` for :func:`train`'s ``schedule``.
    Equals ``keras.optimizers.schedules.CosineDecay(initial_learning_rate, decay_steps, alpha)``.

    >>> schedule = cosine_decay(0.1, 100)
    >>> [round(schedule(step), 4) for step in (0, 50, 100, 200)]
    [0.1, 0.05, 0.0, 0.0]
    """
    initial = _learning_rate(initial_learning_rate, "initial_learning_rate")
    decay_steps = check_int("decay_steps", decay_steps, minimum=1)
    alpha = check_number("alpha", alpha, low=0.0, high=1.0)

    def schedule(step: int) -> float:
        progress = min(max(int(step), 0), decay_steps) / decay_steps
        return initial * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * progress)) + alpha)

    return schedule


def set_seed(seed: int) -> int:
    """Seed Python's, NumPy's and TensorFlow's random generators at once; returns ``seed``.

    Introduced in Chapter 4.

    The same seed then gives the same initial weights, the same batches and the same
    dropout masks, so a run can be repeated exactly on the same machine. A different
    seed is a different -- equally valid -- run. Wraps ``keras.utils.set_random_seed``.

    >>> set_seed(0)
    0
    """
    seed = check_seed(seed)
    keras.utils.set_random_seed(seed)
    return seed


# --- the training loop -----------------------------------------------------------


def _arrays(name, data):
    """``data`` (an array, or a dict/list/tuple of arrays) as numpy, with its structure."""
    if data is None:
        raise TypeError(f"{name} must be an array or a dict/list of arrays, got None")
    if isinstance(data, dict):
        if not data:
            raise ValueError(f"{name} is an empty dict")
        return {k: _arrays(f"{name}[{k!r}]", v) for k, v in data.items()}
    if isinstance(data, (list, tuple)) and data and all(hasattr(v, "shape") for v in data):
        return [_arrays(f"{name}[{i}]", v) for i, v in enumerate(data)]
    array = np.asarray(data)
    if array.dtype.kind not in "biuf":  # booleans, integers, floats
        kind = "Python objects" if array.dtype == object else f"dtype {array.dtype}"
        raise TypeError(f"{name} must hold numbers, got an array of {kind}")
    if array.ndim == 0:
        raise ValueError(f"{name} must have one row per example, got a scalar")
    # one NaN row would turn the first layer's weights to NaN while the loss looks finite
    return check_array(name, array, min_len=0)


def _leaves(data):
    if isinstance(data, dict):
        return [a for v in data.values() for a in _leaves(v)]
    if isinstance(data, list):
        return [a for v in data for a in _leaves(v)]
    return [data]


def _take(data, index):
    if isinstance(data, dict):
        return {k: _take(v, index) for k, v in data.items()}
    if isinstance(data, list):
        return [_take(v, index) for v in data]
    return data[index]


def _length(x, y, x_name, y_name):
    lengths = {f"{x_name}": {len(a) for a in _leaves(x)}, f"{y_name}": {len(a) for a in _leaves(y)}}
    every = set().union(*lengths.values())
    if len(every) > 1:
        detail = ", ".join(f"{k}: {sorted(v)}" for k, v in lengths.items())
        raise ValueError(f"{x_name} and {y_name} must have the same number of rows, got {detail}")
    n = every.pop()
    if n == 0:
        raise ValueError(f"{x_name} and {y_name} are empty: there is nothing to train on")
    return n


def _check_inputs_fit(model, x, name):
    """The arrays of ``x`` match the model's inputs by name and by the shape of one example."""
    inputs = list(model.inputs or [])
    if not inputs:
        return
    if isinstance(x, dict):
        expected = [t.name for t in inputs]
        given = list(x)
        if sorted(expected) != sorted(given):
            missing = [k for k in expected if k not in x]
            extra = [k for k in given if k not in expected]
            raise ValueError(
                f"{name} must have one array per model input {expected}: "
                + (f"missing {missing}" if missing else "")
                + ("; " if missing and extra else "")
                + (f"unexpected {extra}" if extra else "")
            )
        pairs = [(f"{name}[{t.name!r}]", x[t.name], t) for t in inputs]
    elif isinstance(x, list):
        if len(x) != len(inputs):
            raise ValueError(f"the model has {len(inputs)} inputs, {name} is a list of {len(x)} arrays")
        pairs = [(f"{name}[{i}]", a, t) for i, (a, t) in enumerate(zip(x, inputs))]
    else:
        if len(inputs) > 1:
            raise ValueError(
                f"the model has {len(inputs)} inputs {[t.name for t in inputs]}, but {name} is one "
                "array: pass a dict {input name: array}"
            )
        pairs = [(name, x, inputs[0])]
    from mmteach.models import _token_limit

    limit = _token_limit(model)
    for label, array, tensor in pairs:
        if limit is not None and np.issubdtype(np.asarray(array).dtype, np.integer) and np.size(array):
            top = int(np.max(array))
            if top >= limit:
                raise ValueError(
                    f"{label} has token id {top}, but the model's vocabulary has ids 0..{limit - 1}: "
                    "encode the captions with the CaptionVectorizer the model was built for"
                )
        want = tuple(tensor.shape[1:])
        got = np.shape(array)[1:]
        if len(got) != len(want) or any(w is not None and w != g for w, g in zip(want, got)):
            pretty = ", ".join("?" if w is None else str(w) for w in want)
            raise ValueError(
                f"{label} has examples of shape {got}, but the model's input {tensor.name!r} "
                f"takes ({pretty})"
            )


def _output_names(model, prediction):
    """Names of the model's outputs, or None for a model with a single output."""
    if isinstance(prediction, dict):
        return list(prediction)
    if isinstance(prediction, (list, tuple)):
        names = list(getattr(model, "output_names", []) or [])
        if len(names) != len(prediction):
            names = [f"output_{i}" for i in range(len(prediction))]
        return names
    return None


def _labels_by_output(name, y, outputs):
    """Check ``y`` against the model's outputs; a dict keyed by output for multi-output models."""
    if outputs is None:
        if isinstance(y, (dict, list)):
            raise ValueError(
                f"the model has one output, so {name} must be one array, got a {type(y).__name__}"
            )
        return y
    if isinstance(y, list):
        if len(y) != len(outputs):
            raise ValueError(
                f"the model has {len(outputs)} outputs {outputs}, but {name} is a list of {len(y)}"
            )
        return dict(zip(outputs, y))
    if not isinstance(y, dict):
        raise ValueError(
            f"the model has {len(outputs)} outputs {outputs}, but {name} is a single array of "
            f"shape {np.shape(y)}: pass a dict with one label array per output, e.g. "
            f"{{{outputs[0]!r}: labels_0, {outputs[1]!r}: labels_1}}"
        )
    if set(y) != set(outputs):
        raise ValueError(f"{name} must have one entry per model output {outputs}, got {list(y)}")
    return y


def _loss_kind(loss) -> str | None:
    """'sparse', 'categorical' or 'binary' for the cross-entropies, None for anything else."""
    label = loss if isinstance(loss, str) else getattr(loss, "name", None) or getattr(loss, "__name__", "")
    label = str(label).lower().replace("_", "")
    for kind in ("sparse", "binary", "categorical"):
        if label.startswith(kind) and "crossentropy" in label:
            return kind
    return None


def _check_labels_fit(name, labels, prediction, loss):
    """Labels whose form does not fit the output and the loss are refused with the reason."""
    k = int(prediction.shape[-1]) if len(prediction.shape) > 1 else 1
    kind = _loss_kind(loss)
    shape = np.shape(labels)
    if kind == "sparse":
        if len(shape) == 2 and shape[1] == k and k > 1:
            raise ValueError(
                f"{name} has shape {shape}, one-hot rows, but the loss is sparse categorical "
                "cross-entropy, which takes class codes: use labels.argmax(axis=1), or the loss "
                "'categorical_crossentropy'"
            )
        check_labels(name, labels, n_classes=k)
    elif kind == "categorical":
        if len(shape) == 1 or (len(shape) == 2 and shape[1] == 1 and k > 1):
            raise ValueError(
                f"{name} holds one class code per example (shape {shape}), but the loss is "
                f"categorical cross-entropy, which takes one-hot rows of {k}: use the loss "
                "'sparse_categorical_crossentropy'"
            )
        if shape[1:] != tuple(prediction.shape[1:]):
            raise ValueError(
                f"{name} has rows of shape {shape[1:]}, the model's output {tuple(prediction.shape[1:])}"
            )
    elif kind == "binary":
        values = np.asarray(labels)
        if values.size and (values.min() < 0 or values.max() > 1):
            raise ValueError(
                f"{name} must hold 0/1 labels (or probabilities) for binary cross-entropy, got "
                f"values from {values.min()} to {values.max()}"
            )
        if np.prod(shape[1:], dtype=int) != np.prod(prediction.shape[1:], dtype=int):
            raise ValueError(
                f"{name} has rows of shape {shape[1:]}, but the model's output has "
                f"{tuple(prediction.shape[1:])}: one label per output unit"
            )


def _accuracy(y_true, y_pred):
    """Share of correct predictions: argmax for several classes, > 0.5 for one probability."""
    if y_pred.shape[-1] == 1:
        predicted = ops.cast(ops.reshape(y_pred, (-1,)) > 0.5, "int64")
    else:
        predicted = ops.argmax(y_pred, axis=-1)
    truth = ops.cast(ops.reshape(y_true, (-1,)), "int64")
    return ops.mean(ops.cast(ops.equal(predicted, truth), "float32"))


def _check_optimizer(optimizer):
    if not hasattr(optimizer, "apply_gradients"):
        raise TypeError(
            "optimizer must be an optimiser from mmteach.training or keras.optimizers, got "
            f"{type(optimizer).__name__} {optimizer!r}"
        )
    try:
        rate = _as_float(optimizer.learning_rate)
    except (TypeError, ValueError, AttributeError):
        raise TypeError(
            f"optimizer.learning_rate must be a number, got {optimizer.learning_rate!r}"
        ) from None
    _learning_rate(rate, "optimizer.learning_rate")


def _loss_function(loss, outputs, loss_weights):
    """One function (y_true, y_pred) -> (total, {output: loss}) for any number of outputs."""
    if outputs is None:
        if isinstance(loss, (dict, MultiOutputLoss)) or loss_weights is not None:
            raise ValueError("the model has one output: give one loss and no loss_weights")
        single = _get_loss("loss", loss)
        return lambda y_true, y_pred: (single(y_true, y_pred), {})
    if isinstance(loss, MultiOutputLoss):
        if loss_weights is not None:
            raise ValueError("give loss_weights to the MultiOutputLoss, not to train")
        loss_fn = loss
    else:
        losses = loss if isinstance(loss, dict) else dict.fromkeys(outputs, loss)
        loss_fn = MultiOutputLoss(losses, loss_weights)
    if set(loss_fn.names) != set(outputs):
        raise ValueError(f"the losses name outputs {loss_fn.names}, the model has {outputs}")
    return loss_fn


def _prepare(model, x, y, validation_data, loss):
    """Checked arrays; the model's output names (None for one output); the validation pair."""
    if _loss_kind(loss) == "sparse" and getattr(y, "ndim", 1) == 2 and hasattr(y, "columns"):
        check_labels("y", y)  # a label frame with several columns: say which columns came
    x, y = _arrays("x", x), _arrays("y", y)
    n = _length(x, y, "x", "y")
    _check_inputs_fit(model, x, "x")
    # A first forward pass builds the model and reveals its outputs.
    probe = model(_take(x, slice(0, 2)), training=False)
    outputs = _output_names(model, probe)
    y = _labels_by_output("y", y, outputs)
    _check_all_labels("y", y, probe, outputs, loss)
    validation = None
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise TypeError("validation_data must be a pair (x_val, y_val)")
        x_val, y_val = _arrays("x_val", validation_data[0]), _arrays("y_val", validation_data[1])
        _length(x_val, y_val, "x_val", "y_val")
        _check_inputs_fit(model, x_val, "x_val")
        y_val = _labels_by_output("y_val", y_val, outputs)
        _check_all_labels("y_val", y_val, probe, outputs, loss)
        validation = (x_val, y_val)
    return x, y, n, outputs, validation


def _check_all_labels(name, y, probe, outputs, loss):
    if outputs is None:
        _check_labels_fit(name, y, probe, loss)
        return
    predictions = probe if isinstance(probe, dict) else dict(zip(outputs, probe))
    for output in outputs:
        if isinstance(loss, MultiOutputLoss):
            each = loss.losses.get(output)
        else:
            each = loss.get(output) if isinstance(loss, dict) else loss
        _check_labels_fit(f"{name}[{output!r}]", y[output], predictions[output], each)


def _steps(model, optimizer, loss_fn, outputs, metrics, x, y, run_eagerly):
    """The training step (one update on one batch) and the evaluation step."""
    import tensorflow as tf

    def to_dict(pred):
        return dict(zip(outputs, pred)) if isinstance(pred, (list, tuple)) else pred

    def measure(y_true, y_pred, total, parts):
        logs = {"loss": total}
        if outputs is None:
            if metrics:
                logs["accuracy"] = _accuracy(y_true, y_pred)
            return logs
        for name in outputs:
            logs[f"{name}_loss"] = parts[name]
        for name in outputs:
            if metrics:
                logs[f"{name}_accuracy"] = _accuracy(y_true[name], y_pred[name])
        return logs

    variables = model.trainable_variables

    def train_step(xb, yb):
        with tf.GradientTape() as tape:
            pred = model(xb, training=True)
            if outputs is not None:
                pred = to_dict(pred)
            total, parts = loss_fn(yb, pred)
            regularisation = sum(model.losses) if model.losses else 0.0
            objective = total + regularisation
        gradients = tape.gradient(objective, variables)
        optimizer.apply_gradients(zip(gradients, variables))
        return measure(yb, pred, total, parts)

    def eval_step(xb, yb):
        pred = model(xb, training=False)
        if outputs is not None:
            pred = to_dict(pred)
        total, parts = loss_fn(yb, pred)
        return measure(yb, pred, total, parts)

    if not run_eagerly:
        # Evaluation stays eager: one large batch per epoch gains little from a graph, and
        # retracing a fresh graph in every call of train() would make TensorFlow warn.
        # Any batch size, one trace: without the signature, a smaller last batch would
        # make TensorFlow trace the step a second time.
        def spec(array):
            return tf.TensorSpec((None, *np.shape(array)[1:]), tf.as_dtype(np.asarray(array).dtype))

        signature = [tf.nest.map_structure(spec, x), tf.nest.map_structure(spec, y)]
        train_step = tf.function(train_step, input_signature=signature)
    if isinstance(optimizer, Optimizer) or not getattr(optimizer, "built", True):
        optimizer.build(variables)
    return train_step, eval_step


def _evaluate(eval_step, xs, ys, batch_size):
    """Mean of every log over the whole set, in large chunks."""
    m = len(_leaves(xs)[0])
    sums, chunk = {}, max(batch_size, 1024)
    for start in range(0, m, chunk):
        idx = slice(start, start + chunk)
        logs = eval_step(_take(xs, idx), _take(ys, idx))
        size = min(chunk, m - start)
        for k, v in logs.items():
            sums[k] = sums.get(k, 0.0) + float(v) * size
    return {k: v / m for k, v in sums.items()}


def _batches(n, batch_size, shuffle, seed):
    """Endless mini-batch indices: passes over the data, reshuffled at every pass."""
    rng = np.random.default_rng(seed)
    while True:
        order = rng.permutation(n) if shuffle else np.arange(n)
        for start in range(0, n, batch_size):
            yield order[start : start + batch_size]


def _set_rate(optimizer, schedule, step):
    rate = schedule(step)
    if hasattr(rate, "numpy"):  # a keras.optimizers.schedules object gives a tensor
        rate = _as_float(rate)
    optimizer.learning_rate = check_number(f"schedule({step})", rate, low=0.0)


def _run_epoch(train_step, x, y, batches, steps, *, optimizer, schedule, first_step, stop_on_nan):
    """``steps`` updates; the epoch's mean logs and whether the loss stopped being finite."""
    sums, seen = {}, 0
    for step in range(first_step, first_step + steps):
        index = next(batches)
        if schedule is not None:
            _set_rate(optimizer, schedule, step)
        logs = train_step(_take(x, index), _take(y, index))
        for k, v in logs.items():
            sums[k] = sums.get(k, 0.0) + float(v) * len(index)
        seen += len(index)
        if stop_on_nan and not math.isfinite(float(logs["loss"])):
            return {k: v / seen for k, v in sums.items()}, True
    return {k: v / seen for k, v in sums.items()}, False


def train(
    model,
    x,
    y,
    *,
    optimizer,
    loss,
    epochs: int = 1,
    batch_size: int | None = None,
    steps_per_epoch: int | None = None,
    validation_data=None,
    metrics=None,
    loss_weights: dict | None = None,
    schedule=None,
    early_stopping: EarlyStopping | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    stop_on_nan: bool = True,
    run_eagerly: bool = False,
) -> dict:
    """Train ``model`` on ``(x, y)`` with a plain loop; return a history like ``fit``'s.

    Introduced in Chapter 4.

    Each step takes a mini-batch, computes the loss under ``tf.GradientTape``, asks
    the tape for the gradient of the loss with respect to every trainable variable,
    and hands the pairs to ``optimizer.apply_gradients`` -- one of this module's or a
    ``keras.optimizers`` one. After each epoch it evaluates ``validation_data``.

    Parameters
    ----------
    model : a Keras model (one or several inputs and outputs).
    x, y : arrays with one row per example; dicts (or lists) of arrays for several
        inputs or outputs. For a model with several outputs, ``y`` is a dict keyed
        by output name.
    optimizer : the optimiser; its learning rate must be a positive number.
    loss : a Keras loss (name or callable); for several outputs, one loss for all, a
        dict of losses by output name, or a :class:`MultiOutputLoss`.
    epochs : number of epochs (passes, or ``steps_per_epoch`` steps, then validation).
    batch_size : examples per step; None gives the whole set for a full-batch optimiser
        (:class:`GradientDescent`) and 32 otherwise.
    steps_per_epoch : steps per epoch; None gives one pass over ``x``. Batches keep
        flowing through reshuffled passes, so short epochs give fine-grained curves.
    validation_data : ``(x_val, y_val)``, evaluated after each epoch.
    metrics : None or ``["accuracy"]`` (per output, for several outputs).
    loss_weights : weights of the outputs' losses (several outputs only).
    schedule : a function ``step -> learning rate`` called before every step (e.g.
        :func:`cosine_decay`); the rate used at each epoch's end goes into the history.
    early_stopping : an :class:`EarlyStopping` consulted after every epoch.
    shuffle : reshuffle the examples at every pass.
    seed : seed of the shuffling; None draws one from NumPy's global generator (which
        :func:`set_seed` seeds).
    stop_on_nan : stop as soon as the loss is not finite (it diverged).
    run_eagerly : run the step as plain Python instead of a compiled ``tf.function``.

    Returns
    -------
    dict of lists, one value per epoch, keyed as in Keras: ``loss``, ``accuracy``,
    ``val_loss``, ``val_accuracy``; with several outputs also ``<name>_loss`` and
    ``<name>_accuracy``; ``learning_rate`` when a schedule is given.

    Example
    -------
    >>> import numpy as np, keras
    >>> x = np.random.default_rng(0).normal(size=(40, 2)).astype("float32")
    >>> y = (x[:, 0] > x[:, 1]).astype("int64")
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    >>> history = train(model, x, y, optimizer=SGD(0.5), loss="sparse_categorical_crossentropy",
    ...                 epochs=3, validation_data=(x, y), metrics=["accuracy"], seed=0)
    >>> sorted(history)
    ['accuracy', 'loss', 'val_accuracy', 'val_loss']
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    _check_optimizer(optimizer)
    epochs = check_int("epochs", epochs, minimum=1)
    if steps_per_epoch is not None:
        steps_per_epoch = check_int("steps_per_epoch", steps_per_epoch, minimum=1)
    if metrics is None:
        metrics = []
    elif not isinstance(metrics, (list, tuple)) or any(m != "accuracy" for m in metrics):
        raise ValueError(f"metrics must be None or ['accuracy'], got {metrics!r}")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a function step -> learning rate, got {schedule!r}")
    if early_stopping is not None and not isinstance(early_stopping, EarlyStopping):
        raise TypeError(f"early_stopping must be an EarlyStopping, got {type(early_stopping).__name__}")
    shuffle, stop_on_nan = check_flag("shuffle", shuffle), check_flag("stop_on_nan", stop_on_nan)
    run_eagerly = check_flag("run_eagerly", run_eagerly)
    seed = int(np.random.randint(0, 2**31 - 1)) if seed is None else check_seed(seed)

    x, y, n, outputs, validation = _prepare(model, x, y, validation_data, loss)
    full_batch = getattr(optimizer, "full_batch", False)
    if batch_size is None:
        batch_size = n if full_batch else min(32, n)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    if full_batch and batch_size < n:
        raise ValueError(
            f"{type(optimizer).__name__} is full-batch gradient descent, so batch_size must be "
            f"the whole training set ({n}), got {batch_size}; use SGD for mini-batches"
        )
    loss_fn = _loss_function(loss, outputs, loss_weights)
    train_step, eval_step = _steps(model, optimizer, loss_fn, outputs, list(metrics), x, y, run_eagerly)

    steps = steps_per_epoch or math.ceil(n / batch_size)
    batches = _batches(n, batch_size, shuffle, seed)
    history: dict[str, list[float]] = {}
    if early_stopping is not None:
        early_stopping.reset()
    for epoch in range(epochs):
        logs, diverged = _run_epoch(train_step, x, y, batches, steps, optimizer=optimizer,
                                    schedule=schedule, first_step=epoch * steps, stop_on_nan=stop_on_nan)
        if validation is not None:
            if diverged:
                val = dict.fromkeys(logs, math.nan)
            else:
                val = _evaluate(eval_step, *validation, batch_size)
            logs.update({f"val_{k}": v for k, v in val.items()})
        if schedule is not None:
            logs["learning_rate"] = _as_float(optimizer.learning_rate)
        for k, v in logs.items():
            history.setdefault(k, []).append(float(v))
        if diverged or (early_stopping is not None and early_stopping.update(epoch, logs, model)):
            break
    if early_stopping is not None and early_stopping.best_weights is not None:
        model.set_weights(early_stopping.best_weights)
    return history
