"""Retrieval: coordinated representations, CLIP-style dual encoders and zero-shot classification.

Introduced in Chapter 8 (``notebooks/08_retrieval.ipynb``).

A *dual encoder* maps each modality into one shared space with its own encoder: an
image tower and a caption tower, each ending in a linear projection to ``embed_dim``
numbers and an L2 normalisation, so that the dot product of two embeddings is their
cosine similarity. It is trained with the symmetric InfoNCE loss: in a batch of ``B``
pairs, each image must pick its own caption out of the ``B`` captions, and each caption
its own image, through a softmax over similarities divided by a learned temperature
(CLIP, Radford et al. 2021). This module holds:

- the model: :class:`LogitScale` (the learned temperature, log-parameterised and
  clipped as CLIP does), :func:`dual_encoder`, :func:`embed`;
- the loss and its training loop: :func:`info_nce`, :func:`train_dual_encoder` (plain
  or *label-aware*, which stops pushing apart in-batch pairs that are in fact correct);
- search and classification: :func:`cosine_similarity`, :func:`search`,
  :func:`zero_shot_classifier` (prompt templates, with prompt ensembling);
- evaluation with known relevance: :func:`stated_labels`, :func:`relevance`,
  :func:`recall_ceiling` (the R@K of a model that knows relevance exactly and breaks
  ties at random), :func:`false_negative_share` and :func:`modality_gap`.
  R@K and median rank themselves are in :mod:`mmteach.metrics`.

Conventions follow :mod:`mmteach.metrics`: a similarity or relevance matrix has images in
rows and captions in columns (``names=("image", "text")``); the pair ``(i, i)`` is the
caption written for image ``i``.

Example
-------
>>> import numpy as np
>>> from mmteach import retrieval
>>> image_labels = np.array([[0, 1], [0, 2], [3, 1]])   # shape, colour of 3 images
>>> caption_labels = np.array([[0, -1], [0, 2], [-1, 1]])  # -1: the caption is silent
>>> retrieval.relevance(image_labels, caption_labels).astype(int)
array([[1, 0, 1],
       [1, 1, 0],
       [0, 0, 1]])
>>> retrieval.recall_ceiling(retrieval.relevance(image_labels, caption_labels), ks=(1, 2))
              R@1  R@2
image→text  0.667  1.0
text→image  0.667  1.0
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mmteach import native_logs_silenced
from mmteach._validation import (
    check_array,
    check_choice,
    check_flag,
    check_int,
    check_number,
    check_seed,
    check_strings,
    describe,
)

with native_logs_silenced():  # TensorFlow prints start-up notices when first imported
    import keras
    from keras import layers, ops

__all__ = [
    "LogitScale",
    "dual_encoder",
    "info_nce",
    "train_dual_encoder",
    "embed",
    "cosine_similarity",
    "search",
    "ZeroShotClassifier",
    "zero_shot_classifier",
    "stated_labels",
    "relevance",
    "recall_ceiling",
    "false_negative_share",
    "modality_gap",
]


# --- the model -------------------------------------------------------------------------


class LogitScale(layers.Layer):
    """Similarity logits ``a @ b.T / temperature`` with a learned, clipped temperature.

    The layer holds ``log_scale = log(1 / temperature)``: learning the logarithm keeps the
    scale positive and makes its steps multiplicative. The scale is clipped to
    ``[1, max_scale]`` (CLIP starts at ``1 / 0.07`` and clips at 100, so the temperature
    stays in ``[0.01, 1]``). With ``trainable=False`` the temperature stays fixed.
    Introduced in Chapter 8.

    >>> layer = LogitScale(temperature=0.5)
    >>> a = np.array([[1.0, 0.0], [0.0, 1.0]], dtype="float32")
    >>> np.asarray(layer(a, a)).tolist()
    [[2.0, 0.0], [0.0, 2.0]]
    >>> round(layer.temperature, 3)
    0.5
    """

    def __init__(self, temperature: float = 0.07, max_scale: float = 100.0, **kwargs):
        super().__init__(**kwargs)
        self.max_scale = check_number("max_scale", max_scale, low=1.0)
        self.initial_temperature = check_number(
            "temperature", temperature, low=1.0 / self.max_scale, high=1.0
        )

    def build(self, a_shape=None, b_shape=None):
        self.log_scale = self.add_weight(
            name="log_scale",
            shape=(),
            initializer=keras.initializers.Constant(math.log(1.0 / self.initial_temperature)),
            trainable=self.trainable,
        )

    def scale(self):
        """``1 / temperature`` as a tensor, clipped to ``[1, max_scale]``."""
        return ops.exp(ops.clip(self.log_scale, 0.0, math.log(self.max_scale)))

    @property
    def temperature(self) -> float:
        """The current temperature (after clipping), as a Python float."""
        if not self.built:
            return self.initial_temperature
        return float(1.0 / ops.convert_to_numpy(self.scale()))

    def call(self, a, b):
        return self.scale() * ops.matmul(a, ops.transpose(b))

    def compute_output_shape(self, a_shape, b_shape):
        return (a_shape[0], b_shape[0])

    def get_config(self):
        return {
            **super().get_config(),
            "temperature": self.initial_temperature,
            "max_scale": self.max_scale,
        }


def _single_io_encoder(name, encoder):
    if not isinstance(encoder, keras.Model):
        raise TypeError(f"{name} must be a keras.Model (an encoder), got {describe(encoder)}")
    if len(encoder.inputs) != 1 or len(encoder.outputs) != 1:
        raise ValueError(
            f"{name} must have one input and one output, got {len(encoder.inputs)} input(s) "
            f"and {len(encoder.outputs)} output(s)"
        )
    if len(encoder.outputs[0].shape) != 2:
        raise ValueError(
            f"{name} must output one vector per example (batch, features), got shape "
            f"{tuple(encoder.outputs[0].shape)}: end it with Flatten or pooling and a Dense layer"
        )
    return encoder


def _input_name(encoder):
    return encoder.inputs[0].name.split(":")[0]


def dual_encoder(
    image_encoder,
    caption_encoder,
    *,
    embed_dim: int = 32,
    temperature: float = 0.07,
    learn_temperature: bool = True,
    max_scale: float = 100.0,
    name: str = "dual_encoder",
):
    """A CLIP-style dual encoder: two towers into one space, and their similarity logits.

    Each encoder (a one-input Keras model, e.g. :func:`mmteach.models.image_encoder` and
    :func:`mmteach.models.caption_encoder`) gets a linear projection to ``embed_dim``
    numbers and an L2 normalisation; together they form the *towers*, named
    ``"<input name>_tower"`` (``"image_tower"``, ``"caption_tower"``), which
    :func:`embed` uses. The model takes a dict ``{image input name: images, caption
    input name: captions}`` of ``B`` pairs and returns the ``(B, B)`` matrix of logits
    ``cos(image i, caption j) / temperature``, images in rows. The temperature is a
    :class:`LogitScale` layer named ``"logit_scale"``, learned unless
    ``learn_temperature=False``. The encoders may take any modalities (a sound and an
    image, say), as long as their input names differ. Introduced in Chapter 8.

    >>> from mmteach import models
    >>> model = dual_encoder(models.image_encoder((32, 32, 3)),
    ...                      models.caption_encoder((12,), vocab_size=50), embed_dim=8)
    >>> sorted(model.input), model.output.shape
    (['caption', 'image'], (None, None))
    >>> round(model.get_layer("logit_scale").temperature, 2)
    0.07
    """
    image_encoder = _single_io_encoder("image_encoder", image_encoder)
    caption_encoder = _single_io_encoder("caption_encoder", caption_encoder)
    embed_dim = check_int("embed_dim", embed_dim, minimum=1)
    learn_temperature = check_flag("learn_temperature", learn_temperature)
    names = [_input_name(image_encoder), _input_name(caption_encoder)]
    if names[0] == names[1]:
        raise ValueError(
            f"the two encoders' inputs must have different names, both are {names[0]!r}: "
            "name them after their modality (keras.Input(..., name='image'))"
        )
    inputs, embeddings = {}, []
    for encoder, input_name in zip((image_encoder, caption_encoder), names):
        spec = encoder.inputs[0]
        x = keras.Input(shape=tuple(spec.shape[1:]), dtype=spec.dtype, name=input_name)
        z = encoder(x)
        z = layers.Dense(embed_dim, use_bias=False, name=f"{input_name}_projection")(z)
        z = layers.UnitNormalization(axis=-1)(z)
        tower = keras.Model(x, z, name=f"{input_name}_tower")
        inputs[input_name] = keras.Input(shape=tuple(spec.shape[1:]), dtype=spec.dtype, name=input_name)
        embeddings.append(tower(inputs[input_name]))
    scale = LogitScale(temperature, max_scale=max_scale, trainable=learn_temperature, name="logit_scale")
    return keras.Model(inputs, scale(*embeddings), name=name)


def _towers(model):
    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model built by dual_encoder, got {describe(model)}")
    towers = [layer for layer in model.layers if layer.name.endswith("_tower")]
    if len(towers) != 2:
        raise ValueError(
            f"model must be a dual encoder with two '<modality>_tower' sub-models (see dual_encoder); "
            f"{model.name!r} has {[t.name for t in towers]}"
        )
    return {t.name[: -len("_tower")]: t for t in towers}


def embed(model, x, modality: str, *, batch_size: int = 1024) -> np.ndarray:
    """The unit-length embeddings of ``x`` by the ``modality`` tower of a dual encoder.

    ``modality`` is a tower's input name (``"image"`` or ``"caption"``); ``x`` is that
    modality's array. Works in chunks of ``batch_size``. Returns float32 ``(n, embed_dim)``.
    Introduced in Chapter 8.

    >>> from mmteach import models
    >>> model = dual_encoder(models.image_encoder((8, 8, 3)),
    ...                      models.caption_encoder((4,), vocab_size=9), embed_dim=3)
    >>> z = embed(model, np.ones((5, 4), dtype="int32"), "caption")
    >>> z.shape, np.allclose(np.linalg.norm(z, axis=1), 1.0)
    ((5, 3), True)
    """
    towers = _towers(model)
    check_choice("modality", modality, tuple(towers))
    batch_size = check_int("batch_size", batch_size, minimum=1)
    tower = towers[modality]
    shape = tuple(tower.inputs[0].shape[1:])
    kind = "integer" if "int" in str(tower.inputs[0].dtype) else "numeric"
    x = check_array("x", x, kind=kind, shape=(None, *shape))
    parts = [np.asarray(tower(x[i : i + batch_size], training=False)) for i in range(0, len(x), batch_size)]
    return np.concatenate(parts).astype("float32")


# --- the loss ---------------------------------------------------------------------------


def info_nce(logits, *, false_negatives=None):
    """Symmetric InfoNCE: the mean of two cross-entropies over a ``(B, B)`` logits matrix.

    Row ``i`` is image ``i`` scored against every caption of the batch; its own caption,
    column ``i``, is the target of a softmax over the row (image→text). Column ``j`` is
    caption ``j`` against every image; image ``j`` is its target (text→image). The loss is
    the average of the two directions::

        loss = ( mean_i -log softmax(logits[i, :])[i] + mean_j -log softmax(logits[:, j])[j] ) / 2

    ``false_negatives``, a boolean ``(B, B)`` mask, marks off-diagonal pairs that are in
    fact correct (e.g. two captions that say the same thing): they are left out of both
    softmaxes, so the loss stops pushing them apart (*label-aware* InfoNCE). Works on
    NumPy arrays and on tensors (inside a training step). Introduced in Chapter 8.

    >>> logits = np.array([[5.0, 0.0], [0.0, 5.0]])
    >>> round(float(info_nce(logits)), 4)  # log(1 + e^-5)
    0.0067
    >>> round(float(info_nce(np.zeros((4, 4)))), 4)  # knows nothing: log 4
    1.3863
    """
    if isinstance(logits, (np.ndarray, list, tuple)):
        logits = check_array("logits", logits, ndim=2, kind="numeric", dtype="float32")
    shape = tuple(logits.shape)
    if len(shape) != 2:
        raise ValueError(f"logits must be a (B, B) matrix, got shape {shape}")
    if shape[0] is not None and shape[1] is not None and shape[0] != shape[1]:
        raise ValueError(
            f"logits must be square, one row per image and one column per caption of the same "
            f"B pairs; got shape {shape}"
        )
    logits = ops.cast(logits, "float32")
    if false_negatives is not None:
        if isinstance(false_negatives, (np.ndarray, list, tuple)):
            false_negatives = check_array("false_negatives", false_negatives, ndim=2, kind="numeric")
            if false_negatives.shape != shape:
                raise ValueError(
                    f"false_negatives must have the shape of logits {shape}, got {false_negatives.shape}"
                )
            false_negatives = false_negatives.astype(bool)
        n = ops.shape(logits)[0]
        off_diagonal = ops.logical_not(ops.cast(ops.eye(n), "bool"))
        drop = ops.logical_and(ops.cast(false_negatives, "bool"), off_diagonal)
        logits = ops.where(drop, ops.full_like(logits, -1e9), logits)
    diagonal = ops.diagonal(logits)
    image_to_text = ops.logsumexp(logits, axis=1) - diagonal
    text_to_image = ops.logsumexp(logits, axis=0) - diagonal
    return (ops.mean(image_to_text) + ops.mean(text_to_image)) / 2.0


def _labels(name, value, n=None):
    x = check_array(name, value, ndim=(1, 2), kind="integer")
    if x.ndim == 1:
        x = x[:, None]
    if n is not None and len(x) != n:
        raise ValueError(f"{name} must have one row per pair ({n}), got {len(x)}")
    return x.astype(np.int64)


def train_dual_encoder(
    model,
    inputs: dict,
    *,
    steps: int,
    batch_size: int = 128,
    learning_rate: float = 2e-3,
    labels=None,
    seed: int = 0,
    log_every: int = 50,
) -> pd.DataFrame:
    """Train a :func:`dual_encoder` with symmetric InfoNCE for ``steps`` steps; return its log.

    ``inputs`` maps the model's input names to arrays of paired examples (row ``i`` of
    each is one pair). Each step draws ``batch_size`` pairs (whole batches only, reshuffled
    at every pass, so the step is traced once), computes :func:`info_nce` on the model's
    logits and takes an Adam step on every weight, the temperature included (when it is
    learned).

    ``labels``, a pair ``(image_labels, caption_labels)`` of integer arrays ``(n, k)`` as
    :func:`relevance` takes them, makes the loss *label-aware*: in every batch, the
    captions relevant to an image other than its own are false negatives, left out of the
    loss (see :func:`info_nce`). Without ``labels`` every other pair counts as a negative.

    Returns a DataFrame indexed by step (every ``log_every`` steps and the last): the mean
    ``loss`` since the previous row and the ``temperature`` at that step. Introduced in
    Chapter 8.
    """
    import tensorflow as tf

    towers = _towers(model)
    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=2)
    learning_rate = check_number("learning_rate", learning_rate, low=0.0, low_open=True)
    seed = check_seed(seed)
    log_every = check_int("log_every", log_every, minimum=1)
    if not isinstance(inputs, dict) or set(inputs) != set(towers):
        raise ValueError(
            f"inputs must be a dict with the model's inputs {sorted(towers)}, got "
            f"{sorted(inputs) if isinstance(inputs, dict) else describe(inputs)}"
        )
    arrays = {}
    for name, tower in towers.items():
        kind = "integer" if "int" in str(tower.inputs[0].dtype) else "numeric"
        shape = (None, *tuple(tower.inputs[0].shape[1:]))
        arrays[name] = check_array(f"inputs[{name!r}]", inputs[name], kind=kind, shape=shape)
    lengths = {name: len(x) for name, x in arrays.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"the inputs must hold the same number of pairs, got {lengths}")
    n = next(iter(lengths.values()))
    if batch_size > n:
        raise ValueError(f"batch_size={batch_size} is larger than the {n} training pairs")
    if labels is not None:
        if not isinstance(labels, (tuple, list)) or len(labels) != 2:
            raise TypeError(
                "labels must be a pair (image_labels, caption_labels) of integer arrays, got "
                f"{describe(labels)}"
            )
        image_labels = _labels("labels[0] (image_labels)", labels[0], n)
        caption_labels = _labels("labels[1] (caption_labels)", labels[1], n)
        if image_labels.shape[1] != caption_labels.shape[1]:
            raise ValueError(
                "image_labels and caption_labels must have the same number of columns, got "
                f"{image_labels.shape[1]} and {caption_labels.shape[1]}"
            )

    optimizer = keras.optimizers.Adam(learning_rate)
    variables = model.trainable_variables
    optimizer.build(variables)
    scale = model.get_layer("logit_scale")
    aware = labels is not None

    def step_fn(batch, image_codes, caption_codes):
        false_negatives = None
        if aware:
            said = caption_codes[None, :, :]
            relevant = tf.reduce_all((said < 0) | (image_codes[:, None, :] == said), axis=-1)
            false_negatives = relevant
        with tf.GradientTape() as tape:
            logits = model(batch, training=True)
            loss = info_nce(logits, false_negatives=false_negatives)
        gradients = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(gradients, variables))
        return loss

    step_fn = tf.function(step_fn)
    rng = np.random.default_rng(seed)
    n_whole = n // batch_size * batch_size
    order, position = rng.permutation(n), 0
    dummy = np.zeros((batch_size, 1), dtype=np.int64)
    rows, total, count = [], 0.0, 0
    for step in range(1, steps + 1):
        if position + batch_size > n_whole:
            order, position = rng.permutation(n), 0
        index = order[position : position + batch_size]
        position += batch_size
        batch = {name: x[index] for name, x in arrays.items()}
        codes = (image_labels[index], caption_labels[index]) if aware else (dummy, dummy)
        loss = float(step_fn(batch, *codes))
        if not math.isfinite(loss):
            raise FloatingPointError(f"the loss is {loss} at step {step}: lower the learning rate")
        total, count = total + loss, count + 1
        if step % log_every == 0 or step == steps:
            rows.append({"step": step, "loss": total / count, "temperature": scale.temperature})
            total, count = 0.0, 0
    return pd.DataFrame(rows).set_index("step")


# --- search ------------------------------------------------------------------------------


def _unit(name, x, dim=None):
    x = check_array(name, x, ndim=2, kind="numeric").astype(np.float64)
    if dim is not None and x.shape[1] != dim:
        raise ValueError(f"{name} must have {dim} columns like the other embeddings, got {x.shape[1]}")
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    if np.any(norms == 0):
        row = int(np.flatnonzero(norms[:, 0] == 0)[0])
        raise ValueError(f"{name} has an all-zero row {row}: it has no direction")
    return x / norms


def cosine_similarity(queries, candidates) -> np.ndarray:
    """The ``(n_queries, n_candidates)`` matrix of cosine similarities (rows normalised first).

    Introduced in Chapter 8.

    >>> cosine_similarity([[1.0, 0.0], [1.0, 1.0]], [[2.0, 0.0], [0.0, 3.0]]).round(3)
    array([[1.   , 0.   ],
           [0.707, 0.707]])
    """
    q = _unit("queries", queries)
    c = _unit("candidates", candidates, q.shape[1])
    return q @ c.T


def search(queries, candidates, *, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` candidates most similar to each query: ``(indices, similarities)``, best first.

    Both arrays have shape ``(n_queries, k)``. Ties keep the lower index first. Introduced in
    Chapter 8.

    >>> idx, sim = search([[1.0, 0.0]], [[0.0, 1.0], [1.0, 0.1], [1.0, 0.0]], k=2)
    >>> idx.tolist(), sim.round(3).tolist()
    ([[2, 1]], [[1.0, 0.995]])
    """
    s = cosine_similarity(queries, candidates)
    k = check_int("k", k, minimum=1, maximum=s.shape[1])
    idx = np.argsort(-s, axis=1, kind="stable")[:, :k]
    return idx, np.take_along_axis(s, idx, axis=1)


