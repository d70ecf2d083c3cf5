"""Models: one encoder per modality and the ways to fuse them.

Introduced in Chapter 3 (``notebooks/03_fusion.ipynb``).

Every builder uses the Keras functional API with one named input per modality --
``"image"``, ``"caption"``, ``"sound"``, ``"table"`` -- matching the arrays that
:class:`mmteach.preprocessing.ShapesPreprocessor` returns, and ends in a softmax
layer named ``"prediction"``. The four fusion builders share one calling shape,

``build(input_shapes, n_classes, *, vocab_size=None, embed_dim=32, hidden=64,
modality_dropout=0.0, seed=None)``,

so a chapter can loop over :data:`FUSIONS`:

``early``
    the modalities' raw features are joined *before* anything is learned
    (shrunken pixels, a bag of words, the spectrogram, the table row), then one
    network learns from the joined vector;
``late``
    one complete model per modality; their *predictions* are combined (an
    average, a learned weight per modality, or a learned linear layer);
``intermediate``
    one encoder per modality; their *embeddings* are joined and a shared head
    learns from them;
``attention``
    like intermediate fusion, but the embeddings are averaged with weights that
    the model computes *per sample* (:class:`ModalityAttention`); read them back
    with :func:`modality_weights`.

Missing modalities. A modality whose input is all zeros for a sample counts as
*missing* for that sample: :class:`ModalityPresence` turns the inputs into a
0/1 mask, and every fusion model zeroes what a missing modality would have
contributed (late fusion averages over the modalities present; attention gives
a missing one no weight). So to evaluate a model without, say, the caption,
feed zeros in its place: :func:`drop_modalities`. :class:`ModalityDropout` does
the same at random during training, which teaches a model not to lean on one
modality.

Example
-------
>>> from mmteach import models
>>> shapes = {"image": (32, 32, 3), "table": (5,)}
>>> model = models.intermediate_fusion(shapes, n_classes=4)
>>> sorted(model.input)
['image', 'table']
>>> model.output.shape
(None, 4)
"""

from __future__ import annotations

import numbers

import numpy as np

from mmteach import native_logs_silenced
from mmteach._validation import check_int, check_probability
from mmteach.datasets import INPUT_DTYPES, MODALITIES

with native_logs_silenced():  # TensorFlow prints start-up notices when first imported
    import keras
    from keras import layers, ops

__all__ = [
    "MODALITIES",
    "FUSIONS",
    "LATE_COMBINERS",
    "image_encoder",
    "caption_encoder",
    "sound_encoder",
    "table_encoder",
    "encoder",
    "unimodal",
    "early_fusion",
    "late_fusion",
    "intermediate_fusion",
    "attention_fusion",
    "ModalityPresence",
    "ModalityDropout",
    "ModalityAttention",
    "CombinePredictions",
    "modality_weights",
    "drop_modalities",
    "check_inputs",
]

# MODALITIES (the input names the builders accept, in this order) and their dtypes have one
# home, mmteach.datasets.

#: How :func:`late_fusion` can combine the per-modality predictions.
LATE_COMBINERS: tuple[str, ...] = ("average", "weighted", "learned")

#: The number of axes of one example of each modality (batch axis not counted).
_RANK = {"image": 3, "caption": 1, "sound": 2, "table": 1}
_LAYOUT = {
    "image": "(height, width, channels)",
    "caption": "(tokens,): integer token ids",
    "sound": "(frames, frequency_bins): a spectrogram",
    "table": "(features,)",
}


# --- argument checks -------------------------------------------------------------


def _check_shape(modality, shape):
    """Validate the shape of ONE example of ``modality``; return it as a tuple of ints."""
    where = f"input_shapes[{modality!r}]"
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(
            f"{where} must be a tuple of axis lengths such as {_LAYOUT[modality]}, got {shape!r}"
        ) from None
    if not all(isinstance(d, numbers.Integral) and not isinstance(d, bool) and d >= 1 for d in shape):
        raise ValueError(f"{where} must hold positive integers, got {shape!r}")
    shape = tuple(int(d) for d in shape)
    rank = _RANK[modality]
    if modality == "table" and len(shape) >= 3:
        raise ValueError(
            f"{where} = {shape} looks like an image or a spectrogram, not a table row. The table "
            "encoder is made of Dense layers, and a Dense layer acts on the last axis only: "
            f"given {shape} it would return {shape[:-1] + ('units',)}, one vector per pixel "
            "instead of one per example. Flatten it first (keras.layers.Flatten) or pass it "
            "as 'image' / 'sound' to get a convolutional encoder."
        )
    if len(shape) == rank + 1:
        raise ValueError(
            f"{where} = {shape} has one axis too many: give the shape of ONE example "
            f"{_LAYOUT[modality]}, without the batch axis, i.e. {shape[1:]}"
        )
    if len(shape) != rank:
        raise ValueError(f"{where} must have {rank} axis/axes {_LAYOUT[modality]}, got {shape}")
    return shape


def _check_input_shapes(input_shapes, *, at_least=1):
    if not isinstance(input_shapes, dict):
        raise TypeError(
            "input_shapes must be a dict {modality: shape of one example}, such as "
            f"{{'image': (32, 32, 3), 'caption': (12,)}}; got {type(input_shapes).__name__}"
        )
    unknown = [m for m in input_shapes if m not in MODALITIES]
    if unknown:
        raise ValueError(f"unknown modality {unknown[0]!r} in input_shapes: expected names from {MODALITIES}")
    if len(input_shapes) < at_least:
        raise ValueError(
            f"input_shapes must name at least {at_least} modality/modalities, got {list(input_shapes)}"
        )
    return {m: _check_shape(m, input_shapes[m]) for m in MODALITIES if m in input_shapes}


