"""mmteach.generation: the generators, the judge, the conditional mean, and their input checks."""

import math

import keras
import numpy as np
import pytest

from mmteach import generation
from mmteach.preprocessing import CaptionVectorizer

SHAPE = (8, 8, 3)
CAPTIONS = ["a red circle in the top left", "a blue square", "a big red square", "a blue circle"] * 16


@pytest.fixture(scope="module")
def vec():
    return CaptionVectorizer(max_len=8).fit(CAPTIONS)


def _images(n=None, seed=0):
    """Red captions get bright images, blue ones dark: a link a generator can learn."""
    n = len(CAPTIONS) if n is None else n
    rng = np.random.default_rng(seed)
    red = np.array(["red" in c for c in CAPTIONS])[:n]
    base = np.where(red, 0.8, 0.2)[:, None, None, None]
    return np.clip(base + 0.05 * rng.standard_normal((n, *SHAPE)), 0, 1).astype("float32")


# --- building blocks ----------------------------------------------------------------------


def test_downsample_averages_blocks():
    x = np.arange(2 * 4 * 4 * 3, dtype="float32").reshape(2, 4, 4, 3)
    out = generation.downsample(x, 2)
    assert out.shape == (2, 2, 2, 3)
    assert np.allclose(out[0, 0, 0], x[0, :2, :2].mean(axis=(0, 1)))
    with pytest.raises(ValueError, match="divide"):
        generation.downsample(x, 3)


def test_caption_encoder_and_regression_decoder_shapes():
    assert generation.caption_encoder(30, 8, embed_dim=5).output.shape == (None, 5)
    model = generation.regression_decoder(SHAPE, 30, 8, hidden=16)
    out = np.asarray(model(np.zeros((3, 8), "int32")))
    assert out.shape == (3, *SHAPE) and out.min() >= 0 and out.max() <= 1
    with pytest.raises(ValueError, match="ONE image"):
        generation.regression_decoder((8, 8), 30, 8)
    with pytest.raises(ValueError, match="vocab_size"):
        generation.caption_encoder(1, 8)


def test_conditional_mean_by_hand():
    rng = np.random.default_rng(1)
    images = rng.random((50, 2, 2, 1))
    attributes = rng.integers(0, 3, (50, 2))
    stated = np.array([[1, -1], [-1, -1], [2, 0]])
    out = generation.conditional_mean(images, attributes, stated)
    assert np.allclose(out[0], images[attributes[:, 0] == 1].mean(axis=0))
    assert np.allclose(out[1], images.mean(axis=0))
    both = (attributes[:, 0] == 2) & (attributes[:, 1] == 0)
    assert np.allclose(out[2], images[both].mean(axis=0))
    with pytest.raises(ValueError, match="no image fits"):
        generation.conditional_mean(images, attributes, [[7, -1]])
    with pytest.raises(ValueError, match="one row per image"):
        generation.conditional_mean(images, attributes[:10], stated)


# --- the generators -----------------------------------------------------------------------


def test_regression_generator_learns_and_has_one_answer(vec):
    keras.utils.set_random_seed(0)
    gen = generation.RegressionGenerator(SHAPE, vec, hidden=32).fit(
        _images(), CAPTIONS, steps=60, batch_size=16
    )
    assert gen.losses_.shape == (60,) and gen.losses_[-10:].mean() < gen.losses_[:5].mean()
    out = gen.generate(["a red circle", "a blue square"], n_samples=3)
    assert out.shape == (2, 3, *SHAPE)
    assert np.array_equal(out[:, 0], out[:, 2])  # deterministic: the same image every time
    assert out[0].mean() > out[1].mean() + 0.2  # red is bright, blue dark, as in training


def test_fit_steps_logs_each_step_loss():
    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).random((64, 3)).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss="mse")  # nothing moves
    losses = generation.fit_steps(model, x, x[:, :1] * 0 + 1.0, steps=8, batch_size=16)
    direct = float(np.mean((model.predict(x, verbose=0) - 1.0) ** 2))
    assert losses.shape == (8,) and np.all(losses > 0)
    assert math.isclose(losses.mean(), direct, rel_tol=0.3)
    with pytest.raises(ValueError, match="compiled"):
        generation.fit_steps(keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)]), x, x, steps=1)
    with pytest.raises(ValueError, match="same number of rows"):
        generation.fit_steps(model, x, x[:10], steps=1, batch_size=8)
    with pytest.raises(ValueError, match="larger than"):
        generation.fit_steps(model, x, x, steps=1, batch_size=100)


