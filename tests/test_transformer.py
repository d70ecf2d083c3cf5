"""Tests of mmteach.transformer: shapes, the rules each block promises, and refusals."""

import keras
import numpy as np
import pytest

from mmteach import transformer

RNG = np.random.default_rng(0)


def floats(*shape):
    return RNG.normal(size=shape).astype("float32")


# --- causal_mask -----------------------------------------------------------------------


def test_causal_mask_is_the_lower_triangle():
    mask = transformer.causal_mask(4)
    assert mask.dtype == bool and mask.shape == (4, 4)
    for i in range(4):
        for j in range(4):
            assert mask[i, j] == (j <= i)


@pytest.mark.parametrize("bad, error", [(0, ValueError), (2.0, TypeError), (True, TypeError)])
def test_causal_mask_refuses_bad_n(bad, error):
    with pytest.raises(error, match="n must be an integer"):
        transformer.causal_mask(bad)


# --- PatchEmbedding --------------------------------------------------------------------


def test_patches_are_read_row_by_row():
    layer = transformer.PatchEmbedding(patch_size=2, dim=3)
    images = np.zeros((1, 4, 6, 1), "float32")
    images[0, 2:4, 4:6, 0] = 1.0  # the last patch: row 1, column 2 of a 2 x 3 grid
    out = np.asarray(layer(images))
    assert out.shape == (1, 6, 3)
    position = np.asarray(layer.position)
    moved = np.abs(out[0] - position - np.asarray(layer.project.bias)).sum(axis=1)
    assert np.flatnonzero(moved > 1e-6).tolist() == [5]


def test_patch_embedding_learns_positions():
    layer = transformer.PatchEmbedding(patch_size=4, dim=8)
    out = np.asarray(layer(np.zeros((2, 8, 8, 3), "float32")))
    assert out.shape == (2, 4, 8)
    assert not np.allclose(out[0, 0], out[0, 1])  # same pixels, different places
    assert layer.count_params() == 4 * 4 * 3 * 8 + 8 + 4 * 8


def test_patch_embedding_refuses_bad_input():
    with pytest.raises(ValueError, match="multiples of patch_size=5"):
        transformer.PatchEmbedding(5, 8)(np.zeros((1, 32, 32, 3), "float32"))
    with pytest.raises(ValueError, match=r"\(batch, height, width, channels\)"):
        transformer.PatchEmbedding(4, 8)(np.zeros((1, 32, 32), "float32"))
    with pytest.raises(ValueError, match="patch_size must be an integer >= 1"):
        transformer.PatchEmbedding(0, 8)
    with pytest.raises(TypeError, match="dim must be an integer"):
        transformer.PatchEmbedding(4, "8")


# --- TokenEmbedding --------------------------------------------------------------------


def test_token_embedding_adds_positions_from_the_first_token():
    layer = transformer.TokenEmbedding(vocab_size=5, dim=4, max_len=6)
    out = np.asarray(layer(np.array([[2, 2, 3]], "int32")))
    assert out.shape == (1, 3, 4)
    token = np.asarray(layer.token.embeddings)
    position = np.asarray(layer.position.embeddings)
    assert np.allclose(out[0, 0], token[2] + position[0])
    assert np.allclose(out[0, 2], token[3] + position[2])
    short = np.asarray(layer(np.array([[2]], "int32")))
    assert np.allclose(short[0, 0], out[0, 0])  # position 0 whatever the length


def test_token_embedding_refuses_bad_input():
    layer = transformer.TokenEmbedding(vocab_size=5, dim=4, max_len=3)
    with pytest.raises(ValueError, match="4 positions but max_len=3"):
        layer(keras.Input((4,), dtype="int32"))
    with pytest.raises(TypeError, match="token ids must be integers, got dtype float32"):
        transformer.TokenEmbedding(5, 4, 3)(np.zeros((1, 3), "float32"))
    with pytest.raises(ValueError, match=r"\(batch, length\)"):
        transformer.TokenEmbedding(5, 4, 3)(np.zeros((1, 3, 2), "int32"))
    with pytest.raises(ValueError, match="vocab_size must be an integer >= 2"):
        transformer.TokenEmbedding(1, 4, 3)