def _check_common(input_shapes, n_classes, vocab_size, embed_dim, hidden, modality_dropout, at_least=1):
    shapes = _check_input_shapes(input_shapes, at_least=at_least)
    n_classes = check_int("n_classes", n_classes, minimum=2)
    embed_dim = check_int("embed_dim", embed_dim, minimum=1)
    hidden = check_int("hidden", hidden, minimum=1)
    modality_dropout = check_probability("modality_dropout", modality_dropout, allow_one=False)
    if "caption" in shapes:
        if vocab_size is None:
            raise ValueError(
                "vocab_size is required when the caption is an input: pass the tokenizer's "
                "vocabulary size (e.g. preprocessor.vocab_size)"
            )
        vocab_size = check_int("vocab_size", vocab_size, minimum=2)
    return shapes, n_classes, vocab_size, embed_dim, hidden, modality_dropout


def _inputs(shapes):
    return {m: keras.Input(shape=s, name=m, dtype=INPUT_DTYPES[m]) for m, s in shapes.items()}


# --- encoders --------------------------------------------------------------------


def image_encoder(
    input_shape,
    *,
    embed_dim: int = 32,
    filters=(16, 32),
    pooling: str = "max",
    name: str = "image_encoder",
):
    """A small CNN: ``(height, width, channels)`` image -> ``embed_dim`` vector.

    Each entry of ``filters`` adds a 3x3 convolution with stride 2, which halves
    the height and width (as cheap as it gets, and enough for 32x32 shapes). Then
    ``pooling="max"`` keeps the strongest response of each filter anywhere in the
    image (few weights, and it does not matter *where* the object is), while
    ``pooling="flatten"`` keeps the whole feature map, so the embedding can tell
    where things are. A Dense layer makes the embedding. Introduced in Chapter 3.

    >>> image_encoder((32, 32, 3), embed_dim=16).output.shape
    (None, 16)
    """
    shape = _check_shape("image", input_shape)
    embed_dim = check_int("embed_dim", embed_dim, minimum=1)
    filters = tuple(check_int("filters", f, minimum=1) for f in filters)
    if pooling not in ("max", "flatten"):
        raise ValueError(f"pooling must be 'max' or 'flatten', got {pooling!r}")
    if min(shape[:2]) < 2 ** len(filters):
        raise ValueError(
            f"the image {shape} is too small for {len(filters)} strided convolutions: it needs at "
            f"least {2 ** len(filters)} pixels per side"
        )
    x = inputs = keras.Input(shape=shape, name="image")
    for f in filters:
        x = layers.Conv2D(f, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.GlobalMaxPooling2D()(x) if pooling == "max" else layers.Flatten()(x)
    outputs = layers.Dense(embed_dim, activation="relu")(x)
    return keras.Model(inputs, outputs, name=name)


def caption_encoder(
    input_shape,
    *,
    vocab_size: int,
    embed_dim: int = 32,
    token_dim: int = 16,
    kind: str = "bag",
    name: str = "caption_encoder",
):
    """Token ids ``(tokens,)`` -> ``embed_dim`` vector.

    ``kind="bag"`` turns the caption into a bag of words -- ``vocab_size`` zeros and
    ones saying which words occur -- and feeds it to a Dense layer: blind to word
    order, but fast, and every word has its own weights from the start, so it learns
    in a few passes. ``kind="pool"`` embeds each token in ``token_dim`` numbers and
    keeps the largest value of each over the tokens; ``kind="gru"`` reads the tokens
    in order with a GRU (padding, id 0, is skipped). Introduced in Chapter 3.

    >>> caption_encoder((12,), vocab_size=50, embed_dim=8).output.shape
    (None, 8)
    >>> caption_encoder((12,), vocab_size=50, embed_dim=8, kind="gru").output.shape
    (None, 8)
    """
    shape = _check_shape("caption", input_shape)
    vocab_size = check_int("vocab_size", vocab_size, minimum=2)
    embed_dim = check_int("embed_dim", embed_dim, minimum=1)
    token_dim = check_int("token_dim", token_dim, minimum=1)
    if kind not in ("bag", "pool", "gru"):
        raise ValueError(f"kind must be 'bag', 'pool' or 'gru', got {kind!r}")
    inputs = keras.Input(shape=shape, name="caption", dtype=INPUT_DTYPES["caption"])
    if kind == "bag":
        x = layers.CategoryEncoding(vocab_size, output_mode="multi_hot")(inputs)
    elif kind == "pool":
        # No mask: padding has its own embedding, and an all-padding (missing) caption
        # still gives a finite vector.
        x = layers.Embedding(vocab_size, token_dim)(inputs)
        x = layers.GlobalMaxPooling1D()(x)
    else:
        x = layers.Embedding(vocab_size, token_dim, mask_zero=True)(inputs)
        x = layers.GRU(embed_dim)(x)
    outputs = layers.Dense(embed_dim, activation="relu")(x)
    return keras.Model(inputs, outputs, name=name)


def sound_encoder(input_shape, *, embed_dim: int = 32, filters: int = 16, name: str = "sound_encoder"):
    """A small 1-D CNN over a spectrogram ``(frames, bins)`` -> ``embed_dim`` vector.

    The frequency bins are the channels and the convolution slides along time;
    a max over time keeps the strongest response of each filter. Introduced in
    Chapter 3.

    >>> sound_encoder((28, 65), embed_dim=8).output.shape
    (None, 8)
    """
    shape = _check_shape("sound", input_shape)
    embed_dim = check_int("embed_dim", embed_dim, minimum=1)
    filters = check_int("filters", filters, minimum=1)
    inputs = keras.Input(shape=shape, name="sound")
    x = layers.Conv1D(filters, 3, padding="same", activation="relu")(inputs)
    x = layers.GlobalMaxPooling1D()(x)
    outputs = layers.Dense(embed_dim, activation="relu")(x)
    return keras.Model(inputs, outputs, name=name)


def table_encoder(input_shape, *, embed_dim: int = 32, hidden: int = 32, name: str = "table_encoder"):
    """A two-layer MLP: one table row ``(features,)`` -> ``embed_dim`` vector.

    A Dense layer acts on the *last* axis only, so it refuses anything that is not
    a flat vector (an image would come out as ``(32, 32, units)``). Introduced in
    Chapter 3.

    >>> table_encoder((6,), embed_dim=8).output.shape
    (None, 8)
    """
    try:
        shape = tuple(input_shape)
    except TypeError:
        raise TypeError(f"input_shape must be a tuple such as (6,), got {input_shape!r}") from None
    if len(shape) > 1:
        raise ValueError(
            f"a Dense (MLP) encoder needs a flat vector (features,), got shape {shape}: Dense acts "
            f"on the last axis only, so it would return {shape[:-1] + (hidden,)} instead of one "
            "vector per example. Flatten the input first (keras.layers.Flatten), or use "
            "image_encoder / sound_encoder for images and spectrograms."
        )
    shape = _check_shape("table", shape)
    embed_dim = check_int("embed_dim", embed_dim, minimum=1)
    hidden = check_int("hidden", hidden, minimum=1)
    inputs = keras.Input(shape=shape, name="table")
    x = layers.Dense(hidden, activation="relu")(inputs)
    outputs = layers.Dense(embed_dim, activation="relu")(x)
    return keras.Model(inputs, outputs, name=name)


def encoder(modality: str, input_shape, *, embed_dim: int = 32, vocab_size: int | None = None):
    """The default encoder for ``modality`` (one of :data:`mmteach.datasets.MODALITIES`).

    Introduced in Chapter 3.

    >>> encoder("table", (6,), embed_dim=4).name
    'table_encoder'
    """
    if modality not in MODALITIES:
        raise ValueError(f"unknown modality {modality!r}: expected one of {MODALITIES}")
    if modality == "caption":
        if vocab_size is None:
            raise ValueError("vocab_size is required for the caption encoder")
        return caption_encoder(input_shape, vocab_size=vocab_size, embed_dim=embed_dim)
    build = {"image": image_encoder, "sound": sound_encoder, "table": table_encoder}[modality]
    return build(input_shape, embed_dim=embed_dim)


# --- layers for missing modalities, dropout and attention --------------------------


def _presence(tensors):
    columns = []
    for x in tensors:
        flat = ops.reshape(ops.abs(ops.cast(x, "float32")), (ops.shape(x)[0], -1))
        columns.append(ops.cast(ops.max(flat, axis=1) > 0, "float32"))
    return ops.stack(columns, axis=1)


@keras.saving.register_keras_serializable(package="mmteach")
class ModalityPresence(layers.Layer):
    """A list of M modality tensors -> a ``(batch, M)`` mask: 1 observed, 0 missing.

    A modality is *missing* for a sample when its whole input is zero (see
    :func:`drop_modalities`). Introduced in Chapter 3.

    >>> import numpy as np
    >>> image = np.ones((2, 4, 4, 3), "float32"); image[1] = 0
    >>> table = np.ones((2, 5), "float32")
    >>> np.asarray(ModalityPresence()([image, table])).tolist()
    [[1.0, 1.0], [0.0, 1.0]]
    """

    def call(self, inputs):
        return _presence(inputs)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], len(input_shape))