def test_reparameterize_adds_the_kl_and_lets_the_gradient_through():
    import tensorflow as tf

    layer = generation.Reparameterize(beta=2.0, seed=0)
    mean = tf.Variable(np.full((4000, 2), 1.0, "float32"))
    log_var = tf.Variable(np.full((4000, 2), np.log(0.25), "float32"))
    with tf.GradientTape() as tape:
        z = layer([mean, log_var])
        total = tf.reduce_sum(z)
    g_mean, g_log_var = tape.gradient(total, [mean, log_var])
    assert np.allclose(g_mean, 1.0) and np.abs(np.asarray(g_log_var)).sum() > 0
    assert abs(float(np.std(z)) - 0.5) < 0.03 and abs(float(np.mean(z)) - 1.0) < 0.03
    kl_one = 0.5 * (0.25 + 1.0 - 1.0 - np.log(0.25))  # per latent axis
    assert math.isclose(float(layer.losses[-1]), 2.0 * 2 * kl_one, rel_tol=1e-5)


def test_conditional_vae_trains_and_samples_vary(vec):
    keras.utils.set_random_seed(0)
    cvae = generation.ConditionalVAE(SHAPE, vec, latent_dim=2, hidden=32, beta=1.0)
    assert sorted(cvae.model.input) == ["caption", "image"]
    cvae.fit(_images(), CAPTIONS, steps=60, batch_size=16, learning_rate=3e-3)
    assert cvae.losses_[-10:].mean() < cvae.losses_[:5].mean()
    out = cvae.generate(["a red circle", "a blue square"], n_samples=4, seed=3)
    assert out.shape == (2, 4, *SHAPE) and 0 <= out.min() and out.max() <= 1
    assert not np.allclose(out[0, 0], out[0, 1])  # different z, different image
    assert np.array_equal(out, cvae.generate(["a red circle", "a blue square"], n_samples=4, seed=3))
    frozen = cvae.generate(["a red circle"], n_samples=3, temperature=0.0)
    assert np.allclose(frozen[0, 0], frozen[0, 2])


def test_reparameterize_kl_from_a_caption_prior():
    layer = generation.Reparameterize(beta=1.0, seed=0)
    mean, log_var = np.full((3, 2), 1.0, "float32"), np.full((3, 2), np.log(0.25), "float32")
    p_mean, p_log_var = np.full((3, 2), 0.5, "float32"), np.full((3, 2), np.log(4.0), "float32")
    layer([mean, log_var, p_mean, p_log_var])
    # KL(N(1, 0.25) || N(0.5, 4)) per axis, by the textbook formula
    kl_one = np.log(2.0 / 0.5) + (0.25 + 0.5**2) / (2 * 4.0) - 0.5
    assert math.isclose(float(layer.losses[-1]), 2 * kl_one, rel_tol=1e-5)
    layer([mean, log_var, np.zeros_like(mean), np.zeros_like(log_var)])
    standard = generation.Reparameterize(beta=1.0, seed=0)
    standard([mean, log_var])  # a zero-mean unit prior is N(0, I)
    assert math.isclose(float(layer.losses[-1]), float(standard.losses[-1]), rel_tol=1e-5)
    with pytest.raises(ValueError, match="mean, log_var"):
        layer([mean, log_var, p_mean])