# --- TransformerBlock ------------------------------------------------------------------


def test_block_keeps_the_shape_and_counts_its_weights():
    block = transformer.TransformerBlock(dim=8, heads=2, mlp_dim=16)
    assert tuple(block(floats(3, 5, 8)).shape) == (3, 5, 8)
    d, m = 8, 16
    assert block.count_params() == 4 * d * d + 4 * d + 4 * d + d * m + m + m * d + d


def test_block_is_pre_norm_with_residuals():
    block = transformer.TransformerBlock(dim=4, heads=1, mlp_dim=8)
    x = floats(2, 3, 4)
    block(x)
    h = block.norm1(x)
    x1 = x + np.asarray(block.attention(h, h))
    want = x1 + np.asarray(block.mlp(block.norm2(x1)))
    assert np.allclose(block(x), want, atol=1e-5)


def test_causal_block_never_looks_ahead():
    causal = transformer.TransformerBlock(8, 2, causal=True)
    plain = transformer.TransformerBlock(8, 2)
    x = floats(1, 6, 8)
    later_changed = x.copy()
    later_changed[:, 4:] = floats(1, 2, 8)
    assert np.allclose(causal(x)[:, :4], causal(later_changed)[:, :4], atol=1e-5)
    assert not np.allclose(causal(x)[:, 4:], causal(later_changed)[:, 4:])
    assert not np.allclose(plain(x)[:, :4], plain(later_changed)[:, :4])


@pytest.mark.parametrize("dim, heads", [(64, 2), (64, 8), (4, 2), (2, 2)])
def test_attention_maps_start_as_glorot_dense_maps_in_any_keras(dim, heads):
    # Glorot-uniform for a dim x dim map has spread sqrt(1 / dim) and bound sqrt(3 / dim).
    # Keras 3.13 (Colab's) draws the query, key and value kernels of MultiHeadAttention
    # several times smaller (it takes the 3-d kernels for convolutions); ours must not.
    keras.utils.set_random_seed(0)
    block = transformer.TransformerBlock(dim, heads)
    block(floats(1, 3, dim))
    xattn = transformer.GatedCrossAttention(dim, heads)
    xattn(floats(1, 2, dim), floats(1, 5, 3 * dim))  # image tokens of another width
    head_dim = dim // heads
    for layer, image_dim in ((block.attention, dim), (xattn.attention, 3 * dim)):
        for part, fan_in in (("query", dim), ("key", image_dim), ("value", image_dim)):
            kernel = np.asarray(getattr(layer, f"_{part}_dense").kernel)
            assert kernel.shape == (fan_in, heads, head_dim)
            bound = np.sqrt(6 / (fan_in + dim))
            assert np.abs(kernel).max() <= bound
            if dim == 64:  # enough weights for the spread to show
                assert abs(kernel.std() / (bound / np.sqrt(3)) - 1) < 0.1, part
        out = np.asarray(layer._output_dense.kernel)
        assert out.shape == (heads, head_dim, dim)
        assert np.abs(out).max() <= np.sqrt(3 / dim)
        if dim == 64:
            assert abs(out.std() * np.sqrt(dim) - 1) < 0.1


def test_block_refuses_bad_input():
    with pytest.raises(ValueError, match="dim must be divisible by heads"):
        transformer.TransformerBlock(10, 3)
    with pytest.raises(ValueError, match="dim=8 numbers each"):
        transformer.TransformerBlock(8, 2)(floats(1, 3, 6))
    with pytest.raises(ValueError, match=r"\(batch, tokens, dim\)"):
        transformer.TransformerBlock(8, 2)(floats(3, 8))
    with pytest.raises(TypeError, match="causal must be True or False"):
        transformer.TransformerBlock(8, 2, causal=1)
    with pytest.raises(ValueError, match="dropout must be < 1.0"):
        transformer.TransformerBlock(8, 2, dropout=1.0)