@keras.saving.register_keras_serializable(package="mmteach")
class ModalityDropout(layers.Layer):
    """Drop whole modalities per sample, during training only.

    Called on a list of M tensors (one per modality, any shapes with the batch
    first), it returns the list with each modality of each sample zeroed with
    probability ``rate`` -- in training only; at inference it changes nothing.
    It never drops every modality of a sample: if the draw would, one of them
    (chosen at random) is kept. Unlike ordinary dropout it does not rescale what
    it keeps: a missing modality at test time is also plain zeros.

    ``present`` (optional, ``(batch, M)``, 1 = observed) marks modalities that are
    already missing; they stay zero, and the "keep one" rule picks among the
    present ones. With ``return_mask=True`` the layer also returns the
    ``(batch, M)`` mask of what it kept. Introduced in Chapter 3.

    >>> import numpy as np
    >>> a, b = np.ones((1000, 3), "float32"), np.ones((1000, 2), "float32")
    >>> drop = ModalityDropout(0.5, seed=0)
    >>> [float(np.asarray(t).mean()) for t in drop([a, b])]  # inference: unchanged
    [1.0, 1.0]
    >>> ta, tb = drop([a, b], training=True)
    >>> kept_a, kept_b = np.asarray(ta)[:, 0], np.asarray(tb)[:, 0]
    >>> bool(np.all(kept_a + kept_b >= 1)), bool(0.55 < kept_a.mean() < 0.80)
    (True, True)
    """

    def __init__(self, rate: float = 0.3, seed: int | None = None, return_mask: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.rate = check_probability("rate", rate, allow_one=False)
        if seed is not None:
            seed = check_int("seed", seed, minimum=0)
        self.seed = seed
        self.return_mask = bool(return_mask)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, present=None, training=None):
        tensors = list(inputs)
        if present is None:
            present = _presence(tensors)
        keep = ops.cast(present, "float32")
        if training and self.rate > 0:
            shape = ops.shape(keep)
            draw = keras.random.uniform(shape, seed=self.seed_generator)
            kept = keep * ops.cast(draw >= self.rate, "float32")
            nothing_left = ops.cast(ops.sum(kept, axis=1, keepdims=True) == 0, "float32")
            pick = keras.random.uniform(shape, seed=self.seed_generator)
            rescue = ops.one_hot(ops.argmax(keep * (pick + 1.0), axis=1), len(tensors))
            keep = kept + nothing_left * rescue * keep
        outputs = []
        for i, x in enumerate(tensors):
            column = ops.reshape(keep[:, i], (-1,) + (1,) * (len(x.shape) - 1))
            outputs.append(x * ops.cast(column, x.dtype))
        return outputs + [keep] if self.return_mask else outputs

    def compute_output_spec(self, inputs, present=None, training=None):
        specs = [keras.KerasTensor(x.shape, dtype=x.dtype) for x in inputs]
        if self.return_mask:
            specs.append(keras.KerasTensor((inputs[0].shape[0], len(inputs)), dtype="float32"))
        return specs

    def get_config(self):
        return {
            **super().get_config(),
            "rate": self.rate,
            "seed": self.seed,
            "return_mask": self.return_mask,
        }