# --- zero-shot classification --------------------------------------------------------------


@dataclass
class ZeroShotClassifier:
    """Classes as embedded prompts; see :func:`zero_shot_classifier`. Introduced in Chapter 8."""

    class_names: list
    templates: list
    prompts: list  # prompts[t][c]: template t filled with class c
    class_embeddings: np.ndarray  # (n_classes, dim), unit rows

    def scores(self, image_embeddings) -> np.ndarray:
        """Cosine similarity of each image to each class: ``(n_images, n_classes)``."""
        return cosine_similarity(image_embeddings, self.class_embeddings)

    def predict(self, image_embeddings) -> np.ndarray:
        """The index of the most similar class for each image."""
        return self.scores(image_embeddings).argmax(axis=1)


def zero_shot_classifier(
    encode_text: Callable, class_names, templates=("a {} object",)
) -> ZeroShotClassifier:
    """A classifier made of words: each class is the embedding of prompts that name it.

    Each template (a string with one ``{}``) is filled with every class name, e.g.
    ``"a {} object"`` gives ``"a red object"``; ``encode_text(list of strings)`` must return
    their embeddings, one row each (e.g. ``lambda s: embed(model, vectorizer.transform(s),
    "caption")``). With several templates, the embeddings of one class are normalised,
    averaged and normalised again (*prompt ensembling*). An image is assigned the class
    whose embedding is most similar to its own. No classifier is trained. Introduced in
    Chapter 8.

    >>> table = {"a red thing": [1.0, 0.0], "a blue thing": [0.0, 1.0]}
    >>> clf = zero_shot_classifier(lambda s: np.array([table[p] for p in s]),
    ...                            ["red", "blue"], templates=["a {} thing"])
    >>> clf.predict([[0.9, 0.2], [0.1, 0.7]]).tolist()
    [0, 1]
    """
    if not callable(encode_text):
        raise TypeError(
            f"encode_text must be a function list[str] -> embeddings, got {describe(encode_text)}"
        )
    class_names = check_strings("class_names", class_names, allow_empty_strings=False, min_len=2)
    if isinstance(templates, str):
        templates = [templates]
    templates = check_strings("templates", templates, min_len=1)
    for t in templates:
        if t.count("{}") != 1:
            raise ValueError(f"each template must hold exactly one '{{}}' for the class name, got {t!r}")
    prompts = [[t.format(c) for c in class_names] for t in templates]
    per_template = []
    for filled in prompts:
        z = check_array("encode_text(prompts)", encode_text(list(filled)), ndim=2)
        if len(z) != len(class_names):
            raise ValueError(f"encode_text returned {len(z)} rows for {len(class_names)} prompts")
        per_template.append(_unit("encode_text(prompts)", z))
    mean = np.mean(per_template, axis=0)
    return ZeroShotClassifier(class_names, templates, prompts, _unit("class embeddings", mean))


