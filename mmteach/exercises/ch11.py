"""The Chapter 11 exercises: their checkers and reference answers."""

from __future__ import annotations

import numpy as np

from mmteach.exercises import Hint, NotAttempted, _is_stub, call, checker, reference  # noqa: F401

# --- ch11-causal-mask ------------------------------------------------------------------


@reference("ch11-causal-mask")
def my_causal_mask(n):
    return np.tril(np.ones((n, n), dtype=bool))


@checker("ch11-causal-mask", "my_causal_mask(n): (n, n) booleans, True where token i may see token j")
def _ch11_causal_mask(fn):
    for n in (4, 7, 1):
        mask = np.asarray(call(fn, n))
        if mask.shape != (n, n):
            raise Hint(
                "one row per query token and one column per key token: shape ({n}, {n}); got {mask_shape}.",
                n=n,
                mask_shape=mask.shape,
            )
        if not np.all(np.isin(mask, (0, 1))):
            raise Hint("the mask holds True (may attend) and False (may not), or 1 and 0.")
        mask = mask.astype(bool)
        want = np.tril(np.ones((n, n), dtype=bool))
        if np.array_equal(mask, want):
            continue
        if np.array_equal(mask, want.T):
            raise Hint(
                "this lets each token see the tokens *after* it: row i is the query, column j the key, "
                "and token i may look at j only when j <= i (a lower triangle)."
            )
        if np.array_equal(mask, np.tril(np.ones((n, n), dtype=bool), -1)):
            raise Hint("a token must be allowed to see itself: keep the diagonal (j <= i, not j < i).")
        if np.array_equal(mask, ~want):
            raise Hint("True means *may attend* in Keras's attention_mask: you marked the forbidden entries.")
        raise Hint("for n={n}, entry [i, j] should be True exactly when j <= i.", n=n)


# --- ch11-cross-attention --------------------------------------------------------------


@reference("ch11-cross-attention")
def look_at_image(attention, text, image):
    return attention(query=text, value=image, key=image)


@checker(
    "ch11-cross-attention",
    "look_at_image(attention, text, image): text tokens gather from image tokens",
)
def _ch11_cross_attention(fn):
    import keras

    rng = np.random.default_rng(0)
    attention = keras.layers.MultiHeadAttention(num_heads=2, key_dim=4)
    text = rng.normal(size=(2, 3, 8)).astype("float32")
    image = rng.normal(size=(2, 5, 8)).astype("float32")
    want = np.asarray(attention(query=text, value=image, key=image))
    try:
        out = call(fn, attention, text, image)
    except (NotAttempted, Hint):
        raise
    except Exception as err:  # keys and values of different lengths fail inside Keras
        raise Hint(
            "the call failed ({error_type}): the keys and the values must come from the same "
            "tokens -- the image's -- and the queries from the text.",
            error_type=type(err).__name__,
        ) from None
    out = np.asarray(out)
    if out.shape == (2, 5, 8):
        raise Hint(
            "the output has one vector per image patch (2, 5, 8), not one per word (2, 3, 8): the "
            "queries and the keys are swapped. The text asks (query=text); the image answers "
            "(key=image, value=image)."
        )
    if out.shape != (2, 3, 8):
        raise Hint(
            "expected one vector per text token, shape (2, 3, 8); got {out_shape}.", out_shape=out.shape
        )
    if np.allclose(out, np.asarray(attention(query=text, value=text, key=text)), atol=1e-5):
        raise Hint("this is self-attention over the text: the keys and values must be the image tokens.")
    if not np.allclose(out, want, atol=1e-5):
        raise Hint("use the attention layer once: attention(query=text, value=image, key=image).")


# --- ch11-block-params -----------------------------------------------------------------


@reference("ch11-block-params")
def block_parameters(dim, heads, mlp_dim):
    attention = 4 * (dim * dim + dim)  # query, key, value, output
    norms = 2 * (2 * dim)  # two layer norms: a scale and a shift each
    mlp = (dim * mlp_dim + mlp_dim) + (mlp_dim * dim + dim)
    return attention + norms + mlp


def _keras_block_count(dim, heads, mlp_dim):
    from mmteach.transformer import TransformerBlock

    block = TransformerBlock(dim, heads, mlp_dim)
    block(np.zeros((1, 2, dim), "float32"))
    return block.count_params()


@checker("ch11-block-params", "block_parameters(dim, heads, mlp_dim): weights of one TransformerBlock")
def _ch11_block_params(fn):
    for dim, heads, mlp_dim in ((8, 2, 16), (32, 4, 64), (12, 3, 20)):
        got = call(fn, dim, heads, mlp_dim)
        want = _keras_block_count(dim, heads, mlp_dim)
        try:
            got = int(got)
        except (TypeError, ValueError):
            raise Hint("return a whole number of weights, got {got!r}.", got=got) from None
        if got == want:
            continue
        d, m = dim, mlp_dim
        if got == want - 4 * d - m - d:
            raise Hint("every Dense map has biases too: the attention's four maps and the perceptron's two.")
        if got == want - 4 * d:
            raise Hint("the two layer normalisations have weights: a scale and a shift of dim numbers each.")
        if got == want + (heads - 1) * 4 * d * d or got == want + (heads - 1) * (4 * d * d + 4 * d):
            raise Hint(
                "the heads share dim between them (each has dim // heads numbers), so the four "
                "attention maps are dim x dim in all, whatever the number of heads."
            )
        raise Hint(
            "for dim={dim}, heads={heads}, mlp_dim={mlp_dim} the block has {want} weights, you said {got}. "
            "Count the attention's query, key, value and output maps, two layer normalisations and "
            "the two Dense layers of the perceptron.",
            dim=dim,
            heads=heads,
            mlp_dim=mlp_dim,
            want=want,
            got=got,
        )