@keras.saving.register_keras_serializable(package="mmteach")
class ModalityAttention(layers.Layer):
    """Attention over modalities: M embeddings of one size -> their weighted average.

    Each embedding ``e_m`` gets a score ``v . tanh(W e_m + b)`` (one small network
    shared by all modalities); a softmax over the modalities of each sample turns
    the scores into weights that sum to 1, and the output is ``sum_m w_m e_m``.
    ``v`` starts at zero, so at first every modality gets the same weight and none
    is starved of training signal before it has learned anything. Missing
    modalities (``present`` = 0) get weight 0. Returns ``[fused, weights]``
    with shapes ``(batch, dim)`` and ``(batch, M)``. Introduced in Chapter 3.

    >>> import numpy as np
    >>> e = [np.ones((2, 4), "float32"), np.zeros((2, 4), "float32")]
    >>> fused, weights = ModalityAttention(units=3)(e, present=np.array([[1, 1], [1, 0]], "float32"))
    >>> np.asarray(weights).sum(axis=1).round(3).tolist(), float(np.asarray(weights)[1, 1])
    ([1.0, 1.0], 0.0)
    """

    def __init__(self, units: int = 16, **kwargs):
        super().__init__(**kwargs)
        self.units = check_int("units", units, minimum=1)

    def build(self, inputs_shape, present_shape=None):
        dims = {tuple(s)[-1] for s in inputs_shape}
        if len(dims) != 1:
            raise ValueError(
                f"ModalityAttention needs embeddings of one size to average them, got sizes "
                f"{[tuple(s)[-1] for s in inputs_shape]}: project them first (a Dense per modality)"
            )
        (dim,) = dims
        self.kernel = self.add_weight(shape=(dim, self.units), initializer="glorot_uniform", name="kernel")
        self.bias = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        # zeros: every modality starts with the same weight, so none is starved early on
        self.score = self.add_weight(shape=(self.units,), initializer="zeros", name="score")

    def call(self, inputs, present=None):
        stacked = ops.stack(list(inputs), axis=1)  # (batch, M, dim)
        scores = ops.tanh(ops.matmul(stacked, self.kernel) + self.bias)
        scores = ops.sum(scores * self.score, axis=-1)  # (batch, M)
        if present is not None:
            present = ops.cast(present, scores.dtype)
            scores = scores + (1.0 - present) * -1e9
        weights = ops.softmax(scores, axis=1)
        if present is not None:  # a sample with nothing present gets no weights at all
            weights = weights * present
        fused = ops.sum(stacked * weights[..., None], axis=1)
        return [fused, weights]

    def compute_output_spec(self, inputs, present=None):
        batch, dim = inputs[0].shape[0], inputs[0].shape[-1]
        return [keras.KerasTensor((batch, dim)), keras.KerasTensor((batch, len(inputs)))]

    def get_config(self):
        return {**super().get_config(), "units": self.units}


