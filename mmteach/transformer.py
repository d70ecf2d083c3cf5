"""Transformer building blocks for miniature large multimodal models.

Introduced in Chapter 11 (``notebooks/11_large_models.ipynb``); Chapter 12 trains them at
several sizes and on two devices.

Large multimodal models are assembled from a handful of parts, each small enough to read:

:class:`PatchEmbedding`
    cuts an image into square patches and turns each into one token vector (ViT, ViLT);
:class:`TokenEmbedding`
    turns token ids into vectors and adds where each token stands (its position);
:class:`TransformerBlock`
    a pre-norm block: self-attention, then a two-layer perceptron, each added back to its
    input; ``causal=True`` lets a token see only itself and the tokens before it
    (:func:`causal_mask`), which makes a language model;
:class:`GatedCrossAttention`
    Flamingo's bridge: text tokens attend to image tokens, and what they bring back is
    multiplied by ``tanh(gate)`` with the gate starting at 0, so a frozen language model
    starts out exactly as it was;
:func:`projector`
    LLaVA's bridge: a small perceptron that turns one image embedding into a few "visual
    words" in a language model's token space.

Example
-------
>>> import numpy as np
>>> from mmteach import transformer
>>> images = np.zeros((2, 32, 32, 3), "float32")
>>> transformer.PatchEmbedding(patch_size=8, dim=16)(images).shape
TensorShape([2, 16, 16])
>>> causal_mask(3).astype(int).tolist()
[[1, 0, 0], [1, 1, 0], [1, 1, 1]]
"""

from __future__ import annotations

import numpy as np

from mmteach import native_logs_silenced
from mmteach._validation import check_flag, check_int, check_number, check_seed

with native_logs_silenced():  # TensorFlow prints start-up notices when first imported
    import keras
    from keras import layers, ops

__all__ = [
    "PatchEmbedding",
    "TokenEmbedding",
    "TransformerBlock",
    "GatedCrossAttention",
    "causal_mask",
    "projector",
]


def _check_dim_heads(dim, heads):
    dim = check_int("dim", dim, minimum=1)
    heads = check_int("heads", heads, minimum=1)
    if dim % heads:
        raise ValueError(
            f"dim must be divisible by heads (each head gets dim // heads numbers), "
            f"got dim={dim} and heads={heads}"
        )
    return dim, heads


def _check_rank(name, shape, rank, layout):
    shape = tuple(shape)
    if len(shape) != rank:
        raise ValueError(f"{name} must have shape {layout}, got a tensor of shape {shape}")
    return shape


class _AttentionGlorot(keras.initializers.RandomUniform):
    """Glorot-uniform for the kernels of ``MultiHeadAttention``, the same in every Keras 3.

    The attention's maps are stored as 3-d kernels: ``(dim_in, heads, head_dim)`` for query,
    key and value, ``(heads, head_dim, dim_out)`` for the output. Keras 3.13 (Colab's in
    2026) counts their fans as if they were convolution kernels, which draws the query, key
    and value maps several times too small (``sqrt((heads + head_dim) / 2)`` times: 3 at
    ``dim=32, heads=2``), so attention starts nearly uniform and a small transformer sits on
    its loss plateau for longer; Keras 3.15 (the book's pin) counts them as the dense maps
    they are. This initializer counts them that way in every version, with the same random
    draw as Keras 3.15's default, so a model starts from the same weights in Colab and with
    the book's pins.
    """

    def __init__(self, heads, head_dim, minval=-0.05, maxval=0.05, seed=None):
        super().__init__(minval=minval, maxval=maxval, seed=seed)
        self.heads, self.head_dim = heads, head_dim

    def __call__(self, shape, dtype=None):
        shape = tuple(shape)
        if len(shape) == 3 and shape[1:] == (self.heads, self.head_dim):  # query, key, value
            fan_in, fan_out = shape[0], shape[1] * shape[2]
        elif len(shape) == 3 and shape[:2] == (self.heads, self.head_dim):  # output
            fan_in, fan_out = shape[0] * shape[1], shape[2]
        else:  # a plain (fan_in, fan_out) matrix
            fan_in, fan_out = int(np.prod(shape[:-1])), shape[-1]
        limit = float(np.sqrt(6.0 / (fan_in + fan_out)))
        return keras.random.uniform(shape, minval=-limit, maxval=limit, seed=self.seed, dtype=dtype)

    def get_config(self):
        return {**super().get_config(), "heads": self.heads, "head_dim": self.head_dim}


