"""Text to image: a regression decoder, a conditional VAE, a small diffusion model, and a judge.

Introduced in Chapter 7 (``notebooks/07_text_to_image.ipynb``; Section 7.6 trains the
latent diffusion model and leaves the pixel-space one to the reader).

A caption rarely says everything about a picture: "a red circle" leaves the position and
the size open. The generators here answer that in different ways:

:class:`RegressionGenerator`
    one image per caption, trained with mean squared error. The MSE-optimal answer is the
    *average* of every image that fits the caption (:func:`conditional_mean`), so where the
    caption is silent it draws faint ghosts in every place the object could be;
:class:`ConditionalVAE`
    a conditional variational autoencoder: a latent vector ``z`` drawn from a prior (a
    standard normal, or a Gaussian or a mixture of Gaussians that the caption chooses)
    carries what the caption leaves open, so each draw is one plausible image;
:class:`Diffusion`
    a small conditional denoising diffusion model: it learns to remove noise, and draws an
    image by denoising pure noise step by step (DDPM or DDIM), with classifier-free
    guidance;
:class:`LatentDiffusion`
    the same, in the latent space of a trained :class:`ConditionalVAE`: it denoises the
    autoencoder's four-number codes instead of pixels, and the autoencoder's decoder paints
    them (the recipe of Stable Diffusion).

All share one calling shape, scikit-learn style: ``Generator(image_shape, vectorizer,
...)`` (``LatentDiffusion(autoencoder, ...)``), ``fit(images, captions, steps=...)``, and
``generate(captions, n_samples=..., seed=...)`` which returns an array
``(n_captions, n_samples, height, width, channels)`` in [0, 1]. Captions are plain strings;
``vectorizer`` is a fitted :class:`mmteach.preprocessing.CaptionVectorizer`. Each keeps its
Keras model(s) in attributes (``model``, ``encoder``, ``decoder``, ``denoiser``) and reads
the caption with the same :func:`caption_encoder`.

The *judge* (:func:`attribute_judge`) is an attribute classifier trained on real images
only; it says what a generated image shows (:func:`judge_attributes`) and its penultimate
layer gives the features of a Fréchet distance (:func:`judge_features`); the metrics live in
:mod:`mmteach.metrics`.

Example
-------
>>> from mmteach.preprocessing import CaptionVectorizer
>>> vec = CaptionVectorizer(max_len=6).fit(["a red circle", "a blue square"])
>>> gen = RegressionGenerator((8, 8, 3), vec)
>>> gen.generate(["a red circle"], n_samples=2).shape
(1, 2, 8, 8, 3)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from mmteach import native_logs_silenced
from mmteach._validation import (
    check_array,
    check_choice,
    check_flag,
    check_int,
    check_number,
    check_probability,
    check_seed,
    check_strings,
)

with native_logs_silenced():  # TensorFlow prints start-up notices when first imported
    import keras
    from keras import layers, ops

__all__ = [
    "caption_encoder",
    "regression_decoder",
    "Reparameterize",
    "MixtureReparameterize",
    "RegressionGenerator",
    "ConditionalVAE",
    "noise_schedule",
    "add_noise",
    "diffusion_denoiser",
    "Diffusion",
    "latent_denoiser",
    "LatentDiffusion",
    "SCHEDULES",
    "SAMPLERS",
    "PRIORS",
    "DRAWINGS",
    "attribute_judge",
    "judge_attributes",
    "judge_features",
    "conditional_mean",
    "downsample",
    "fit_steps",
]

#: The noise schedules :func:`noise_schedule` knows.
SCHEDULES: tuple[str, ...] = ("linear", "cosine")
#: How :meth:`Diffusion.generate` can sample.
SAMPLERS: tuple[str, ...] = ("ddim", "ddpm")
#: The priors of :class:`ConditionalVAE`: ``N(0, I)``, or a Gaussian or a mixture the caption chooses.
PRIORS: tuple[str, ...] = ("standard", "caption", "mixture")
#: How :class:`ConditionalVAE`'s decoder draws: every pixel value, or a mask painted in a colour.
DRAWINGS: tuple[str, ...] = ("pixels", "mask")


# --- argument checks -------------------------------------------------------------


def _check_image_shape(image_shape):
    try:
        shape = tuple(image_shape)
    except TypeError:
        raise TypeError(f"image_shape must be (height, width, channels), got {image_shape!r}") from None
    if len(shape) != 3:
        raise ValueError(
            f"image_shape must be (height, width, channels) -- the shape of ONE image, "
            f"without the batch axis -- got {shape}"
        )
    return tuple(check_int("image_shape", d, minimum=1) for d in shape)


def _check_vectorizer(vectorizer):
    if not hasattr(vectorizer, "transform") or not hasattr(vectorizer, "max_len"):
        raise TypeError(
            "vectorizer must be a fitted mmteach.preprocessing.CaptionVectorizer, got "
            f"{type(vectorizer).__name__}"
        )
    if not hasattr(vectorizer, "vocabulary_"):
        raise ValueError("vectorizer is not fitted: call vectorizer.fit(train_captions) first")
    return vectorizer


def _check_images(images, image_shape, name="images"):
    return check_array(
        name, images, shape=(None, *image_shape), kind="float", low=0.0, high=1.0, dtype="float32"
    )


def _predict(model, inputs, batch_size=512):
    """``model`` called eagerly on batches of ``inputs`` (an array or a dict of arrays).

    ``model.predict`` compiles a new graph for every model and input shape; a chapter that
    calls several small models a few times each is faster (and free of TensorFlow's
    retracing warnings) calling them directly.
    """
    n = len(next(iter(inputs.values())) if isinstance(inputs, dict) else inputs)
    outputs = []
    for start in range(0, n, batch_size):
        part = (
            {k: v[start : start + batch_size] for k, v in inputs.items()}
            if isinstance(inputs, dict)
            else inputs[start : start + batch_size]
        )
        outputs.append(model(part, training=False))
    if isinstance(outputs[0], dict):
        return {k: np.concatenate([np.asarray(o[k]) for o in outputs]) for k in outputs[0]}
    if isinstance(outputs[0], (list, tuple)):
        return [np.concatenate([np.asarray(o[k]) for o in outputs]) for k in range(len(outputs[0]))]
    return np.concatenate([np.asarray(o) for o in outputs])


def _caption_ids(vectorizer, captions, name="captions"):
    captions = check_strings(name, captions, allow_empty_strings=False)
    return vectorizer.transform(captions)


def downsample(images, factor: int = 2) -> np.ndarray:
    """Shrink ``(n, height, width, channels)`` images by averaging ``factor x factor`` blocks.

    Chapter 7 draws 16x16 images (the Shapes world's 32x32 halved): four times fewer numbers
    to generate, so every model trains in seconds. Introduced in Chapter 7.

    >>> downsample(np.arange(16, dtype="float32").reshape(1, 4, 4, 1)).ravel().tolist()
    [2.5, 4.5, 10.5, 12.5]
    """
    images = check_array("images", images, ndim=4, kind="float")
    factor = check_int("factor", factor, minimum=1)
    n, h, w, c = images.shape
    if h % factor or w % factor:
        raise ValueError(
            f"factor={factor} must divide the height and width, got images of shape {images.shape}"
        )
    blocks = images.reshape(n, h // factor, factor, w // factor, factor, c)
    return blocks.mean(axis=(2, 4)).astype(images.dtype)


# --- building blocks -----------------------------------------------------------


def caption_encoder(vocab_size: int, max_len: int, *, embed_dim: int = 64, name: str = "caption_encoder"):
    """Token ids ``(max_len,)`` -> an ``embed_dim`` vector: a bag of words and a Dense layer.

    Every generator of this module reads its caption with this encoder. A bag of words says
    which words occur, blind to their order -- enough for templated captions, and it learns
    in a few hundred steps. Introduced in Chapter 7.

    >>> caption_encoder(20, 6, embed_dim=8).output.shape
    (None, 8)
    """
    vocab_size = check_int("vocab_size", vocab_size, minimum=2)
    max_len = check_int("max_len", max_len, minimum=1)
    embed_dim = check_int("embed_dim", embed_dim, minimum=1)
    ids = keras.Input(shape=(max_len,), dtype="int32", name="caption")
    words = layers.CategoryEncoding(vocab_size, output_mode="multi_hot")(ids)
    vector = layers.Dense(embed_dim, activation="relu")(words)
    return keras.Model(ids, vector, name=name)


def _image_head(x, image_shape, name):
    x = layers.Dense(int(np.prod(image_shape)), activation="sigmoid")(x)
    return layers.Reshape(image_shape, name=name)(x)


def regression_decoder(image_shape, vocab_size: int, max_len: int, *, hidden: int = 256, embed_dim: int = 64):
    """Caption ids -> one image in [0, 1] (a sigmoid per pixel), to be trained with MSE.

    Two Dense layers after the caption encoder, then one sigmoid per pixel value reshaped to
    ``image_shape``. Introduced in Chapter 7.

    >>> regression_decoder((8, 8, 3), 20, 6).output.shape
    (None, 8, 8, 3)
    """
    image_shape = _check_image_shape(image_shape)
    hidden = check_int("hidden", hidden, minimum=1)
    text = caption_encoder(vocab_size, max_len, embed_dim=embed_dim)
    ids = keras.Input(shape=(max_len,), dtype="int32", name="caption")
    x = layers.Dense(hidden, activation="relu")(text(ids))
    x = layers.Dense(hidden, activation="relu")(x)
    return keras.Model(ids, _image_head(x, image_shape, "image"), name="regression_decoder")


class Reparameterize(layers.Layer):
    """``z = mean + exp(log_var / 2) * noise``, noise from a standard normal; adds ``beta * KL``.

    The *reparameterisation trick*: the randomness comes in as an input-like ``noise`` term,
    so the gradient flows to ``mean`` and ``log_var``. The layer also adds the KL divergence
    of ``N(mean, exp(log_var))`` from the prior, summed over the latent axes and averaged
    over the batch, times ``beta``, to the model's loss (``add_loss``). Called on
    ``[mean, log_var]`` the prior is ``N(0, I)``; called on ``[mean, log_var, prior_mean,
    prior_log_var]`` it is that diagonal Gaussian (a prior that depends on the caption).
    Introduced in Chapter 7.
    """

    def __init__(self, beta: float = 1.0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.beta = check_number("beta", beta, low=0.0)
        self.seed = None if seed is None else check_seed(seed)
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs):
        if len(inputs) not in (2, 4):
            raise ValueError(
                "Reparameterize takes [mean, log_var] or [mean, log_var, prior_mean, prior_log_var], "
                f"got {len(inputs)} tensors"
            )
        mean, log_var = inputs[0], inputs[1]
        if len(inputs) == 2:
            kl = 0.5 * ops.sum(ops.exp(log_var) + ops.square(mean) - 1.0 - log_var, axis=-1)
        else:
            p_mean, p_log_var = inputs[2], inputs[3]
            spread = (ops.exp(log_var) + ops.square(mean - p_mean)) / ops.exp(p_log_var)
            kl = 0.5 * ops.sum(p_log_var - log_var + spread - 1.0, axis=-1)
        self.add_loss(self.beta * ops.mean(kl))
        noise = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        return mean + ops.exp(0.5 * log_var) * noise

    def get_config(self):
        return {**super().get_config(), "beta": self.beta, "seed": self.seed}


class MixtureReparameterize(Reparameterize):
    """Like :class:`Reparameterize`, against a mixture of diagonal Gaussians as the prior.

    Called on ``[mean, log_var, logits, means, log_vars]``; the KL term has no closed form,
    so it is estimated from the sample itself: ``log q(z) - log p(z)``.
    """

    def call(self, inputs):
        mean, log_var, logits, means, log_vars = inputs
        noise = keras.random.normal(ops.shape(mean), seed=self.seed_generator)
        z = mean + ops.exp(0.5 * log_var) * noise
        log_2pi = math.log(2 * math.pi)
        log_q = -0.5 * ops.sum(log_2pi + log_var + ops.square(noise), axis=-1)
        diff = z[:, None, :] - means
        log_n = -0.5 * ops.sum(log_2pi + log_vars + ops.square(diff) / ops.exp(log_vars), axis=-1)
        log_p = ops.logsumexp(ops.log_softmax(logits, axis=-1) + log_n, axis=-1)
        self.add_loss(self.beta * ops.mean(log_q - log_p))
        return z


class _PaintMask(layers.Layer):
    """``background + mask * (colour - background)``: a one-channel mask painted in a colour."""

    def call(self, inputs):
        mask, colour, background = inputs
        return background + mask * (colour - background)


def _summed_bce(y_true, y_pred):
    """Binary cross-entropy summed over the pixels of each image (the VAE's reconstruction)."""
    y_pred = ops.clip(y_pred, 1e-6, 1.0 - 1e-6)
    per_value = -(y_true * ops.log(y_pred) + (1.0 - y_true) * ops.log(1.0 - y_pred))
    return ops.sum(ops.reshape(per_value, (ops.shape(per_value)[0], -1)), axis=-1)


def fit_steps(model, x, y, *, steps: int, batch_size: int = 128, seed: int = 0):
    """Train a compiled Keras ``model`` for exactly ``steps`` whole batches; return its losses.

    The rows are shuffled (from ``seed``) and repeated as often as needed; every batch has
    ``batch_size`` rows, so Keras traces its training step once. Returns the loss of each
    step as an array. Introduced in Chapter 7.
    """
    import tensorflow as tf

    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    seed = check_seed(seed)
    if getattr(model, "optimizer", None) is None:
        raise ValueError("model must be compiled first: model.compile(optimizer=..., loss=...)")
    leaves = [v for part in (x, y) for v in (part.values() if isinstance(part, dict) else [part])]
    n = len(leaves[0])
    if any(len(leaf) != n for leaf in leaves):
        raise ValueError(f"x and y must have the same number of rows, got {[len(v) for v in leaves]}")
    if n < batch_size:
        raise ValueError(f"batch_size={batch_size} is larger than the {n} training rows")
    data = (
        tf.data.Dataset.from_tensor_slices((x, y))
        .shuffle(n, seed=seed, reshuffle_each_iteration=True)
        .repeat()
        .batch(batch_size, drop_remainder=True)
        .take(steps)
    )

    class _Losses(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            running.append(float(logs["loss"]))  # Keras logs the mean over the steps so far

    running: list[float] = []
    model.optimizer.build(model.trainable_variables)
    model.fit(data, epochs=1, verbose=0, shuffle=False, callbacks=[_Losses()])
    totals = np.asarray(running, dtype=np.float64) * np.arange(1, len(running) + 1)
    return np.diff(totals, prepend=0.0)


class _Generator:
    """What the generators share: the image shape, the vectorizer, and argument checks."""

    def __init__(self, image_shape, vectorizer):
        self.image_shape = _check_image_shape(image_shape)
        self.vectorizer = _check_vectorizer(vectorizer)
        self.max_len = int(vectorizer.max_len)
        self.vocab_size = int(vectorizer.vocab_size)

    def _training_data(self, images, captions):
        images = _check_images(images, self.image_shape)
        ids = _caption_ids(self.vectorizer, captions)
        if len(ids) != len(images):
            raise ValueError(
                f"images and captions must have the same number of rows: images has "
                f"{len(images)}, captions has {len(ids)}"
            )
        return images, ids

    def _generate_args(self, captions, n_samples, seed):
        ids = _caption_ids(self.vectorizer, captions)
        n_samples = check_int("n_samples", n_samples, minimum=1)
        return ids, n_samples, check_seed(seed)

    def __repr__(self):
        return f"{type(self).__name__}(image_shape={self.image_shape})"


class RegressionGenerator(_Generator):
    """Caption -> one image, trained with mean squared error: the conditional mean, blurred.

    ``model`` is :func:`regression_decoder`. :meth:`generate` repeats its single answer
    ``n_samples`` times: a regression model has exactly one image per caption. Introduced in
    Chapter 7.
    """

    def __init__(self, image_shape, vectorizer, *, hidden: int = 256, embed_dim: int = 64):
        super().__init__(image_shape, vectorizer)
        self.model = regression_decoder(
            self.image_shape, self.vocab_size, self.max_len, hidden=hidden, embed_dim=embed_dim
        )

    def fit(
        self,
        images,
        captions,
        *,
        steps: int = 300,
        batch_size: int = 128,
        learning_rate: float = 1e-3,
        seed: int = 0,
    ):
        """Train on (caption, image) pairs with MSE for ``steps`` batches; returns ``self``."""
        images, ids = self._training_data(images, captions)
        learning_rate = check_number("learning_rate", learning_rate, low=0.0, low_open=True)
        self.model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
        self.losses_ = fit_steps(self.model, ids, images, steps=steps, batch_size=batch_size, seed=seed)
        return self

    def generate(self, captions, *, n_samples: int = 1, seed: int = 0):
        """``(n_captions, n_samples, *image_shape)``: the one answer, ``n_samples`` times."""
        ids, n_samples, _ = self._generate_args(captions, n_samples, seed)
        images = _predict(self.model, ids)
        return np.repeat(images[:, None], n_samples, axis=1)


class ConditionalVAE(_Generator):
    """A conditional variational autoencoder, all Dense layers (Kingma and Welling, 2014).

    - ``encoder``: (image, caption) -> ``mean`` and ``log_var`` of ``q(z | image, caption)``;
    - ``prior``: the prior ``p(z)``. With ``prior="standard"`` it is ``N(0, I)`` and
      ``self.prior`` is ``None``; with ``prior="caption"`` a small network (caption ->
      ``mean`` and ``log_var``) proposes ``p(z | caption)``, the *prior network* of Sohn et
      al. (2015); with ``prior="mixture"`` it proposes a mixture of ``components`` diagonal
      Gaussians, each with a weight, so that the codes of one caption can lie in separate
      groups (one per place the caption leaves open) without a gap between them that the
      prior would fill (Dilokthanakul et al., 2016; Tomczak and Welling, 2018);
    - :class:`Reparameterize` (:class:`MixtureReparameterize` for the mixture) draws ``z``
      and adds ``beta`` times the KL divergence of ``q(z | image, caption)`` from the prior
      to the loss;
    - ``decoder``: (z, caption) -> image. With ``draw="pixels"`` one sigmoid per pixel value;
      with ``draw="mask"`` one sigmoid per pixel *position*, a mask that paints a colour over
      a background colour (both also predicted): ``background + mask * (colour -
      background)``, an image of one object on a plain background with four times fewer
      numbers to draw. ``caption_every_layer=True`` hands the caption's vector to every
      hidden layer of the decoder, not only the first;
    - ``model``: the chain, trained to reconstruct its input image with binary
      cross-entropy summed over the pixels, plus the KL term: the negative ELBO when
      ``beta=1``.

    To generate, :meth:`generate` draws ``z`` from the prior and decodes: the caption fixes
    what it says, ``z`` chooses what it leaves open. Introduced in Chapter 7.
    """

    def __init__(
        self,
        image_shape,
        vectorizer,
        *,
        latent_dim: int = 8,
        hidden: int = 256,
        embed_dim: int = 64,
        beta: float = 1.0,
        prior: str = "standard",
        draw: str = "pixels",
        caption_every_layer: bool = False,
        components: int = 4,
        seed: int = 0,
    ):
        super().__init__(image_shape, vectorizer)
        self.latent_dim = check_int("latent_dim", latent_dim, minimum=1)
        self.components = check_int("components", components, minimum=1)
        hidden = check_int("hidden", hidden, minimum=1)
        embed_dim = check_int("embed_dim", embed_dim, minimum=1)
        self.beta = check_number("beta", beta, low=0.0)
        self.prior_kind = check_choice("prior", prior, PRIORS)
        self.draw = check_choice("draw", draw, DRAWINGS)
        self.caption_every_layer = check_flag("caption_every_layer", caption_every_layer)
        text = caption_encoder(self.vocab_size, self.max_len, embed_dim=embed_dim)

        image = keras.Input(shape=self.image_shape, name="image")
        ids = keras.Input(shape=(self.max_len,), dtype="int32", name="caption")
        x = layers.Concatenate()([layers.Flatten()(image), text(ids)])
        x = layers.Dense(hidden, activation="relu")(x)
        mean = layers.Dense(self.latent_dim, name="mean")(x)
        log_var = layers.Dense(self.latent_dim, name="log_var")(x)
        self.encoder = keras.Model({"image": image, "caption": ids}, [mean, log_var], name="encoder")

        self.prior = None
        if self.prior_kind == "caption":
            ids_p = keras.Input(shape=(self.max_len,), dtype="int32", name="caption")
            x = layers.Dense(embed_dim, activation="relu")(text(ids_p))
            self.prior = keras.Model(
                ids_p,
                [layers.Dense(self.latent_dim, name=n)(x) for n in ("mean", "log_var")],
                name="prior",
            )
        if self.prior_kind == "mixture":
            k, d = self.components, self.latent_dim
            ids_p = keras.Input(shape=(self.max_len,), dtype="int32", name="caption")
            x = layers.Dense(embed_dim, activation="relu")(text(ids_p))
            self.prior = keras.Model(
                ids_p,
                [
                    layers.Dense(k, name="logits")(x),
                    layers.Reshape((k, d))(layers.Dense(k * d, name="means")(x)),
                    layers.Reshape((k, d))(layers.Dense(k * d, name="log_vars")(x)),
                ],
                name="prior",
            )

        z = keras.Input(shape=(self.latent_dim,), name="z")
        ids_d = keras.Input(shape=(self.max_len,), dtype="int32", name="caption")
        said = text(ids_d)
        x = layers.Concatenate()([z, said])
        x = layers.Dense(hidden, activation="relu")(x)
        if self.caption_every_layer:
            x = layers.Concatenate()([x, said])
        x = layers.Dense(hidden, activation="relu")(x)
        if self.draw == "pixels":
            out = _image_head(x, self.image_shape, "image")
        else:
            height, width, channels = self.image_shape
            mask = layers.Reshape((height, width, 1))(layers.Dense(height * width, activation="sigmoid")(x))
            colour, background = (
                layers.Reshape((1, 1, channels))(layers.Dense(channels, activation="sigmoid", name=n)(x))
                for n in ("colour", "background")
            )
            out = _PaintMask(name="image")([mask, colour, background])
        self.decoder = keras.Model({"z": z, "caption": ids_d}, out, name="decoder")

        mean, log_var = self.encoder({"image": image, "caption": ids})
        prior_params = [] if self.prior is None else list(self.prior(ids))
        layer = MixtureReparameterize if self.prior_kind == "mixture" else Reparameterize
        sampled = layer(self.beta, seed=check_seed(seed), name="reparameterize")(
            [mean, log_var, *prior_params]
        )
        out = self.decoder({"z": sampled, "caption": ids})
        self.model = keras.Model({"image": image, "caption": ids}, out, name="conditional_vae")

    def fit(
        self,
        images,
        captions,
        *,
        steps: int = 600,
        batch_size: int = 128,
        learning_rate: float = 1e-3,
        seed: int = 0,
    ):
        """Train on (image, caption) pairs for ``steps`` batches; returns ``self``.

        ``losses_`` holds the loss of each step (reconstruction + ``beta`` * KL, per image).
        """
        images, ids = self._training_data(images, captions)
        learning_rate = check_number("learning_rate", learning_rate, low=0.0, low_open=True)
        self.model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=_summed_bce)
        self.losses_ = fit_steps(
            self.model,
            {"image": images, "caption": ids},
            images,
            steps=steps,
            batch_size=batch_size,
            seed=seed,
        )
        return self

    def prior_parameters(self, captions):
        """The prior's parameters for each caption.

        ``(mean, log_var)``, each ``(n_captions, latent_dim)``: zeros for
        ``prior="standard"`` (``N(0, I)``), the prior network's answer for
        ``prior="caption"``. For ``prior="mixture"``: ``(weights, means, log_vars)``, the
        components' weights ``(n_captions, components)`` (each row sums to 1), and their
        means and log-variances ``(n_captions, components, latent_dim)``.
        """
        ids = _caption_ids(self.vectorizer, captions)
        if self.prior is None:
            zeros = np.zeros((len(ids), self.latent_dim), "float32")
            return zeros, zeros.copy()
        parts = [self.prior(ids[i : i + 512], training=False) for i in range(0, len(ids), 512)]
        params = [np.concatenate([np.asarray(p[k]) for p in parts]) for k in range(len(parts[0]))]
        if self.prior_kind == "mixture":
            logits = params[0] - params[0].max(axis=1, keepdims=True)
            weights = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
            return weights.astype("float32"), params[1], params[2]
        return tuple(params)

    def sample_prior(self, captions, *, n_samples: int = 1, seed: int = 0, temperature: float = 1.0):
        """Draw ``z`` from the prior: ``(n_captions * n_samples, latent_dim)``, caption by caption.

        ``z = mean + temperature * std * noise`` with the prior's ``mean`` and ``std`` (0 and 1
        for ``prior="standard"``); for ``prior="mixture"`` each draw first picks a component
        by its weight. A ``temperature`` below 1 keeps the draws nearer the centres.
        """
        ids, n_samples, seed = self._generate_args(captions, n_samples, seed)
        temperature = check_number("temperature", temperature, low=0.0)
        rng = np.random.default_rng(seed)
        noise = rng.standard_normal((len(ids) * n_samples, self.latent_dim)).astype("float32")
        params = [np.repeat(p, n_samples, axis=0) for p in self.prior_parameters(captions)]
        if self.prior_kind == "mixture":
            weights, means, log_vars = params
            pick = (weights.cumsum(axis=1) < rng.random((len(weights), 1))).sum(axis=1)
            pick = np.minimum(pick, self.components - 1)
            rows = np.arange(len(weights))
            params = [means[rows, pick], log_vars[rows, pick]]
        mean, log_var = params
        return (mean + temperature * np.exp(0.5 * log_var) * noise).astype("float32")

    def kl_divergence(self, images, captions, *, n_draws: int = 64, seed: int = 0):
        """KL of ``q(z | image, caption)`` from the prior, in nats, one per image.

        Exact for the Gaussian priors; for ``prior="mixture"`` the mean of
        ``log q(z) - log p(z | caption)`` over ``n_draws`` draws of ``z`` from ``q``.
        """
        images, ids = self._training_data(images, captions)
        n_draws = check_int("n_draws", n_draws, minimum=1)
        encoded = _predict(self.encoder, {"image": images, "caption": ids})
        mean, log_var = (np.asarray(a, "float64") for a in encoded)
        params = [np.asarray(p, "float64") for p in self.prior_parameters(captions)]
        if self.prior_kind != "mixture":
            p_mean, p_log_var = params
            spread = (np.exp(log_var) + (mean - p_mean) ** 2) / np.exp(p_log_var)
            return 0.5 * np.sum(p_log_var - log_var + spread - 1.0, axis=1)
        weights, means, log_vars = params
        noise = np.random.default_rng(check_seed(seed)).standard_normal((n_draws, *mean.shape))
        z = mean + np.exp(0.5 * log_var) * noise  # (n_draws, n, d)
        log_q = -0.5 * np.sum(np.log(2 * np.pi) + log_var + noise**2, axis=-1)
        diff = z[:, :, None, :] - means[None]
        log_n = -0.5 * np.sum(np.log(2 * np.pi) + log_vars + diff**2 / np.exp(log_vars), axis=-1)
        joint = np.log(weights)[None] + log_n
        top = joint.max(axis=-1, keepdims=True)
        log_p = (top + np.log(np.exp(joint - top).sum(axis=-1, keepdims=True)))[..., 0]
        return np.mean(log_q - log_p, axis=0)

    def generate(self, captions, *, n_samples: int = 1, seed: int = 0, temperature: float = 1.0):
        """``(n_captions, n_samples, *image_shape)``: decode ``z`` drawn from the prior.

        See :meth:`sample_prior` for how ``z`` is drawn and what ``temperature`` does.
        """
        z = self.sample_prior(captions, n_samples=n_samples, seed=seed, temperature=temperature)
        ids = np.repeat(_caption_ids(self.vectorizer, captions), n_samples, axis=0)
        images = _predict(self.decoder, {"z": z, "caption": ids})
        return images.reshape(len(z) // n_samples, n_samples, *self.image_shape)


# --- diffusion -----------------------------------------------------------------


def noise_schedule(n_steps: int = 100, kind: str = "cosine") -> np.ndarray:
    """``alpha_bar[t]``, t = 1..n_steps: how much of the clean image is left at step t.

    A noisy image at step ``t`` is ``sqrt(alpha_bar[t]) * x0 + sqrt(1 - alpha_bar[t]) *
    noise``. ``"linear"`` is the schedule of Ho et al. (2020), its betas from 1e-4 to 0.02
    stretched to ``n_steps``; ``"cosine"`` that of Nichol and Dhariwal (2021), which destroys
    the image more evenly. Returns a float64 array of length ``n_steps``, decreasing from
    near 1 to near 0. Introduced in Chapter 7.

    >>> a = noise_schedule(50, "linear")
    >>> a.shape, bool(a[0] > 0.99), bool(a[-1] < 0.01)
    ((50,), True, True)
    """
    n_steps = check_int("n_steps", n_steps, minimum=2)
    check_choice("kind", kind, SCHEDULES)
    if kind == "linear":
        betas = np.linspace(1e-4, 0.02, n_steps) * (1000 / n_steps)
        return np.cumprod(1.0 - np.clip(betas, 0, 0.999))
    s = 0.008
    t = np.arange(n_steps + 1) / n_steps
    f = np.cos((t + s) / (1 + s) * math.pi / 2) ** 2
    betas = np.clip(1 - f[1:] / f[:-1], 0, 0.999)
    return np.cumprod(1.0 - betas)


def add_noise(images, t, alpha_bar, *, seed: int = 0):
    """The forward process: ``(noisy, noise)`` for clean ``images`` at steps ``t`` (1-based).

    ``t`` is one step for every image or one per image. Introduced in Chapter 7.

    >>> x0 = np.full((2, 4, 4, 3), 0.5, dtype="float32")
    >>> noisy, noise = add_noise(x0, 1, noise_schedule(10))
    >>> noisy.shape, noise.shape
    ((2, 4, 4, 3), (2, 4, 4, 3))
    """
    images = check_array("images", images, ndim=4, kind="float")
    alpha_bar = check_array("alpha_bar", alpha_bar, ndim=1, kind="float", low=0.0, high=1.0)
    t = np.broadcast_to(np.asarray(t), (len(images),))
    if not np.issubdtype(t.dtype, np.integer) or t.min() < 1 or t.max() > len(alpha_bar):
        raise ValueError(f"t must hold integer steps in 1..{len(alpha_bar)}, got {np.unique(t)[:5]}")
    noise = np.random.default_rng(check_seed(seed)).standard_normal(images.shape).astype("float32")
    a = alpha_bar[t - 1].astype("float32")[:, None, None, None]
    return np.sqrt(a) * images + np.sqrt(1 - a) * noise, noise


def _time_features(t, n_steps, dim=16):
    half = dim // 2
    freqs = ops.exp(-math.log(1000.0) * ops.arange(half, dtype="float32") / half)
    angle = ops.reshape(ops.cast(t, "float32"), (-1, 1)) / n_steps * 1000.0 * freqs[None, :]
    return ops.concatenate([ops.sin(angle), ops.cos(angle)], axis=-1)


def diffusion_denoiser(
    image_shape, vocab_size: int, max_len: int, n_steps: int, *, channels: int = 32, embed_dim: int = 64
):
    """A small convolutional U-Net: (noisy image, step, caption) -> the predicted noise.

    Two resolutions (the full image and half of it), a skip connection between them, and
    the condition -- the caption's vector plus sinusoidal features of the step ``t`` --
    added to every feature map as a learned per-channel shift. Inputs are named ``noisy``,
    ``t`` (an integer per image, 0 to ``n_steps``) and ``caption``. Introduced in Chapter 7.

    >>> diffusion_denoiser((8, 8, 3), 20, 6, n_steps=10).output.shape
    (None, 8, 8, 3)
    """
    image_shape = _check_image_shape(image_shape)
    if image_shape[0] % 2 or image_shape[1] % 2:
        raise ValueError(f"image_shape must have an even height and width (one halving), got {image_shape}")
    n_steps = check_int("n_steps", n_steps, minimum=2)
    channels = check_int("channels", channels, minimum=1)
    noisy = keras.Input(shape=image_shape, name="noisy")
    t = keras.Input(shape=(), dtype="int32", name="t")
    ids = keras.Input(shape=(max_len,), dtype="int32", name="caption")
    text = caption_encoder(vocab_size, max_len, embed_dim=embed_dim)
    step = layers.Lambda(lambda s: _time_features(s, n_steps), output_shape=(16,), name="step_features")(t)
    cond = layers.Dense(embed_dim, activation="swish")(layers.Concatenate()([text(ids), step]))

    def block(x, width, condition):
        x = layers.Conv2D(width, 3, padding="same", activation="swish")(x)
        shift = layers.Reshape((1, 1, width))(layers.Dense(width)(condition))
        x = layers.Add()([x, shift])
        return layers.Conv2D(width, 3, padding="same", activation="swish")(x)

    high = block(noisy, channels, cond)
    low = block(layers.AveragePooling2D(2)(high), 2 * channels, cond)
    up = layers.UpSampling2D()(low)
    x = block(layers.Concatenate()([up, high]), channels, cond)
    out = layers.Conv2D(image_shape[-1], 1, name="noise")(x)
    return keras.Model({"noisy": noisy, "t": t, "caption": ids}, out, name="denoiser")


def _fit_denoiser(model, x0, ids, alpha_bar, *, drop_caption, steps, batch_size, learning_rate, seed):
    """Teach ``model`` to predict the noise mixed into ``x0`` at a random step; return the losses."""
    import tensorflow as tf

    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    learning_rate = check_number("learning_rate", learning_rate, low=0.0, low_open=True)
    seed = check_seed(seed)
    if len(x0) < batch_size:
        raise ValueError(f"batch_size={batch_size} is larger than the {len(x0)} training rows")
    optimizer = keras.optimizers.Adam(learning_rate)
    optimizer.build(model.trainable_variables)
    alpha_bar_t = tf.constant(alpha_bar, tf.float32)
    generator = tf.random.Generator.from_seed(seed)
    n_steps, broadcast = len(alpha_bar), (-1,) + (1,) * (x0.ndim - 1)
    data = (
        tf.data.Dataset.from_tensor_slices((x0.astype("float32"), ids))
        .shuffle(len(x0), seed=seed)
        .repeat()
        .batch(batch_size, drop_remainder=True)
        .take(steps)
    )

    @tf.function
    def train_step(clean, caption):
        t = generator.uniform((batch_size,), 1, n_steps + 1, dtype=tf.int32)
        noise = generator.normal(tf.shape(clean))
        a = tf.reshape(tf.gather(alpha_bar_t, t - 1), broadcast)
        keep = tf.cast(generator.uniform((batch_size, 1)) >= drop_caption, caption.dtype)
        inputs = {"noisy": tf.sqrt(a) * clean + tf.sqrt(1 - a) * noise, "t": t, "caption": caption * keep}
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(inputs, training=True) - noise))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    return np.asarray([float(train_step(clean, caption)) for clean, caption in data])


def _denoise(model, x, caption, alpha_bar, *, guidance, sampler, sampling_steps, clip, rng):
    """Walk ``x`` from pure noise back to a clean sample; return the clean estimate.

    At each step the noise estimate is ``uncond + guidance * (cond - uncond)``; the clean
    estimate it implies is clipped to ``[-clip, clip]`` and the noise recomputed from it,
    so that one wild estimate at the noisiest steps cannot blow the sample up.
    """
    n_steps = len(alpha_bar)
    guidance = check_number("guidance", guidance, low=0.0)
    check_choice("sampler", sampler, SAMPLERS)
    sampling_steps = check_int("sampling_steps", sampling_steps, minimum=1, maximum=n_steps)
    n = len(x)
    both = np.concatenate([caption, np.zeros_like(caption)])
    a_bar = np.concatenate([[1.0], alpha_bar])  # a_bar[0] = 1: the clean sample
    if sampler == "ddim":
        ts = np.unique(np.linspace(n_steps, 1, sampling_steps).round().astype(int))[::-1]
    else:
        ts = np.arange(n_steps, 0, -1)
    for i, t in enumerate(ts):
        t_prev = ts[i + 1] if i + 1 < len(ts) else 0
        inputs = {"noisy": np.concatenate([x, x]), "t": np.full(2 * n, t, "int32"), "caption": both}
        eps = np.asarray(model(inputs))
        eps = eps[n:] + guidance * (eps[:n] - eps[n:])
        x0 = np.clip((x - np.sqrt(1 - a_bar[t]) * eps) / np.sqrt(a_bar[t]), -clip, clip)
        eps = (x - np.sqrt(a_bar[t]) * x0) / np.sqrt(1 - a_bar[t])
        if sampler == "ddim":
            x = np.sqrt(a_bar[t_prev]) * x0 + np.sqrt(1 - a_bar[t_prev]) * eps
        else:
            beta = 1 - a_bar[t] / a_bar[t_prev]
            mean = np.sqrt(a_bar[t_prev]) * beta * x0 + np.sqrt(1 - beta) * (1 - a_bar[t_prev]) * x
            mean = mean / (1 - a_bar[t])
            var = beta * (1 - a_bar[t_prev]) / (1 - a_bar[t])
            x = mean + (np.sqrt(var) * rng.standard_normal(x.shape) if t_prev > 0 else 0.0)
        x = x.astype("float32")
    return x0


class _Denoising(_Generator):
    """What the two diffusion models share: the schedule, the training loop and the sampler."""

    def _set_schedule(self, n_steps, schedule, drop_caption):
        self.n_steps = check_int("n_steps", n_steps, minimum=2)
        self.schedule = check_choice("schedule", schedule, SCHEDULES)
        self.drop_caption = check_probability("drop_caption", drop_caption, allow_one=False)
        self.alpha_bar = noise_schedule(self.n_steps, schedule)

    def _train(self, x0, ids, **settings):
        """Train ``self.denoiser`` on clean ``x0``; ``settings``: steps, batch_size, learning_rate, seed."""
        self.losses_ = _fit_denoiser(
            self.denoiser, x0, ids, self.alpha_bar, drop_caption=self.drop_caption, **settings
        )
        return self

    def _sample(self, captions, n_samples, seed, shape, *, clip, **settings):
        """``(ids, clean)``: one clean estimate per sample, each caption's ``n_samples`` in a row."""
        ids, n_samples, seed = self._generate_args(captions, n_samples, seed)
        rng = np.random.default_rng(seed)
        caption = np.repeat(ids, n_samples, axis=0)
        x = rng.standard_normal((len(caption), *shape)).astype("float32")
        return ids, _denoise(self.denoiser, x, caption, self.alpha_bar, clip=clip, rng=rng, **settings)


class Diffusion(_Denoising):
    """A small conditional denoising diffusion model (Ho et al., 2020) with guidance.

    Training: take a clean image ``x0`` (scaled to [-1, 1]), a random step ``t``, make it
    noisy with :func:`add_noise`, and teach ``denoiser`` to predict the noise (MSE). With
    probability ``drop_caption`` the caption is replaced by an empty one, so the same network
    also learns the *unconditional* noise, which classifier-free guidance needs (Ho and
    Salimans, 2021). Sampling starts from pure noise and removes it step by step
    (:meth:`generate`). Introduced in Chapter 7.
    """

    def __init__(
        self,
        image_shape,
        vectorizer,
        *,
        n_steps: int = 100,
        schedule: str = "cosine",
        channels: int = 32,
        embed_dim: int = 64,
        drop_caption: float = 0.15,
    ):
        super().__init__(image_shape, vectorizer)
        self._set_schedule(n_steps, schedule, drop_caption)
        self.denoiser = diffusion_denoiser(
            self.image_shape,
            self.vocab_size,
            self.max_len,
            self.n_steps,
            channels=channels,
            embed_dim=embed_dim,
        )
        self.model = self.denoiser

    def fit(
        self,
        images,
        captions,
        *,
        steps: int = 1000,
        batch_size: int = 128,
        learning_rate: float = 2e-3,
        seed: int = 0,
    ):
        """Train the denoiser for ``steps`` batches; ``losses_`` holds each step's MSE."""
        images, ids = self._training_data(images, captions)
        settings = dict(steps=steps, batch_size=batch_size, learning_rate=learning_rate, seed=seed)
        return self._train(images * 2.0 - 1.0, ids, **settings)

    def generate(
        self,
        captions,
        *,
        n_samples: int = 1,
        seed: int = 0,
        guidance: float = 2.0,
        sampler: str = "ddim",
        sampling_steps: int = 25,
    ):
        """Draw ``(n_captions, n_samples, *image_shape)`` images by denoising pure noise.

        ``guidance`` is the classifier-free guidance scale ``w >= 0``: the noise estimate is
        ``uncond + w * (cond - uncond)``, so 0 ignores the caption, 1 is the plain
        conditional model, and larger values push harder towards the caption (more
        consistent, less diverse). ``sampler="ddim"`` (Song et al., 2021) takes
        ``sampling_steps`` evenly spaced deterministic steps; ``"ddpm"`` walks all
        ``n_steps`` steps, adding fresh noise at each.
        """
        settings = dict(guidance=guidance, sampler=sampler, sampling_steps=sampling_steps)
        ids, x0 = self._sample(captions, n_samples, seed, self.image_shape, clip=1.0, **settings)
        images = np.clip((x0 + 1) / 2, 0, 1).astype("float32")
        return images.reshape(len(ids), -1, *self.image_shape)


def latent_denoiser(
    latent_dim: int,
    vocab_size: int,
    max_len: int,
    n_steps: int,
    *,
    hidden: int = 128,
    depth: int = 3,
    embed_dim: int = 64,
):
    """A small Dense network: (noisy latent vector, step, caption) -> the predicted noise.

    The denoiser of :class:`LatentDiffusion`: the noisy vector, sinusoidal features of the
    step ``t`` and the caption's vector go through ``depth`` Dense layers of ``hidden``
    units. Inputs are named as for :func:`diffusion_denoiser`. Introduced in Chapter 7.

    >>> latent_denoiser(4, 20, 6, n_steps=10).output.shape
    (None, 4)
    """
    latent_dim = check_int("latent_dim", latent_dim, minimum=1)
    n_steps = check_int("n_steps", n_steps, minimum=2)
    hidden = check_int("hidden", hidden, minimum=1)
    depth = check_int("depth", depth, minimum=1)
    noisy = keras.Input(shape=(latent_dim,), name="noisy")
    t = keras.Input(shape=(), dtype="int32", name="t")
    ids = keras.Input(shape=(max_len,), dtype="int32", name="caption")
    text = caption_encoder(vocab_size, max_len, embed_dim=embed_dim)
    step = layers.Lambda(lambda s: _time_features(s, n_steps), output_shape=(16,), name="step_features")(t)
    x = layers.Concatenate()([noisy, step, text(ids)])
    for _ in range(depth):
        x = layers.Dense(hidden, activation="swish")(x)
    out = layers.Dense(latent_dim, name="noise")(x)
    return keras.Model({"noisy": noisy, "t": t, "caption": ids}, out, name="latent_denoiser")


class LatentDiffusion(_Denoising):
    """Diffusion in the latent space of a trained :class:`ConditionalVAE` (latent diffusion).

    The recipe of Stable Diffusion (Rombach et al., 2022) at the size of this book: the
    autoencoder's encoder turns each training image (with its caption) into the mean of its
    code ``z``; a :func:`latent_denoiser` learns to remove noise from those codes, caption in
    hand (with the caption sometimes blanked, for classifier-free guidance); to draw, it
    denoises pure noise into a code and the autoencoder's decoder paints it. The codes are
    divided by their spread (``scale_``) so that they match the unit noise. Introduced in
    Chapter 7.
    """

    def __init__(
        self,
        autoencoder,
        *,
        n_steps: int = 100,
        schedule: str = "cosine",
        hidden: int = 128,
        depth: int = 3,
        embed_dim: int = 64,
        drop_caption: float = 0.15,
    ):
        if not isinstance(autoencoder, ConditionalVAE):
            raise TypeError(f"autoencoder must be a ConditionalVAE, got {type(autoencoder).__name__}")
        if not hasattr(autoencoder, "losses_"):
            raise ValueError("autoencoder must be trained first: call its fit(images, captions)")
        super().__init__(autoencoder.image_shape, autoencoder.vectorizer)
        self.autoencoder = autoencoder
        self._set_schedule(n_steps, schedule, drop_caption)
        self.denoiser = latent_denoiser(
            autoencoder.latent_dim,
            self.vocab_size,
            self.max_len,
            self.n_steps,
            hidden=hidden,
            depth=depth,
            embed_dim=embed_dim,
        )
        self.model = self.denoiser

    def encode(self, images, captions) -> np.ndarray:
        """The autoencoder's code (the mean of ``q(z | image, caption)``) of each image."""
        images, ids = self._training_data(images, captions)
        return _predict(self.autoencoder.encoder, {"image": images, "caption": ids})[0]

    def fit(
        self,
        images,
        captions,
        *,
        steps: int = 2000,
        batch_size: int = 128,
        learning_rate: float = 2e-3,
        seed: int = 0,
    ):
        """Encode the images, then train the denoiser on their codes for ``steps`` batches.

        ``losses_`` holds each step's MSE; ``scale_`` the codes' spread, and ``limit_`` the
        largest scaled code, which bounds the clean estimates while sampling.
        """
        codes = self.encode(images, captions)
        ids = _caption_ids(self.vectorizer, captions)
        self.scale_ = float(np.sqrt(np.mean(codes**2)))
        self.limit_ = float(np.abs(codes).max() / self.scale_)
        settings = dict(steps=steps, batch_size=batch_size, learning_rate=learning_rate, seed=seed)
        return self._train(codes / self.scale_, ids, **settings)

    def generate(
        self,
        captions,
        *,
        n_samples: int = 1,
        seed: int = 0,
        guidance: float = 1.0,
        sampler: str = "ddim",
        sampling_steps: int = 25,
    ):
        """Draw ``(n_captions, n_samples, *image_shape)`` images: denoise codes, then decode.

        ``guidance``, ``sampler`` and ``sampling_steps`` as in :meth:`Diffusion.generate`.
        """
        if not hasattr(self, "losses_"):
            raise ValueError("LatentDiffusion must be trained first: call fit(images, captions)")
        settings = dict(guidance=guidance, sampler=sampler, sampling_steps=sampling_steps)
        shape = (self.autoencoder.latent_dim,)
        ids, z = self._sample(captions, n_samples, seed, shape, clip=self.limit_, **settings)
        caption = np.repeat(ids, len(z) // len(ids), axis=0)
        z = (z * self.scale_).astype("float32")
        images = _predict(self.autoencoder.decoder, {"z": z, "caption": caption})
        return images.reshape(len(ids), -1, *self.image_shape)


# --- the judge -------------------------------------------------------------------


def attribute_judge(image_shape, classes: dict, *, features: int = 64, filters=(32, 64)):
    """An attribute classifier for real images: one softmax head per attribute.

    Each entry of ``filters`` adds a 3x3 convolution and a 2x2 max-pooling (which halves the
    height and width); then ``Flatten`` (so *where* the object is survives), a Dense layer
    named ``"features"`` whose output :func:`judge_features` reads for the Fréchet distance,
    and one softmax output per entry of ``classes`` (``{attribute: number of classes}``),
    named after it. Train it on real images only: a judge that has seen generated images
    learns their flaws. Introduced in Chapter 7.

    >>> judge = attribute_judge((16, 16, 3), {"colour": 4, "size": 2})
    >>> sorted(judge.output)
    ['colour', 'size']
    """
    image_shape = _check_image_shape(image_shape)
    if not isinstance(classes, dict) or not classes:
        raise TypeError(f"classes must be a non-empty dict {{attribute: number of classes}}, got {classes!r}")
    classes = {str(a): check_int(f"classes[{a!r}]", k, minimum=2) for a, k in classes.items()}
    features = check_int("features", features, minimum=1)
    filters = tuple(check_int("filters", f, minimum=1) for f in filters)
    if min(image_shape[:2]) < 2 ** len(filters):
        raise ValueError(f"image_shape {image_shape} is too small for {len(filters)} halvings")
    x = image = keras.Input(shape=image_shape, name="image")
    for f in filters:
        x = layers.Conv2D(f, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Dense(features, activation="relu", name="features")(layers.Flatten()(x))
    heads = {a: layers.Dense(k, activation="softmax", name=a)(x) for a, k in classes.items()}
    return keras.Model(image, heads, name="judge")


def _judge_images(judge, images):
    if not isinstance(judge, keras.Model):
        raise TypeError(f"judge must be a keras.Model (attribute_judge), got {type(judge).__name__}")
    shape = tuple(judge.inputs[0].shape[1:])
    images = check_array("images", images, kind="float", low=0.0, high=1.0)
    if images.ndim == len(shape) + 2:  # (n_captions, n_samples, ...): one row per image
        images = images.reshape(-1, *images.shape[2:])
    if images.shape[1:] != shape:
        raise ValueError(
            f"images must have shape (n, {', '.join(map(str, shape))}) for this judge, got {images.shape}"
        )
    return images.astype("float32", copy=False)


def judge_attributes(judge, images) -> pd.DataFrame:
    """What ``judge`` sees in each image: a DataFrame of class codes, one column per attribute.

    ``images`` is ``(n, *image_shape)`` or the ``(n_captions, n_samples, *image_shape)``
    array of a generator (flattened caption by caption). Introduced in Chapter 7.
    """
    images = _judge_images(judge, images)
    probs = _predict(judge, images)
    return pd.DataFrame({a: np.argmax(p, axis=1) for a, p in probs.items()})


def judge_features(judge, images) -> np.ndarray:
    """The judge's penultimate layer (``"features"``) for each image: ``(n, features)``."""
    images = _judge_images(judge, images)
    reader = keras.Model(judge.inputs[0], judge.get_layer("features").output)
    return _predict(reader, images).astype(np.float64)


def conditional_mean(images, attributes, stated) -> np.ndarray:
    """For each caption, the mean of the real ``images`` that fit everything it states.

    ``attributes`` holds each image's true class codes ``(n_images, k)``; ``stated`` holds
    each caption's codes ``(n_captions, k)`` with ``-1`` where the caption is silent. This
    is the image that minimises the expected squared error given the caption, the target a
    regression model trained with MSE converges to. Introduced in Chapter 7.

    >>> imgs = np.array([[[[0.0]]], [[[1.0]]]])
    >>> conditional_mean(imgs, [[0], [1]], [[-1], [1]]).ravel().tolist()
    [0.5, 1.0]
    """
    images = check_array("images", images, kind="float", ndim=4)
    attributes = check_array("attributes", attributes, kind="integer", ndim=2)
    stated = check_array("stated", stated, kind="integer", ndim=2)
    if len(attributes) != len(images):
        raise ValueError(
            f"attributes must have one row per image: {len(attributes)} rows for {len(images)} images"
        )
    if stated.shape[1] != attributes.shape[1]:
        raise ValueError(
            f"stated and attributes must have the same columns, got {stated.shape[1]} and "
            f"{attributes.shape[1]}"
        )
    fits = np.all((stated[:, None, :] == attributes[None, :, :]) | (stated[:, None, :] < 0), axis=2)
    counts = fits.sum(axis=1)
    if np.any(counts == 0):
        raise ValueError(f"no image fits caption {int(np.argmin(counts))}: give more real images")
    flat = images.reshape(len(images), -1)
    return ((fits / counts[:, None]) @ flat).reshape(len(stated), *images.shape[1:]).astype("float32")