@keras.saving.register_keras_serializable(package="mmteach")
class CombinePredictions(layers.Layer):
    """Late fusion: combine M per-modality class-probability tensors ``(batch, K)``.

    ``combine="average"`` takes their mean; ``"weighted"`` learns one weight per
    modality (a softmax over M learned numbers, the same for every sample). Either
    way, missing modalities (``present`` = 0) are left out and the weights of the
    others renormalised. Introduced in Chapter 3.

    >>> import numpy as np
    >>> p = [np.array([[1.0, 0.0]], "float32"), np.array([[0.0, 1.0]], "float32")]
    >>> np.asarray(CombinePredictions("average")(p)).tolist()
    [[0.5, 0.5]]
    >>> np.asarray(CombinePredictions("average")(p, present=np.array([[0.0, 1.0]]))).tolist()
    [[0.0, 1.0]]
    """

    def __init__(self, combine: str = "average", **kwargs):
        super().__init__(**kwargs)
        if combine not in ("average", "weighted"):
            raise ValueError(
                f"combine must be 'average' or 'weighted' (a 'learned' combiner is a Dense "
                f"layer, see late_fusion), got {combine!r}"
            )
        self.combine = combine

    def build(self, inputs_shape, present_shape=None):
        if self.combine == "weighted":
            self.logits = self.add_weight(shape=(len(inputs_shape),), initializer="zeros", name="logits")

    def modality_weights(self):
        """The learned weights (a numpy array summing to 1), or equal ones for ``average``."""
        if self.combine == "average":
            return None
        return np.asarray(ops.softmax(self.logits))

    def call(self, inputs, present=None):
        stacked = ops.stack(list(inputs), axis=1)  # (batch, M, K)
        m = len(inputs)
        if self.combine == "weighted":
            weights = ops.softmax(self.logits)[None, :] * ops.ones_like(stacked[:, :, 0])
        else:
            weights = ops.ones_like(stacked[:, :, 0]) / m
        if present is not None:
            weights = weights * ops.cast(present, weights.dtype)
        weights = weights / ops.maximum(ops.sum(weights, axis=1, keepdims=True), 1e-9)
        return ops.sum(stacked * weights[..., None], axis=1)

    def compute_output_shape(self, inputs_shape, present_shape=None):
        return tuple(inputs_shape[0])

    def get_config(self):
        return {**super().get_config(), "combine": self.combine}


# --- models ------------------------------------------------------------------------


def _head(x, n_classes, hidden, name="prediction"):
    x = layers.Dense(hidden, activation="relu")(x)
    return layers.Dense(n_classes, activation="softmax", name=name)(x)


def _encode(shapes, inputs, embed_dim, vocab_size):
    return [encoder(m, shapes[m], embed_dim=embed_dim, vocab_size=vocab_size)(inputs[m]) for m in shapes]


def unimodal(
    input_shapes,
    n_classes: int,
    *,
    vocab_size: int | None = None,
    embed_dim: int = 32,
    hidden: int = 64,
    modality_dropout: float = 0.0,
    seed: int | None = None,
):
    """A baseline that sees ONE modality: its encoder and a small softmax head.

    Same calling shape as the fusion builders; ``input_shapes`` must name exactly
    one modality (``modality_dropout`` and ``seed`` are accepted and ignored).
    Introduced in Chapter 3.

    >>> unimodal({"table": (6,)}, n_classes=2).name
    'unimodal_table'
    """
    shapes, n_classes, vocab_size, embed_dim, hidden, _ = _check_common(
        input_shapes, n_classes, vocab_size, embed_dim, hidden, modality_dropout
    )
    if len(shapes) != 1:
        raise ValueError(
            f"unimodal needs exactly one modality in input_shapes, got {list(shapes)}: "
            "use a fusion builder for several"
        )
    inputs = _inputs(shapes)
    (embedding,) = _encode(shapes, inputs, embed_dim, vocab_size)
    (modality,) = shapes
    return keras.Model(inputs, _head(embedding, n_classes, hidden), name=f"unimodal_{modality}")


def early_fusion(
    input_shapes,
    n_classes: int,
    *,
    vocab_size: int | None = None,
    embed_dim: int = 32,
    hidden: int = 64,
    modality_dropout: float = 0.0,
    seed: int | None = None,
    pool: int = 4,
):
    """Early fusion: join the raw features first, then learn one network on the joined vector.

    Each modality becomes a fixed (not learned) feature vector: an image is
    shrunk by averaging ``pool`` x ``pool`` blocks of pixels and flattened, a
    spectrogram is averaged over ``pool`` frames at a time and flattened, a caption
    becomes a bag of words (``vocab_size`` zeros and ones: which words occur), and
    the table row stays as it is. The vectors are concatenated and a two-layer
    network (``hidden`` then ``embed_dim`` units) learns from the joined vector, so
    every learned weight can mix every modality. Introduced in Chapter 3.

    >>> early_fusion({"image": (8, 8, 3), "table": (6,)}, n_classes=3).output.shape
    (None, 3)
    """
    shapes, n_classes, vocab_size, embed_dim, hidden, rate = _check_common(
        input_shapes, n_classes, vocab_size, embed_dim, hidden, modality_dropout
    )
    pool = check_int("pool", pool, minimum=1)
    for m in ("image", "sound"):
        if m in shapes and min(shapes[m][: 2 if m == "image" else 1]) < pool:
            raise ValueError(f"pool={pool} is larger than the {m} input {shapes[m]}")
    inputs = _inputs(shapes)
    present = ModalityPresence(name="present")([inputs[m] for m in shapes])
    features = []
    for m in shapes:
        x = inputs[m]
        if m == "caption":
            x = layers.CategoryEncoding(vocab_size, output_mode="multi_hot", name="bag_of_words")(x)
        elif m == "image":
            x = layers.Flatten(name="flat_image")(layers.AveragePooling2D(pool, name="shrink_image")(x))
        elif m == "sound":
            x = layers.Flatten(name="flat_sound")(layers.AveragePooling1D(pool, name="shrink_sound")(x))
        features.append(x)
    features = ModalityDropout(rate, seed=seed, name="modality_dropout")(features, present=present)
    x = layers.Concatenate(name="joined")(features) if len(features) > 1 else features[0]
    x = layers.Dense(hidden, activation="relu")(x)
    x = layers.Dense(embed_dim, activation="relu")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="prediction")(x)
    return keras.Model(inputs, outputs, name="early_fusion")