def _attention(heads, head_dim, dropout, name):
    return layers.MultiHeadAttention(
        heads, head_dim, dropout=dropout, kernel_initializer=_AttentionGlorot(heads, head_dim), name=name
    )


def causal_mask(n: int) -> np.ndarray:
    """The ``(n, n)`` boolean mask of a causal (left-to-right) model.

    Entry ``[i, j]`` is True when token ``i`` may attend to token ``j``: itself and the
    tokens before it (``j <= i``), never a later one. Keras's attention layers take such a
    mask as ``attention_mask`` (True = attend). Introduced in Chapter 11.

    >>> causal_mask(4).astype(int)
    array([[1, 0, 0, 0],
           [1, 1, 0, 0],
           [1, 1, 1, 0],
           [1, 1, 1, 1]])
    """
    n = check_int("n", n, minimum=1)
    return np.tril(np.ones((n, n), dtype=bool))


class PatchEmbedding(layers.Layer):
    """Images ``(batch, height, width, channels)`` -> patch tokens ``(batch, patches, dim)``.

    The image is cut into non-overlapping ``patch_size`` x ``patch_size`` squares, read
    row by row; each square's pixels are flattened and mapped to ``dim`` numbers by one
    Dense layer (the same for every patch), and a learned position vector is added so
    that the model knows where each patch was. This is how ViT and ViLT read images.
    Introduced in Chapter 11.

    >>> PatchEmbedding(patch_size=4, dim=8)(np.zeros((1, 8, 12, 3), "float32")).shape
    TensorShape([1, 6, 8])
    """

    def __init__(self, patch_size: int, dim: int, **kwargs):
        super().__init__(**kwargs)
        self.patch_size = check_int("patch_size", patch_size, minimum=1)
        self.dim = check_int("dim", dim, minimum=1)

    def build(self, input_shape):
        _, h, w, c = _check_rank("images", input_shape, 4, "(batch, height, width, channels)")
        p = self.patch_size
        if h is None or w is None or c is None:
            raise ValueError(f"images need a known height, width and channels, got shape {input_shape}")
        if h % p or w % p:
            raise ValueError(
                f"the image height and width must be multiples of patch_size={p}, "
                f"got {h} x {w}: crop or pad the images, or choose another patch size"
            )
        self.grid = (h // p, w // p)
        self.n_patches = self.grid[0] * self.grid[1]
        self.project = layers.Dense(self.dim, name="project")
        self.project.build((None, self.n_patches, p * p * c))
        self.position = self.add_weight(
            shape=(self.n_patches, self.dim),
            initializer=keras.initializers.RandomNormal(stddev=0.02),
            name="position",
        )

    def call(self, images):
        p = self.patch_size
        gh, gw = self.grid
        c = images.shape[-1]
        x = ops.reshape(images, (-1, gh, p, gw, p, c))
        x = ops.transpose(x, (0, 1, 3, 2, 4, 5))  # (batch, rows, cols, p, p, c)
        x = ops.reshape(x, (-1, gh * gw, p * p * c))
        return self.project(x) + self.position

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n_patches, self.dim)

    def get_config(self):
        return {**super().get_config(), "patch_size": self.patch_size, "dim": self.dim}


class TokenEmbedding(layers.Layer):
    """Token ids ``(batch, length)`` -> vectors ``(batch, length, dim)``, positions added.

    Each id gets a learned vector (``vocab_size`` of them) and each position ``0 ..
    max_len - 1`` another, counted from the first token of the input: a language model
    that later receives a prefix of image tokens in front of the words still sees the
    words at the positions it was trained on. Introduced in Chapter 11.

    >>> TokenEmbedding(vocab_size=10, dim=4, max_len=6)(np.array([[1, 2, 3]])).shape
    TensorShape([1, 3, 4])
    """

    def __init__(self, vocab_size: int, dim: int, max_len: int, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = check_int("vocab_size", vocab_size, minimum=2)
        self.dim = check_int("dim", dim, minimum=1)
        self.max_len = check_int("max_len", max_len, minimum=1)
        self.token = layers.Embedding(self.vocab_size, self.dim, name="token")
        self.position = layers.Embedding(self.max_len, self.dim, name="position")

    def build(self, input_shape):
        _, length = _check_rank("token ids", input_shape, 2, "(batch, length)")
        if length is not None and length > self.max_len:
            raise ValueError(
                f"token ids have {length} positions but max_len={self.max_len}: "
                "raise max_len or truncate the sequences"
            )
        self.token.build(input_shape)
        self.position.build((None, length))

    def call(self, ids):
        dtype = keras.backend.standardize_dtype(ids.dtype)
        if not dtype.startswith(("int", "uint")):
            raise TypeError(f"token ids must be integers, got dtype {dtype}")
        positions = ops.arange(ops.shape(ids)[1])
        return self.token(ids) + self.position(positions)[None]

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.dim)

    def get_config(self):
        return {
            **super().get_config(),
            "vocab_size": self.vocab_size,
            "dim": self.dim,
            "max_len": self.max_len,
        }