def test_conditional_vae_with_caption_prior_and_mask(vec):
    keras.utils.set_random_seed(0)
    cvae = generation.ConditionalVAE(
        SHAPE, vec, latent_dim=2, hidden=32, beta=1.0, prior="caption", draw="mask", caption_every_layer=True
    )
    assert cvae.prior is not None and sorted(cvae.model.input) == ["caption", "image"]
    cvae.fit(_images(), CAPTIONS, steps=80, batch_size=16, learning_rate=3e-3)
    assert cvae.losses_[-10:].mean() < cvae.losses_[:5].mean()
    mean, log_var = cvae.prior_parameters(["a red circle", "a blue square"])
    assert mean.shape == log_var.shape == (2, 2)
    direct = cvae.prior(vec.transform(["a red circle", "a blue square"]))
    assert np.allclose(mean, np.asarray(direct[0]), atol=1e-6)
    out = cvae.generate(["a red circle", "a blue square"], n_samples=4, seed=3)
    assert out.shape == (2, 4, *SHAPE) and 0 <= out.min() and out.max() <= 1
    assert out[0].mean() > out[1].mean() + 0.2  # red is bright, blue dark, as in training
    # a mask painted in one colour: every pixel lies between the background and the colour,
    # so the image has at most one colour direction (rank one around the background)
    centred = out[0, 0].reshape(-1, 3) - out[0, 0].reshape(-1, 3)[0]
    assert np.linalg.matrix_rank(centred, tol=1e-4) <= 1
    # at temperature 0 every sample is the decoded prior mean
    frozen = cvae.generate(["a red circle"], n_samples=2, temperature=0.0)
    by_hand = cvae.decoder({"z": mean[:1], "caption": vec.transform(["a red circle"])})
    assert np.allclose(frozen[0, 0], np.asarray(by_hand)[0], atol=1e-5)
    standard = generation.ConditionalVAE(SHAPE, vec, latent_dim=3, hidden=8)
    assert standard.prior is None
    zeros = standard.prior_parameters(["a red circle"])
    assert np.all(zeros[0] == 0) and np.all(zeros[1] == 0)


def test_conditional_vae_refuses_bad_options(vec):
    with pytest.raises(ValueError, match=r"prior must be one of \('standard', 'caption', 'mixture'\)"):
        generation.ConditionalVAE(SHAPE, vec, prior="gaussian")
    with pytest.raises(ValueError, match="draw must be one of"):
        generation.ConditionalVAE(SHAPE, vec, draw="conv")
    with pytest.raises(TypeError, match="caption_every_layer must be True or False"):
        generation.ConditionalVAE(SHAPE, vec, caption_every_layer="yes")
    cvae = generation.ConditionalVAE(SHAPE, vec, hidden=8, prior="caption")
    with pytest.raises(ValueError, match="temperature must be >= 0"):
        cvae.generate(["a red circle"], temperature=-0.5)
    with pytest.raises(TypeError, match="one string"):
        cvae.prior_parameters("a red circle")
    with pytest.raises(ValueError, match="components must be an integer >= 1"):
        generation.ConditionalVAE(SHAPE, vec, prior="mixture", components=0)
    with pytest.raises(ValueError, match="n_draws must be an integer >= 1"):
        cvae.kl_divergence(_images(2), CAPTIONS[:2], n_draws=0)


def test_mixture_reparameterize_estimates_the_kl():
    import tensorflow as tf

    rng = np.random.default_rng(0)
    n, d = 20000, 2
    mean = rng.normal(size=(n, d)).astype("float32")
    log_var = np.full((n, d), np.log(0.5), "float32")
    p_mean, p_log_var = np.full((n, d), 0.3, "float32"), np.full((n, d), np.log(2.0), "float32")
    gaussian = generation.Reparameterize(beta=1.5, seed=0)
    gaussian([mean, log_var, p_mean, p_log_var])
    # one component, or two identical ones: the mixture is that Gaussian, and the Monte
    # Carlo estimate of the KL averages to the exact value
    for k in (1, 2):
        layer = generation.MixtureReparameterize(beta=1.5, seed=0)
        z = layer([mean, log_var, np.zeros((n, k), "float32"), np.repeat(p_mean[:, None], k, 1),
                   np.repeat(p_log_var[:, None], k, 1)])
        assert z.shape == (n, d)
        assert math.isclose(float(layer.losses[-1]), float(gaussian.losses[-1]), rel_tol=0.02)
    # the gradient reaches the encoder's and the prior's parameters
    variables = [tf.Variable(a) for a in (mean[:8], log_var[:8], np.zeros((8, 3), "float32"),
                                          rng.normal(size=(8, 3, d)).astype("float32"),
                                          np.zeros((8, 3, d), "float32"))]
    layer = generation.MixtureReparameterize(beta=1.0, seed=0)
    with tf.GradientTape() as tape:
        z = layer(variables)
        total = tf.reduce_sum(z) + layer.losses[-1]
    assert all(np.abs(np.asarray(g)).sum() > 0 for g in tape.gradient(total, variables))