def _check_members(members, shapes, n_classes):
    if not isinstance(members, dict):
        raise TypeError(
            "members must be a dict {modality: trained one-modality model}, such as "
            f"{{'image': image_model, 'caption': caption_model}}; got {type(members).__name__}"
        )
    if sorted(members) != sorted(shapes):
        raise ValueError(
            f"members must have one model per modality of input_shapes {list(shapes)}, got {list(members)}"
        )
    for m, model in members.items():
        if not isinstance(model, keras.Model):
            raise TypeError(f"members[{m!r}] must be a keras.Model, got {type(model).__name__}")
        if len(model.inputs) != 1:
            raise ValueError(
                f"members[{m!r}] must take one input (the {m!r} array), but it takes {len(model.inputs)}"
            )
        want = tuple(model.inputs[0].shape[1:])
        if want != shapes[m]:
            raise ValueError(
                f"members[{m!r}] expects inputs of shape {want}, but input_shapes[{m!r}] is {shapes[m]}"
            )
        if len(model.outputs) != 1 or tuple(model.outputs[0].shape[1:]) != (n_classes,):
            got = [tuple(o.shape[1:]) for o in model.outputs]
            raise ValueError(
                f"members[{m!r}] must output class probabilities of shape ({n_classes},), got {got}"
            )
    return dict(members)


def late_fusion(
    input_shapes,
    n_classes: int,
    *,
    vocab_size: int | None = None,
    embed_dim: int = 32,
    hidden: int = 64,
    modality_dropout: float = 0.0,
    seed: int | None = None,
    combine: str = "average",
    members: dict | None = None,
    train_members: bool = False,
):
    """Late fusion: one complete classifier per modality; combine their predictions.

    ``combine`` is one of :data:`LATE_COMBINERS`: ``"average"`` (the mean of the
    class probabilities), ``"weighted"`` (one learned weight per modality,
    :class:`CombinePredictions`) or ``"learned"`` (a Dense layer on all the
    modalities' logits: stacking). Whatever the combiner, each modality's vote is
    computed from that modality alone, so the output is a *sum* of one-modality
    terms: late fusion cannot learn a label that needs two modalities at once.

    Without ``members`` the voters are new (an encoder and a small head each) and
    the whole model trains end to end on the fused prediction. With ``members``
    -- a dict ``{modality: model}`` of classifiers already trained on one modality
    each, such as :func:`unimodal` models -- those models are the voters, frozen
    (their ``trainable`` flag is set to False) unless ``train_members=True``: an
    ``"average"`` then has nothing left to learn, and ``"weighted"`` or
    ``"learned"`` only learn how to combine the votes (the learned layer reads
    their log-probabilities). This is how late fusion is used in practice: models
    trained separately, combined afterwards.
    Introduced in Chapter 3.

    >>> late_fusion({"image": (8, 8, 3), "table": (6,)}, n_classes=3, combine="learned").name
    'late_fusion_learned'
    >>> voters = {m: unimodal({m: s}, n_classes=3) for m, s in {"image": (8, 8, 3), "table": (6,)}.items()}
    >>> average = late_fusion({"image": (8, 8, 3), "table": (6,)}, 3, members=voters)
    >>> len(average.trainable_weights)  # frozen voters, nothing to learn
    0
    """
    caption_voter = members is not None and isinstance(input_shapes, dict) and "caption" in input_shapes
    if caption_voter and vocab_size is None:
        vocab_size = 2  # the caption voter is given: its vocabulary is already built in
    shapes, n_classes, vocab_size, embed_dim, hidden, rate = _check_common(
        input_shapes, n_classes, vocab_size, embed_dim, hidden, modality_dropout
    )
    if combine not in LATE_COMBINERS:
        raise ValueError(f"combine must be one of {LATE_COMBINERS}, got {combine!r}")
    inputs = _inputs(shapes)
    present = ModalityPresence(name="present")([inputs[m] for m in shapes])
    logits = []
    if members is not None:
        members = _check_members(members, shapes, n_classes)
        for m in shapes:
            members[m].trainable = bool(train_members)
            vote = members[m]({m: inputs[m]})
            # log-probabilities are logits up to a per-sample constant
            logits.append(ops.log(ops.maximum(vote, 1e-7)))
    else:
        for m, emb in zip(shapes, _encode(shapes, inputs, embed_dim, vocab_size)):
            x = layers.Dense(hidden, activation="relu")(emb)
            logits.append(layers.Dense(n_classes, name=f"logits_{m}")(x))
    *logits, present = ModalityDropout(rate, seed=seed, return_mask=True, name="modality_dropout")(
        logits, present=present
    )
    if combine == "learned":
        x = layers.Concatenate()(logits) if len(logits) > 1 else logits[0]
        outputs = layers.Dense(n_classes, activation="softmax", name="prediction")(x)
    else:
        probs = [layers.Softmax(name=f"vote_{m}")(x) for m, x in zip(shapes, logits)]
        outputs = CombinePredictions(combine, name="prediction")(probs, present=present)
    return keras.Model(inputs, outputs, name=f"late_fusion_{combine}")