# --- GatedCrossAttention ---------------------------------------------------------------


def test_gated_cross_attention_starts_as_the_identity_then_opens():
    layer = transformer.GatedCrossAttention(dim=8, heads=2)
    text, image = floats(2, 3, 8), floats(2, 5, 6)
    assert np.array_equal(layer(text, image), text)
    assert layer.gates == {"attention": 0.0, "mlp": 0.0}
    layer.attention_gate.assign(0.5)
    out = np.asarray(layer(text, image))
    assert out.shape == text.shape and not np.allclose(out, text)
    assert layer.gates["attention"] == pytest.approx(np.tanh(0.5))
    # the text queries the image: changing the image changes the output
    assert not np.allclose(layer(text, image + 1.0), out)


def test_gated_cross_attention_gates_learn():
    text = keras.Input((3, 8))
    image = keras.Input((4, 8))
    out = transformer.GatedCrossAttention(8, 2, name="xattn")(text, image)
    model = keras.Model([text, image], keras.layers.GlobalAveragePooling1D()(out))
    model.compile(keras.optimizers.Adam(0.05), "mse")
    x = [floats(64, 3, 8), floats(64, 4, 8)]
    target = x[1].mean(axis=(1,))  # only the image tells it
    model.fit(x, target, epochs=5, batch_size=32, verbose=0)
    assert abs(model.get_layer("xattn").gates["attention"]) > 0.05


def test_gated_cross_attention_refuses_bad_input():
    layer = transformer.GatedCrossAttention(8, 2)
    with pytest.raises(ValueError, match="needs two inputs"):
        layer.build((1, 3, 8))
    with pytest.raises(ValueError, match="text must have dim=8"):
        transformer.GatedCrossAttention(8, 2)(floats(1, 3, 6), floats(1, 4, 8))
    with pytest.raises(ValueError, match=r"image must have shape \(batch, n_image, image_dim\)"):
        transformer.GatedCrossAttention(8, 2)(floats(1, 3, 8), floats(4, 8))
    with pytest.raises(ValueError, match="no gates yet"):
        _ = transformer.GatedCrossAttention(8, 2).gates


# --- projector -------------------------------------------------------------------------


def test_projector_makes_visual_tokens():
    two_layer = transformer.projector(input_dim=6, n_tokens=4, dim=5, hidden=7)
    assert two_layer.output.shape == (None, 4, 5)
    assert two_layer.count_params() == 6 * 7 + 7 + 7 * 20 + 20
    linear = transformer.projector(input_dim=6, n_tokens=4, dim=5, hidden=None)
    assert linear.count_params() == 6 * 20 + 20
    out = np.asarray(linear(floats(3, 6)))
    assert out.shape == (3, 4, 5)
    same = transformer.projector(6, 4, 5, seed=1), transformer.projector(6, 4, 5, seed=1)
    x = floats(2, 6)
    assert np.allclose(same[0](x), same[1](x))


def test_projector_refuses_bad_input():
    with pytest.raises(ValueError, match="n_tokens must be an integer >= 1"):
        transformer.projector(6, 0, 5)
    with pytest.raises(TypeError, match="hidden must be an integer"):
        transformer.projector(6, 2, 5, hidden=2.5)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        transformer.projector(6, 2, 5, seed=-1)


def test_blocks_serialise():
    for layer in (
        transformer.TransformerBlock(8, 2, 12, causal=True),
        transformer.GatedCrossAttention(8, 4),
        transformer.PatchEmbedding(4, 8),
        transformer.TokenEmbedding(9, 8, 5),
    ):
        config = layer.get_config()
        clone = type(layer).from_config(config)
        assert clone.get_config() == config