def test_conditional_vae_with_a_mixture_prior(vec):
    keras.utils.set_random_seed(0)
    cvae = generation.ConditionalVAE(
        SHAPE, vec, latent_dim=2, hidden=32, beta=1.0, prior="mixture", components=3, draw="mask"
    )
    cvae.fit(_images(), CAPTIONS, steps=80, batch_size=16, learning_rate=3e-3)
    assert cvae.losses_[-10:].mean() < cvae.losses_[:5].mean()
    weights, means, log_vars = cvae.prior_parameters(["a red circle", "a blue square"])
    assert weights.shape == (2, 3) and means.shape == log_vars.shape == (2, 3, 2)
    assert np.allclose(weights.sum(axis=1), 1.0, atol=1e-5) and weights.min() >= 0
    out = cvae.generate(["a red circle", "a blue square"], n_samples=6, seed=3)
    assert out.shape == (2, 6, *SHAPE) and out[0].mean() > out[1].mean() + 0.2
    assert np.array_equal(out, cvae.generate(["a red circle", "a blue square"], n_samples=6, seed=3))
    # at temperature 0 each draw is the mean of the component it picked
    z = cvae.sample_prior(["a red circle"], n_samples=50, temperature=0.0)
    centres = means[0]
    assert np.allclose(np.min(np.abs(z[:, None] - centres[None]).sum(-1), axis=1), 0, atol=1e-5)
    # components are picked by weight
    picked = np.argmin(np.abs(z[:, None] - centres[None]).sum(-1), axis=1)
    big = int(np.argmax(weights[0]))
    assert np.mean(picked == big) >= weights[0, big] - 0.2


def test_kl_divergence_per_image(vec):
    keras.utils.set_random_seed(0)
    images, captions = _images(6), CAPTIONS[:6]
    gaussian = generation.ConditionalVAE(SHAPE, vec, latent_dim=2, hidden=16, prior="caption")
    kl = gaussian.kl_divergence(images, captions)
    encoded = gaussian.encoder({"image": images, "caption": vec.transform(captions)})
    mean, log_var = (np.asarray(a) for a in encoded)
    p_mean, p_log_var = gaussian.prior_parameters(captions)
    by_hand = [
        sum(
            np.log(np.exp(0.5 * p_log_var[i, j]) / np.exp(0.5 * log_var[i, j]))
            + (np.exp(log_var[i, j]) + (mean[i, j] - p_mean[i, j]) ** 2) / (2 * np.exp(p_log_var[i, j]))
            - 0.5
            for j in range(2)
        )
        for i in range(6)
    ]
    assert kl.shape == (6,) and np.allclose(kl, by_hand, atol=1e-4) and kl.min() >= 0
    mixture = generation.ConditionalVAE(SHAPE, vec, latent_dim=2, hidden=16, prior="mixture")
    estimate = mixture.kl_divergence(images, captions, n_draws=4000)
    assert estimate.shape == (6,) and estimate.min() > -0.05  # a KL is never negative
    again = mixture.kl_divergence(images, captions, n_draws=4000, seed=1)
    assert np.allclose(estimate, again, atol=0.1)  # the Monte Carlo noise is small


# --- diffusion ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["linear", "cosine"])
def test_noise_schedule_decreases_from_one_to_zero(kind):
    a = generation.noise_schedule(100, kind)
    assert a.shape == (100,) and np.all(np.diff(a) < 0)
    assert a[0] > 0.99 and a[-1] < 0.01
    with pytest.raises(ValueError, match="kind"):
        generation.noise_schedule(10, "quadratic")