def intermediate_fusion(
    input_shapes,
    n_classes: int,
    *,
    vocab_size: int | None = None,
    embed_dim: int = 32,
    hidden: int = 64,
    modality_dropout: float = 0.0,
    seed: int | None = None,
):
    """Intermediate fusion: one encoder per modality, embeddings joined, a shared head.

    Each modality is first turned into an ``embed_dim`` vector by its encoder
    (:func:`encoder`) and layer-normalised, so that all arrive on the same scale;
    the vectors are concatenated (missing or dropped ones are zeros,
    :class:`ModalityDropout`) and a two-layer head predicts the class.
    Introduced in Chapter 3.

    >>> intermediate_fusion({"image": (8, 8, 3), "table": (6,)}, n_classes=3).output.shape
    (None, 3)
    """
    shapes, n_classes, vocab_size, embed_dim, hidden, rate = _check_common(
        input_shapes, n_classes, vocab_size, embed_dim, hidden, modality_dropout
    )
    inputs = _inputs(shapes)
    present = ModalityPresence(name="present")([inputs[m] for m in shapes])
    embeddings = _encode(shapes, inputs, embed_dim, vocab_size)
    # Layer normalisation puts every embedding on the same scale before they meet.
    embeddings = [layers.LayerNormalization(name=f"normalize_{m}")(e) for m, e in zip(shapes, embeddings)]
    embeddings = ModalityDropout(rate, seed=seed, name="modality_dropout")(embeddings, present=present)
    x = layers.Concatenate(name="joined")(embeddings) if len(embeddings) > 1 else embeddings[0]
    return keras.Model(inputs, _head(x, n_classes, hidden), name="intermediate_fusion")


def attention_fusion(
    input_shapes,
    n_classes: int,
    *,
    vocab_size: int | None = None,
    embed_dim: int = 32,
    hidden: int = 64,
    modality_dropout: float = 0.0,
    seed: int | None = None,
):
    """Attention fusion: embeddings averaged with per-sample weights over modalities.

    Like :func:`intermediate_fusion`, but instead of concatenating, a
    :class:`ModalityAttention` layer (named ``"modality_attention"``) scores each
    modality's embedding and averages them with softmax weights computed for each
    sample: the model can trust the image on one scene and the caption on the
    next. Each embedding is layer-normalised first, so that no modality can take a
    bigger share of one sample by making its vector longer there: the weights
    alone decide. Read them with :func:`modality_weights`. Introduced in Chapter 3.

    >>> attention_fusion({"image": (8, 8, 3), "table": (6,)}, n_classes=3).output.shape
    (None, 3)
    """
    shapes, n_classes, vocab_size, embed_dim, hidden, rate = _check_common(
        input_shapes, n_classes, vocab_size, embed_dim, hidden, modality_dropout
    )
    inputs = _inputs(shapes)
    present = ModalityPresence(name="present")([inputs[m] for m in shapes])
    embeddings = _encode(shapes, inputs, embed_dim, vocab_size)
    # Normalised per sample: no modality can claim a bigger share on one sample by making
    # its embedding longer there, so the weights say how much of each one gets through.
    embeddings = [layers.LayerNormalization(name=f"normalize_{m}")(e) for m, e in zip(shapes, embeddings)]
    *embeddings, present = ModalityDropout(rate, seed=seed, return_mask=True, name="modality_dropout")(
        embeddings, present=present
    )
    fused, _ = ModalityAttention(units=hidden // 2 or 1, name="modality_attention")(
        embeddings, present=present
    )
    return keras.Model(inputs, _head(fused, n_classes, hidden), name="attention_fusion")


#: The fusion builders by name; each takes ``(input_shapes, n_classes, **options)``.
FUSIONS = {
    "early": early_fusion,
    "late": late_fusion,
    "intermediate": intermediate_fusion,
    "attention": attention_fusion,
}


# --- using the models --------------------------------------------------------------