# --- relevance, ceilings and the modality gap ---------------------------------------------


def stated_labels(labels, silent) -> np.ndarray:
    """What each caption states: ``labels`` with ``-1`` wherever the caption is ``silent``.

    ``labels`` holds integer codes ``(n, k)`` (one column per attribute) and ``silent`` a
    boolean array of the same shape (a DataFrame such as ``scenes.silent["caption"]`` is
    fine). Introduced in Chapter 8.

    >>> stated_labels([[0, 3], [1, 2]], [[False, True], [False, False]]).tolist()
    [[0, -1], [1, 2]]
    """
    codes = check_array("labels", labels, ndim=2, kind="integer")
    mask = check_array("silent", silent, ndim=2, kind="integer")
    if mask.shape != codes.shape:
        raise ValueError(f"silent must have the shape of labels {codes.shape}, got {mask.shape}")
    return np.where(mask.astype(bool), -1, codes).astype(np.int64)


def relevance(image_labels, caption_labels) -> np.ndarray:
    """Which captions are correct for which images: a boolean ``(n_images, n_captions)`` mask.

    Caption ``j`` is relevant to image ``i`` when every attribute the caption states is
    true of the image: ``caption_labels[j, a]`` is ``-1`` (silent, see
    :func:`stated_labels`) or equals ``image_labels[i, a]``, for every column ``a``. A
    caption silent about an attribute is therefore correct for several images. 1-D
    arrays are one attribute. Introduced in Chapter 8.

    >>> relevance([[0, 1], [2, 1]], [[0, -1], [-1, 1], [2, 3]]).astype(int)
    array([[1, 1, 0],
           [0, 1, 0]])
    """
    image = _labels("image_labels", image_labels)
    caption = _labels("caption_labels", caption_labels)
    if image.shape[1] != caption.shape[1]:
        raise ValueError(
            f"image_labels and caption_labels must have the same number of columns (attributes), "
            f"got {image.shape[1]} and {caption.shape[1]}"
        )
    if (image < 0).any():
        raise ValueError("image_labels must be class codes >= 0 (an image shows every attribute)")
    if (caption < -1).any():
        raise ValueError("caption_labels must be class codes >= 0, or -1 where the caption is silent")
    said = caption[None, :, :]
    return np.all((said < 0) | (image[:, None, :] == said), axis=-1)