def test_add_noise_mixes_image_and_noise_by_the_schedule():
    a = generation.noise_schedule(10, "linear")
    x0 = np.full((2000, 2, 2, 1), 0.5, "float32")
    noisy, noise = generation.add_noise(x0, 5, a, seed=1)
    assert np.allclose(noisy, np.sqrt(a[4]) * x0 + np.sqrt(1 - a[4]) * noise, atol=1e-6)
    assert abs(noise.std() - 1) < 0.02
    with pytest.raises(ValueError, match="t must hold"):
        generation.add_noise(x0, 0, a)


def test_diffusion_trains_and_generates(vec):
    keras.utils.set_random_seed(0)
    diff = generation.Diffusion(SHAPE, vec, n_steps=20, channels=8)
    assert sorted(diff.denoiser.input) == ["caption", "noisy", "t"]
    diff.fit(_images(), CAPTIONS, steps=40, batch_size=16)
    assert diff.losses_.shape == (40,) and diff.losses_[-10:].mean() < diff.losses_[:5].mean()
    for sampler in ("ddim", "ddpm"):
        out = diff.generate(["a red circle"], n_samples=2, sampler=sampler, sampling_steps=5, guidance=1.5)
        assert out.shape == (1, 2, *SHAPE) and 0 <= out.min() and out.max() <= 1


@pytest.mark.parametrize("sampler", ["ddim", "ddpm"])
def test_the_sampler_recovers_a_point_mass_from_an_exact_denoiser(sampler):
    # data that is always the vector c: the exact noise in x_t is (x_t - sqrt(a) c) / sqrt(1 - a)
    alpha_bar = generation.noise_schedule(50, "linear")
    c = np.array([0.5, -0.25, 0.75], "float32")

    def exact(inputs):
        a = alpha_bar[inputs["t"] - 1][:, None]
        return (inputs["noisy"] - np.sqrt(a) * c) / np.sqrt(1 - a)

    x = np.random.default_rng(0).standard_normal((6, 3)).astype("float32")
    rng = np.random.default_rng(1)
    out = generation._denoise(
        exact, x, np.ones((6, 2), "int32"), alpha_bar, guidance=1.0, sampler=sampler,
        sampling_steps=10, clip=1.0, rng=rng,
    )
    assert np.allclose(out, c, atol=1e-4)
    # a denoiser gone wild cannot push the clean estimate past the clip
    wild = generation._denoise(
        lambda inputs: 1e6 * np.ones_like(inputs["noisy"]), x, np.ones((6, 2), "int32"), alpha_bar,
        guidance=3.0, sampler=sampler, sampling_steps=10, clip=2.0, rng=rng,
    )
    assert np.abs(wild).max() <= 2.0


def test_latent_diffusion_denoises_the_autoencoders_codes(vec):
    keras.utils.set_random_seed(0)
    cvae = generation.ConditionalVAE(SHAPE, vec, latent_dim=2, hidden=32, prior="mixture", draw="mask")
    with pytest.raises(ValueError, match="autoencoder must be trained first"):
        generation.LatentDiffusion(cvae)
    with pytest.raises(TypeError, match="autoencoder must be a ConditionalVAE, got Diffusion"):
        generation.LatentDiffusion(generation.Diffusion(SHAPE, vec, n_steps=4, channels=2))
    images = _images()
    cvae.fit(images, CAPTIONS, steps=60, batch_size=16, learning_rate=3e-3)
    latent = generation.LatentDiffusion(cvae, n_steps=20, hidden=32, depth=2)
    assert sorted(latent.denoiser.input) == ["caption", "noisy", "t"]
    assert latent.denoiser.output.shape == (None, 2)
    with pytest.raises(ValueError, match="must be trained first"):
        latent.generate(["a red circle"])
    codes = latent.encode(images, CAPTIONS)
    by_hand = cvae.encoder({"image": images[:4], "caption": vec.transform(CAPTIONS[:4])})[0]
    assert codes.shape == (len(images), 2) and np.allclose(codes[:4], np.asarray(by_hand), atol=1e-5)
    latent.fit(images, CAPTIONS, steps=80, batch_size=16)
    assert latent.losses_.shape == (80,) and latent.losses_[-10:].mean() < latent.losses_[:5].mean()
    assert math.isclose(latent.scale_, float(np.sqrt(np.mean(codes**2))), rel_tol=1e-5)
    assert math.isclose(latent.limit_, float(np.abs(codes).max()) / latent.scale_, rel_tol=1e-5)
    for sampler in ("ddim", "ddpm"):
        out = latent.generate(
            ["a red circle", "a blue square"], n_samples=3, seed=2, sampler=sampler, sampling_steps=5
        )
        assert out.shape == (2, 3, *SHAPE) and 0 <= out.min() and out.max() <= 1
        # the CVAE's decoder paints: one colour over a background (rank one around it)
        centred = out[0, 0].reshape(-1, 3) - out[0, 0].reshape(-1, 3)[0]
        assert np.linalg.matrix_rank(centred, tol=1e-4) <= 1
    again = latent.generate(
        ["a red circle", "a blue square"], n_samples=3, seed=2, sampler="ddpm", sampling_steps=5
    )
    assert np.array_equal(out, again)
    unguided = latent.generate(["a red circle"], n_samples=3, seed=2, guidance=0.0, sampling_steps=5)
    guided = latent.generate(["a red circle"], n_samples=3, seed=2, guidance=3.0, sampling_steps=5)
    assert not np.allclose(unguided, guided)
    with pytest.raises(ValueError, match="guidance must be >= 0"):
        latent.generate(["a red circle"], guidance=-1.0)
    with pytest.raises(ValueError, match="sampler must be one of"):
        latent.generate(["a red circle"], sampler="euler")