def check_inputs(model, inputs, labels=None):
    """Check that ``inputs`` (a dict of arrays) fit ``model``'s named inputs; raise a clear error if not.

    Checks the names (missing or unexpected modalities), the shape of one example
    of each array, that all arrays have the same number of rows, and, if given,
    that ``labels`` has one entry per row -- a model with several outputs needs a
    dict ``{output name: labels}`` rather than one array. Returns the number of
    rows. Introduced in Chapter 3.

    >>> import numpy as np
    >>> model = unimodal({"table": (6,)}, n_classes=2)
    >>> check_inputs(model, {"table": np.zeros((10, 6))})
    10
    """
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    if not isinstance(inputs, dict):
        raise TypeError(
            "inputs must be a dict {input name: array}, the same names as the model's inputs "
            f"{_input_names(model)}; got {type(inputs).__name__}"
        )
    expected = _input_names(model)
    missing = [k for k in expected if k not in inputs]
    if missing:
        raise ValueError(
            f"inputs lacks {missing}: the model {model.name!r} expects {expected} "
            f"(to evaluate without a modality, feed zeros: drop_modalities)"
        )
    extra = [k for k in inputs if k not in expected]
    if extra:
        raise ValueError(f"inputs has {extra}, which the model {model.name!r} does not take ({expected})")
    rows = set()
    for name, tensor in zip(expected, model.inputs):
        array = np.asarray(inputs[name])
        want = tuple(tensor.shape[1:])
        if array.ndim != len(want) + 1 or any(
            w is not None and w != g for w, g in zip(want, array.shape[1:])
        ):
            raise ValueError(
                f"inputs[{name!r}] has shape {array.shape}: the model expects (n, "
                f"{', '.join(str(w) for w in want)}) -- the same shape as the input_shapes it was built with"
            )
        if np.issubdtype(array.dtype, np.floating) and not np.all(np.isfinite(array)):
            bad = int((~np.isfinite(array)).reshape(len(array), -1).any(axis=1).sum())
            raise ValueError(
                f"inputs[{name!r}] contains NaN or infinite values (in {bad} of {len(array)} rows): "
                "drop or repair them first"
            )
        limit = _token_limit(model) if "int" in str(tensor.dtype) else None
        if limit is not None and array.size and int(array.max()) >= limit:
            raise ValueError(
                f"inputs[{name!r}] has token id {int(array.max())}, but the model's vocabulary has "
                f"ids 0..{limit - 1} (vocab_size={limit}): encode the captions with the same "
                "fitted CaptionVectorizer the model was built for"
            )
        if limit is not None and array.size and int(array.min()) < 0:
            raise ValueError(f"inputs[{name!r}] has a negative token id {int(array.min())}")
        rows.add(array.shape[0])
    if len(rows) > 1:
        raise ValueError(f"the input arrays have different numbers of rows: {sorted(rows)}")
    (n,) = rows
    if labels is not None:
        outputs = model.outputs
        if len(outputs) > 1 and not isinstance(labels, dict | list | tuple):
            raise ValueError(
                f"the model has {len(outputs)} outputs {[o.name for o in outputs]} but labels is one "
                "array: give one label array per output, e.g. a dict {output name: labels}"
            )
        label_arrays = (
            labels.values()
            if isinstance(labels, dict)
            else (labels if isinstance(labels, list | tuple) else [labels])
        )
        for y in label_arrays:
            if len(np.asarray(y)) != n:
                raise ValueError(f"labels have {len(np.asarray(y))} rows but inputs have {n}")
    return n


def _token_limit(model):
    """The vocabulary size of the model's token input (its Embedding or CategoryEncoding), if one."""
    sizes = set()
    for layer in model._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, layers.Embedding):
            sizes.add(int(layer.input_dim))
        elif isinstance(layer, layers.CategoryEncoding):
            sizes.add(int(layer.num_tokens))
    return min(sizes) if sizes else None


def _input_names(model):
    return (
        [t.name for t in model.inputs]
        if all(t.name in MODALITIES for t in model.inputs)
        else [layer.name for layer in model.layers if isinstance(layer, layers.InputLayer)]
    )


def drop_modalities(inputs, modalities):
    """A copy of ``inputs`` in which ``modalities`` are missing (all zeros) for every sample.

    This is how to evaluate a model of this module without a modality: the
    models read an all-zero input as "not observed" (:class:`ModalityPresence`).
    Introduced in Chapter 3.

    >>> import numpy as np
    >>> out = drop_modalities({"image": np.ones((2, 4, 4, 3)), "table": np.ones((2, 5))}, ["image"])
    >>> float(out["image"].sum()), float(out["table"].sum())
    (0.0, 10.0)
    """
    if not isinstance(inputs, dict):
        raise TypeError(f"inputs must be a dict {{modality: array}}, got {type(inputs).__name__}")
    if isinstance(modalities, str):
        modalities = [modalities]
    modalities = list(modalities)
    for m in modalities:
        if m not in inputs:
            raise ValueError(f"cannot drop {m!r}: inputs has {list(inputs)}")
    return {k: (np.zeros_like(v) if k in modalities else v) for k, v in inputs.items()}


def modality_weights(model, inputs, *, batch_size: int = 512):
    """The per-sample attention weights of an :func:`attention_fusion` model.

    Returns a pandas DataFrame, one row per sample and one column per modality
    (each row sums to 1 over the modalities present). Introduced in Chapter 3.

    >>> import numpy as np
    >>> model = attention_fusion({"image": (8, 8, 3), "table": (6,)}, n_classes=2)
    >>> w = modality_weights(model, {"image": np.ones((3, 8, 8, 3)), "table": np.ones((3, 6))})
    >>> list(w.columns), w.shape
    (['image', 'table'], (3, 2))
    """
    import pandas as pd

    try:
        layer = model.get_layer("modality_attention")
    except (ValueError, AttributeError):
        raise ValueError(
            f"model {getattr(model, 'name', model)!r} has no 'modality_attention' layer: "
            "build it with attention_fusion"
        ) from None
    check_inputs(model, inputs)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    probe = keras.Model(model.inputs, layer.output[1])
    names = _input_names(model)
    # the builders stack the modalities in MODALITIES order (model.inputs may be sorted by name)
    columns = [m for m in MODALITIES if m in names]
    n = len(np.asarray(inputs[names[0]]))
    # Called eagerly batch by batch: for one pass this is faster than tracing predict().
    weights = [
        np.asarray(probe({k: np.asarray(inputs[k][i : i + batch_size]) for k in names}, training=False))
        for i in range(0, n, batch_size)
    ]
    return pd.DataFrame(np.concatenate(weights), columns=columns)