def _square_relevance(relevant):
    r = check_array("relevant", relevant, ndim=2, kind="integer")
    if r.shape[0] != r.shape[1]:
        raise ValueError(f"relevant must be square (image i paired with caption i), got shape {r.shape}")
    r = r.astype(bool)
    if not np.diag(r).all():
        raise ValueError(
            f"every pair must be relevant to itself, but relevant[{int(np.flatnonzero(~np.diag(r))[0])}, "
            f"{int(np.flatnonzero(~np.diag(r))[0])}] is False"
        )
    return r


def recall_ceiling(relevant, *, ks=(1, 5, 10), names=("image", "text")) -> pd.DataFrame:
    """Expected R@K, exact-pair convention, of a model that knows relevance and nothing else.

    Such a model puts the relevant candidates of a query first, in random order (it has no
    reason to prefer one), so the paired candidate is in the top ``k`` with probability
    ``min(1, k / r)``, ``r`` being the number of relevant candidates; the table averages it
    over queries, in both directions (rows of ``relevant`` are ``names[0]``). For
    text→image this is the best any model can expect, since every relevant image is equally
    likely to be the one the caption was written for. Under the any-relevant convention the
    same model scores 1. Introduced in Chapter 8.

    >>> recall_ceiling(np.array([[1, 1], [1, 1]], bool), ks=(1, 2))
                R@1  R@2
    image→text  0.5  1.0
    text→image  0.5  1.0
    """
    r = _square_relevance(relevant)
    if isinstance(ks, int):
        ks = (ks,)
    ks = tuple(check_int("ks", k, minimum=1, maximum=len(r)) for k in ks)
    if not ks:
        raise ValueError("ks must name at least one k")
    if len(names) != 2 or not all(isinstance(n, str) for n in names):
        raise ValueError(f"names must be two strings (rows, columns), got {names!r}")
    rows = {}
    for label, counts in (
        (f"{names[0]}→{names[1]}", r.sum(axis=1)),
        (f"{names[1]}→{names[0]}", r.sum(axis=0)),
    ):
        rows[label] = {f"R@{k}": float(np.mean(np.minimum(1.0, k / counts))) for k in ks}
    return pd.DataFrame.from_dict(rows, orient="index").round(3)