def _mlp(dim, mlp_dim, dropout, name):
    return keras.Sequential(
        [
            layers.Dense(mlp_dim, activation="gelu"),
            layers.Dropout(dropout),
            layers.Dense(dim),
        ],
        name=name,
    )


class TransformerBlock(layers.Layer):
    """A pre-norm transformer block: ``(batch, tokens, dim)`` -> the same shape.

    ``x = x + attention(norm(x))`` then ``x = x + mlp(norm(x))``: layer normalisation
    *before* each part and the residual sum around it (the "pre-norm" order of GPT-2 and
    ViT, which trains without a learning-rate warm-up at this size). The attention has
    ``heads`` heads of ``dim // heads`` numbers each; the perceptron has ``mlp_dim``
    hidden units with GELU. With ``causal=True`` token ``i`` sees only tokens ``0 .. i``
    (:func:`causal_mask`). Introduced in Chapter 11.

    >>> TransformerBlock(dim=8, heads=2, mlp_dim=16)(np.zeros((2, 5, 8), "float32")).shape
    TensorShape([2, 5, 8])
    """

    def __init__(
        self,
        dim: int,
        heads: int = 2,
        mlp_dim: int | None = None,
        *,
        causal: bool = False,
        dropout: float = 0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.dim, self.heads = _check_dim_heads(dim, heads)
        self.mlp_dim = 2 * self.dim if mlp_dim is None else check_int("mlp_dim", mlp_dim, minimum=1)
        self.causal = check_flag("causal", causal)
        self.dropout = check_number("dropout", dropout, low=0.0, high=1.0, high_open=True)
        self.norm1 = layers.LayerNormalization(epsilon=1e-5, name="norm1")
        self.attention = _attention(self.heads, self.dim // self.heads, self.dropout, "attention")
        self.norm2 = layers.LayerNormalization(epsilon=1e-5, name="norm2")
        self.mlp = _mlp(self.dim, self.mlp_dim, self.dropout, "mlp")

    def build(self, input_shape):
        shape = _check_rank("tokens", input_shape, 3, "(batch, tokens, dim)")
        if shape[-1] != self.dim:
            raise ValueError(f"tokens must have dim={self.dim} numbers each, got shape {tuple(shape)}")
        self.norm1.build(shape)
        self.attention.build(shape, shape)
        self.norm2.build(shape)
        self.mlp.build(shape)

    def call(self, x, training=None):
        h = self.norm1(x)
        x = x + self.attention(h, h, use_causal_mask=self.causal, training=training)
        return x + self.mlp(self.norm2(x), training=training)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "dim": self.dim,
            "heads": self.heads,
            "mlp_dim": self.mlp_dim,
            "causal": self.causal,
            "dropout": self.dropout,
        }


class GatedCrossAttention(layers.Layer):
    """Flamingo's gated cross-attention: text tokens look at image tokens.

    Called as ``layer(text, image)`` with text ``(batch, n_text, dim)`` and image tokens
    ``(batch, n_image, image_dim)``; returns the text's shape. The text gives the
    queries, the image the keys and values (each text token asks which patches matter to
    it). What comes back, and a perceptron after it, are added to the text through
    ``tanh(gate)``, one learned gate each, both starting at 0: at first the layer passes
    the text through unchanged, so it can be inserted into a trained language model
    without disturbing it, and training opens the gates as far as the image helps.
    :attr:`gates` reads them. Introduced in Chapter 11.

    >>> layer = GatedCrossAttention(dim=8, heads=2)
    >>> text = np.ones((1, 3, 8), "float32")
    >>> bool(np.allclose(layer(text, np.ones((1, 4, 5), "float32")), text))
    True
    """

    def __init__(
        self, dim: int, heads: int = 2, mlp_dim: int | None = None, *, dropout: float = 0.0, **kwargs
    ):
        super().__init__(**kwargs)
        self.dim, self.heads = _check_dim_heads(dim, heads)
        self.mlp_dim = 2 * self.dim if mlp_dim is None else check_int("mlp_dim", mlp_dim, minimum=1)
        self.dropout = check_number("dropout", dropout, low=0.0, high=1.0, high_open=True)
        self.norm1 = layers.LayerNormalization(epsilon=1e-5, name="norm1")
        self.attention = _attention(self.heads, self.dim // self.heads, self.dropout, "cross_attention")
        self.norm2 = layers.LayerNormalization(epsilon=1e-5, name="norm2")
        self.mlp = _mlp(self.dim, self.mlp_dim, self.dropout, "mlp")

    def build(self, text_shape, image_shape=None):
        text_shape = _check_rank("text", text_shape, 3, "(batch, n_text, dim)")
        if image_shape is None:
            raise ValueError("GatedCrossAttention needs two inputs: call it as layer(text, image)")
        image_shape = _check_rank("image", image_shape, 3, "(batch, n_image, image_dim)")
        if text_shape[-1] != self.dim:
            raise ValueError(f"text must have dim={self.dim} numbers per token, got shape {text_shape}")
        self.norm1.build(text_shape)
        self.attention.build(text_shape, image_shape)
        self.norm2.build(text_shape)
        self.mlp.build(text_shape)
        self.attention_gate = self.add_weight(shape=(), initializer="zeros", name="attention_gate")
        self.mlp_gate = self.add_weight(shape=(), initializer="zeros", name="mlp_gate")

    def call(self, text, image, training=None):
        looked = self.attention(self.norm1(text), image, training=training)
        x = text + ops.tanh(self.attention_gate) * looked
        return x + ops.tanh(self.mlp_gate) * self.mlp(self.norm2(x), training=training)

    @property
    def gates(self) -> dict:
        """``{"attention": tanh(gate), "mlp": tanh(gate)}`` as floats: how open each gate is."""
        if not self.built:
            raise ValueError("the layer has no gates yet: call it on text and image tokens first")
        return {
            "attention": float(np.tanh(keras.ops.convert_to_numpy(self.attention_gate))),
            "mlp": float(np.tanh(keras.ops.convert_to_numpy(self.mlp_gate))),
        }

    def compute_output_shape(self, text_shape, image_shape=None):
        return tuple(text_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "dim": self.dim,
            "heads": self.heads,
            "mlp_dim": self.mlp_dim,
            "dropout": self.dropout,
        }


def projector(
    input_dim: int,
    n_tokens: int,
    dim: int,
    *,
    hidden: int | None = 128,
    seed: int | None = None,
    name: str = "projector",
):
    """LLaVA's projector: an image embedding ``(batch, input_dim)`` -> ``(batch, n_tokens, dim)``.

    The output is ``n_tokens`` vectors in a language model's token space, to be put in
    front of the words as a prefix of "visual words". ``hidden`` units with GELU make it a
    two-layer perceptron (LLaVA-1.5's choice); ``hidden=None`` leaves one Dense layer (the
    first LLaVA's linear map). Introduced in Chapter 11.

    >>> projector(input_dim=32, n_tokens=4, dim=16).output.shape
    (None, 4, 16)
    """
    input_dim = check_int("input_dim", input_dim, minimum=1)
    n_tokens = check_int("n_tokens", n_tokens, minimum=1)
    dim = check_int("dim", dim, minimum=1)
    if hidden is not None:
        hidden = check_int("hidden", hidden, minimum=1)
    if seed is not None:
        seed = check_seed(seed)
    init = keras.initializers.GlorotUniform(seed=seed)
    inputs = keras.Input(shape=(input_dim,), name="image_embedding")
    x = inputs
    if hidden is not None:
        x = layers.Dense(hidden, activation="gelu", kernel_initializer=init, name="hidden")(x)
    x = layers.Dense(n_tokens * dim, kernel_initializer=init, name="to_tokens")(x)
    outputs = layers.Reshape((n_tokens, dim), name="visual_tokens")(x)
    return keras.Model(inputs, outputs, name=name)