# --- the judge ------------------------------------------------------------------------------


def test_judge_reads_attributes_and_features():
    keras.utils.set_random_seed(0)
    judge = generation.attribute_judge(SHAPE, {"bright": 2, "other": 3}, features=6, filters=(4,))
    images = _images(20)
    codes = generation.judge_attributes(judge, images)
    assert list(codes.columns) == ["bright", "other"] and len(codes) == 20
    assert generation.judge_features(judge, images).shape == (20, 6)
    stacked = generation.judge_attributes(judge, images.reshape(5, 4, *SHAPE))  # generator layout
    assert stacked.equals(codes)
    with pytest.raises(ValueError, match="for this judge"):
        generation.judge_attributes(judge, np.zeros((2, 16, 16, 3), "float32"))
    with pytest.raises(TypeError, match="classes"):
        generation.attribute_judge(SHAPE, ["shape"])


# --- bad input is refused with a sentence ----------------------------------------------------


def test_bad_input_is_refused(vec):
    gen = generation.RegressionGenerator(SHAPE, vec, hidden=8)
    with pytest.raises(TypeError, match=r"captions\[1\] must be a string"):
        gen.generate(["a red circle", 3])
    with pytest.raises(TypeError, match="one string"):
        gen.generate("a red circle")
    with pytest.raises(ValueError, match="empty string"):
        gen.generate(["a red circle", "  "])
    with pytest.raises(ValueError, match="at least 1 string"):
        gen.generate([])
    with pytest.raises(ValueError, match="n_samples must be an integer >= 1"):
        gen.generate(["a red circle"], n_samples=0)
    with pytest.raises(ValueError, match=r"images must have shape \(n, 8, 8, 3\)"):
        gen.fit(np.zeros((4, 16, 16, 3), "float32"), CAPTIONS[:4], steps=1)
    with pytest.raises(ValueError, match="divide by 255"):
        gen.fit(np.full((4, *SHAPE), 200.0, "float32"), CAPTIONS[:4], steps=1)
    with pytest.raises(ValueError, match="same number of rows"):
        gen.fit(_images(4), CAPTIONS[:5], steps=1)
    diff = generation.Diffusion(SHAPE, vec, n_steps=10, channels=4)
    with pytest.raises(ValueError, match="guidance must be >= 0"):
        diff.generate(["a red circle"], guidance=-1.0)
    with pytest.raises(ValueError, match="sampler"):
        diff.generate(["a red circle"], sampler="euler")
    with pytest.raises(ValueError, match="not fitted"):
        generation.RegressionGenerator(SHAPE, CaptionVectorizer())
    with pytest.raises(TypeError, match="CaptionVectorizer"):
        generation.ConditionalVAE(SHAPE, object())
    with pytest.raises(ValueError, match="beta must be >= 0"):
        generation.ConditionalVAE(SHAPE, vec, beta=-1.0)