def false_negative_share(relevant) -> float:
    """The share of in-batch negatives that are in fact correct pairs.

    ``relevant`` is the square relevance mask of one batch (or of a whole set: the
    expected share for random batches). Its off-diagonal entries are what InfoNCE treats
    as negatives; the share is the fraction of them that are relevant. Introduced in
    Chapter 8.

    >>> false_negative_share(np.array([[1, 1, 0], [0, 1, 0], [0, 0, 1]], bool))
    0.16666666666666666
    """
    r = _square_relevance(relevant)
    n = len(r)
    if n < 2:
        raise ValueError("relevant must hold at least two pairs to have negatives")
    return float((r.sum() - n) / (n * (n - 1)))


def modality_gap(image_embeddings, caption_embeddings) -> float:
    """The distance between the mean image embedding and the mean caption embedding.

    Embeddings are normalised to unit length first. Zero when the two clouds share a
    centre; CLIP-style models keep them apart (the *modality gap*). Introduced in
    Chapter 8.

    >>> round(modality_gap([[1.0, 0.0], [0.0, 1.0]], [[-1.0, 0.0], [0.0, -1.0]]), 4)
    1.4142
    """
    a = _unit("image_embeddings", image_embeddings)
    b = _unit("caption_embeddings", caption_embeddings, a.shape[1])
    return float(np.linalg.norm(a.mean(axis=0) - b.mean(axis=0)))
