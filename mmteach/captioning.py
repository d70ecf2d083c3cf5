"""Image to text: tokens, captioning models, greedy and beam decoding, and content scoring.

Introduced in Chapter 6 (``notebooks/06_image_to_text.ipynb``).

A captioner reads an image and writes a sentence one word at a time. This module holds
the parts: :class:`CaptionTokenizer` (words to ids with start and end markers),
:func:`teacher_forcing` (the shifted input and target sequences),
:func:`attribute_classifier` (a small CNN, used as a frozen image encoder),
:func:`captioner` and :func:`attention_captioner` (GRU decoders; each returns a
training model and a one-step model that share their weights), :func:`greedy_decode`
and :func:`beam_search`, and the Shapes-world tools that score what a caption *says*:
:func:`write_captions`, :func:`all_captions`, :func:`parse_captions`,
:func:`content_report` and :func:`hallucination_rate`. BLEU lives in
:mod:`mmteach.metrics`.

>>> tok = CaptionTokenizer(max_words=6).fit(["a red circle", "a blue square"])
>>> ids = tok.transform(["a red square"])
>>> ids.tolist()
[[2, 4, 7, 8, 3, 0, 0, 0]]
>>> tok.inverse_transform(ids)
['a red square']
>>> parse_captions(["there is a tiny crimson disc in the upper left"]).iloc[0].to_dict()
{'shape': 'circle', 'colour': 'red', 'size': 'small', 'position': 'top left'}
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from mmteach import datasets, native_logs_silenced
from mmteach._validation import (
    check_array,
    check_choice,
    check_int,
    check_number,
    check_seed,
    check_strings,
    describe,
)
from mmteach.preprocessing import PAD, UNK, CaptionVectorizer

with native_logs_silenced():  # TensorFlow prints start-up notices when first imported
    import keras

__all__ = [
    "START",
    "END",
    "CaptionTokenizer",
    "teacher_forcing",
    "write_captions",
    "all_captions",
    "parse_captions",
    "WORD_ATTRIBUTE",
    "content_report",
    "hallucination_rate",
    "attribute_classifier",
    "image_features",
    "RegionPositions",
    "Captioner",
    "captioner",
    "attention_captioner",
    "fit_captioner",
    "greedy_decode",
    "beam_search",
    "object_boxes",
    "attention_in_box",
]

#: The start and end markers (ids 2 and 3). They hold ``<``, which standardisation strips
#: from every caption, so no caption word can collide with them.
START = "<start>"
#: The end marker: decoding stops when a caption writes it.
END = "<end>"
_START_ID, _END_ID = 2, 3


# --- tokens ---------------------------------------------------------------------------


class CaptionTokenizer(TransformerMixin, BaseEstimator):
    """Captions to ids framed by start and end markers, and back.

    Built on :class:`mmteach.preprocessing.CaptionVectorizer` (same standardisation and
    word order): id 0 is padding, 1 ``[UNK]``, 2 :data:`START`, 3 :data:`END`, then the
    training words, most frequent first. :meth:`transform` gives ``(n, max_words + 2)``
    int32 rows ``START w1 ... wk END 0 ...``; :meth:`inverse_transform` reads ids up to
    the first ``END`` and drops the markers and padding, so text round-trips. A caption
    longer than ``max_words`` is refused, not cut (cutting would lose its end marker).
    Introduced in Chapter 6.

    >>> tok = CaptionTokenizer(max_words=4).fit(["a red circle"])
    >>> tok.vocabulary_
    ['', '[UNK]', '<start>', '<end>', 'a', 'circle', 'red']
    >>> tok.transform(["A red box!"]).tolist()
    [[2, 4, 6, 1, 3, 0]]
    """

    def __init__(self, max_words: int = 12, min_count: int = 1):
        self.max_words = max_words
        self.min_count = min_count

    def fit(self, captions, y=None):
        """Learn the vocabulary from the training ``captions``."""
        check_int("max_words", self.max_words, minimum=1)
        check_int("min_count", self.min_count, minimum=1)
        captions = check_strings("captions", captions)
        words = CaptionVectorizer(max_len=self.max_words, min_count=self.min_count).fit(captions)
        self.vocabulary_ = [PAD, UNK, START, END, *words.vocabulary_[2:]]
        self.index_ = {w: i for i, w in enumerate(self.vocabulary_)}
        return self

    @property
    def vocab_size(self) -> int:
        """Number of ids, markers included (the size of the decoder's softmax)."""
        check_is_fitted(self, "vocabulary_")
        return len(self.vocabulary_)

    @property
    def sequence_length(self) -> int:
        """Length of a row of :meth:`transform`: ``max_words + 2``."""
        return self.max_words + 2

    def transform(self, captions):
        """Ids ``(n, max_words + 2)``: START, the words (unknown ones get id 1), END, padding."""
        check_is_fitted(self, "vocabulary_")
        captions = check_strings("captions", captions)
        out = np.zeros((len(captions), self.sequence_length), dtype=np.int32)
        for i, caption in enumerate(captions):
            words = CaptionVectorizer.tokenize(caption)
            if len(words) > self.max_words:
                raise ValueError(
                    f"captions[{i}] has {len(words)} words, more than max_words={self.max_words}: "
                    "raise max_words"
                )
            ids = [_START_ID, *(self.index_.get(w, 1) for w in words), _END_ID]
            out[i, : len(ids)] = ids
        return out

    def inverse_transform(self, ids) -> list[str]:
        """Ids back to text: read up to the first END; markers and padding dropped."""
        check_is_fitted(self, "vocabulary_")
        x = check_array("ids", ids, ndim=2, kind="integer", min_len=0)
        if x.size and (x.min() < 0 or x.max() >= len(self.vocabulary_)):
            raise ValueError(
                f"ids must be in [0, {len(self.vocabulary_) - 1}] (the vocabulary has "
                f"{len(self.vocabulary_)} entries), got values from {x.min()} to {x.max()}"
            )
        texts = []
        for row in x:
            words = []
            for i in row:
                if i == _END_ID:
                    break
                if i not in (0, _START_ID):
                    words.append(self.vocabulary_[i])
            texts.append(" ".join(words))
        return texts


def teacher_forcing(ids):
    """The decoder's inputs and targets for teacher forcing: ``ids[:, :-1]``, ``ids[:, 1:]``.

    At step ``t`` the decoder reads the *true* word ``t`` and must predict word ``t + 1``:
    the targets are the inputs shifted one step to the left. Introduced in Chapter 6.

    >>> inputs, targets = teacher_forcing(np.array([[2, 5, 6, 3, 0]]))
    >>> inputs.tolist(), targets.tolist()
    ([[2, 5, 6, 3]], [[5, 6, 3, 0]])
    """
    x = check_array("ids", ids, ndim=2, kind="integer", low=0)
    if x.shape[1] < 2:
        raise ValueError(f"ids must have at least 2 columns (START and END), got shape {x.shape}")
    return x[:, :-1], x[:, 1:]


# --- the Shapes world's language ------------------------------------------------------


def _codes(attributes):
    if not isinstance(attributes, pd.DataFrame):
        raise TypeError(
            f"attributes must be a DataFrame with columns {list(datasets.ATTRIBUTES)} "
            f"(scenes.attributes), got {describe(attributes)}"
        )
    missing = [a for a in datasets.ATTRIBUTES if a not in attributes.columns]
    if missing:
        raise ValueError(f"attributes is missing the column(s) {missing}")
    if len(attributes) == 0:
        raise ValueError("attributes is empty: at least one scene is needed")
    codes = {}
    for a, values in datasets.ATTRIBUTES.items():
        column = attributes[a].to_numpy(dtype=object)
        known = np.isin(column, values)
        if not known.all():
            raise ValueError(f"attributes[{a!r}] holds {column[~known][0]!r}, not one of {values}")
        codes[a] = pd.Categorical(column, categories=values).codes.astype(int)
    return codes


def _silences(silent, n):
    if silent is None:
        return {a: np.zeros(n, dtype=bool) for a in datasets.ATTRIBUTES}
    if not isinstance(silent, pd.DataFrame):
        raise TypeError(
            "silent must be None or a boolean DataFrame with one column per attribute "
            f"(scenes.silent['image']), got {describe(silent)}"
        )
    if len(silent) != n:
        raise ValueError(f"silent has {len(silent)} rows but attributes has {n}")
    out = {}
    for a in datasets.ATTRIBUTES:
        if a not in silent.columns:
            out[a] = np.zeros(n, dtype=bool)
        elif silent[a].dtype != bool:
            raise TypeError(f"silent[{a!r}] must be boolean, got dtype {silent[a].dtype}")
        else:
            out[a] = silent[a].to_numpy()
    return out


def write_captions(attributes, silent=None, *, seed: int = 0) -> np.ndarray:
    """Captions for scenes, written by the Shapes world's own generator.

    ``attributes`` is a DataFrame of attribute values (``scenes.attributes``); a caption
    leaves an attribute out wherever ``silent`` (a boolean DataFrame, for example
    ``scenes.silent["image"]``) is true. Passing the image's silences gives *grounded*
    captions, which say exactly what the picture shows; ``silent=None`` states every
    attribute of the scene, whether the picture shows it or not. Synonyms and word order
    are drawn from ``seed``. Introduced in Chapter 6.

    >>> attrs = pd.DataFrame({"shape": ["square"], "colour": ["red"], "size": ["small"],
    ...                       "position": ["top left"]})
    >>> silent = pd.DataFrame({"colour": [True]})
    >>> write_captions(attrs, silent, seed=1)[0]
    'a little box in the top-left'
    """
    codes = _codes(attributes)
    n = len(attributes)
    silences = _silences(silent, n)
    rng = np.random.default_rng(check_seed(seed))
    return datasets._captions(codes, silences, rng)


class _Choices:
    """Stands in for the generator's random numbers: hands out fixed choices, in order."""

    def __init__(self, arrays):
        self._arrays = iter(arrays)

    def integers(self, low, high, n):
        return next(self._arrays)


def all_captions(attributes, silent=None) -> list[list[str]]:
    """Every caption the generator can write for each scene: its full set of references.

    Enumerates every synonym, every word order and every noun for a silent shape, for the
    attributes that are not ``silent`` (see :func:`write_captions`); duplicates removed,
    sorted. At most 324 captions per scene. Introduced in Chapter 6.

    >>> attrs = pd.DataFrame({"shape": ["cross"], "colour": ["blue"], "size": ["large"],
    ...                       "position": ["top right"]})
    >>> refs = all_captions(attrs)[0]
    >>> len(refs), refs[0]
    (324, 'a big azure cross in the top right')
    """
    codes = _codes(attributes)
    n = len(attributes)
    silences = _silences(silent, n)
    combos = np.array(list(itertools.product(range(3), range(3), range(3), range(3), range(4), range(3))))
    m = len(combos)
    rep = {a: np.repeat(c, m) for a, c in codes.items()}
    rep_silent = {a: np.repeat(s, m) for a, s in silences.items()}
    tiled = np.tile(combos, (n, 1))
    choices = _Choices([tiled[:, k] for k in range(6)])  # shape, colour, size, position, template, noun
    texts = datasets._captions(rep, rep_silent, choices).reshape(n, m)
    return [sorted(set(row)) for row in texts]


def _phrases():
    table = {}
    for a, synonyms in datasets._SYNONYMS.items():
        for k, words in enumerate(synonyms):
            for w in words:
                table[tuple(CaptionVectorizer.tokenize(w))] = (a, datasets.ATTRIBUTES[a][k])
    return table


_PHRASES = _phrases()
#: Which attribute each word of the synonym table belongs to (``"crimson"`` -> ``"colour"``).
WORD_ATTRIBUTE: dict[str, str] = {w: a for phrase, (a, _) in _PHRASES.items() for w in phrase}
# every word the generator writes; a fragment such as "left" alone states nothing
_FILLER = {"a", "the", "there", "is", "in", "picture", "shows", *datasets._NOUN_SILENT}
_KNOWN = _FILLER | set(WORD_ATTRIBUTE)


def parse_captions(captions, *, unknown: str = "raise") -> pd.DataFrame:
    """The attribute values each caption states, read with the generator's synonym table.

    One row per caption, one column per attribute: the value stated, ``None`` if the
    caption says nothing about it, or the values joined by ``"+"`` if it names several
    (``"red+blue"``, which matches no truth). Text is standardised as the tokenizer does.
    Words are read as the longest phrase of the synonym table they start; a fragment of a
    phrase on its own (``"left"`` without ``"top"``) states nothing. A word outside the
    Shapes world's language raises a ValueError (``unknown="raise"``)
    or is skipped (``unknown="ignore"``). Introduced in Chapter 6.

    >>> parse_captions(["a big thing", "a red blue box"]).to_dict("records")[1]
    {'shape': 'square', 'colour': 'red+blue', 'size': None, 'position': None}
    """
    captions = check_strings("captions", captions)
    check_choice("unknown", unknown, ("raise", "ignore"))
    rows = []
    for i, caption in enumerate(captions):
        words = CaptionVectorizer.tokenize(caption)
        stated = {a: [] for a in datasets.ATTRIBUTES}
        j = 0
        while j < len(words):
            for span in (2, 1):
                hit = _PHRASES.get(tuple(words[j : j + span]))
                if hit is not None:
                    if hit[1] not in stated[hit[0]]:
                        stated[hit[0]].append(hit[1])
                    j += span
                    break
            else:
                if words[j] not in _KNOWN and unknown == "raise":
                    raise ValueError(
                        f"captions[{i}] has the word {words[j]!r}, which the Shapes world never "
                        f"uses ({caption!r}); pass unknown='ignore' to skip such words"
                    )
                j += 1
        rows.append({a: "+".join(v) if v else None for a, v in stated.items()})
    frame = pd.DataFrame(rows, columns=list(datasets.ATTRIBUTES), dtype=object)
    return frame.where(frame.notna(), None)


def _stated_frame(name, stated, n=None):
    if not isinstance(stated, pd.DataFrame):
        raise TypeError(f"{name} must be a DataFrame from parse_captions, got {describe(stated)}")
    if n is not None and len(stated) != n:
        raise ValueError(f"{name} has {len(stated)} rows, expected {n} (one per scene)")
    return stated


def _shown_frame(shown, n):
    if not isinstance(shown, pd.DataFrame):
        raise TypeError(
            "shown must be a boolean DataFrame, True where the image shows the attribute "
            f"(~scenes.silent['image']), got {describe(shown)}"
        )
    if len(shown) != n:
        raise ValueError(f"shown has {len(shown)} rows, expected {n} (one per scene)")
    return shown


def content_report(stated, truth, shown) -> pd.DataFrame:
    """Per attribute: what the captions state, against what each image shows.

    ``stated`` comes from :func:`parse_captions`, ``truth`` is the scenes' attribute
    values (``scenes.attributes``) and ``shown`` a boolean DataFrame, true where the
    image shows the attribute (``~scenes.silent["image"]``). Columns:

    - ``states truth``: share of captions stating the attribute's true value;
    - ``ceiling``: share of images that show it, the most a caption can state without
      guessing;
    - ``gap``: ceiling minus ``states truth``;
    - ``wrong``: share stating a false value about an attribute the image shows;
    - ``hallucinated``: share stating a value the image does not show (a guess, right or not);
    - ``right``: share right about it -- the true value where shown, nothing where not.

    The last row, ``all four``, counts captions right about every attribute (its ceiling
    is 1). Introduced in Chapter 6.

    >>> truth = pd.DataFrame({"shape": ["circle"] * 2, "colour": ["red"] * 2,
    ...                       "size": ["small"] * 2, "position": ["top left"] * 2})
    >>> shown = pd.DataFrame(True, index=range(2), columns=list(truth))
    >>> shown.loc[1, "colour"] = False
    >>> stated = parse_captions(["a small red disc in the top left",
    ...                          "a small red disc in the top left"])
    >>> content_report(stated, truth, shown).loc["colour"].to_dict()
    {'states truth': 1.0, 'ceiling': 0.5, 'gap': -0.5, 'wrong': 0.0, 'hallucinated': 0.5, 'right': 0.5}
    """
    if not isinstance(truth, pd.DataFrame):
        raise TypeError(f"truth must be a DataFrame (scenes.attributes), got {describe(truth)}")
    n = len(truth)
    if n == 0:
        raise ValueError("truth is empty: at least one scene is needed")
    stated = _stated_frame("stated", stated, n)
    shown = _shown_frame(shown, n)
    rows, all_right = {}, np.ones(n, dtype=bool)
    for a in datasets.ATTRIBUTES:
        for frame, name in ((stated, "stated"), (truth, "truth"), (shown, "shown")):
            if a not in frame.columns:
                raise ValueError(f"{name} has no column {a!r}")
        s = stated[a].to_numpy(dtype=object)
        t = truth[a].to_numpy(dtype=object)
        v = shown[a].to_numpy().astype(bool)
        said = pd.notna(s)
        true = said & (s == t)
        right = np.where(v, true, ~said)
        all_right &= right
        rows[a] = {
            "states truth": true.mean(),
            "ceiling": v.mean(),
            "gap": v.mean() - true.mean(),
            "wrong": (v & said & ~true).mean(),
            "hallucinated": (~v & said).mean(),
            "right": right.mean(),
        }
    rows["all four"] = {
        "states truth": np.nan,
        "ceiling": 1.0,
        "gap": 1.0 - all_right.mean(),
        "wrong": np.nan,
        "hallucinated": np.nan,
        "right": all_right.mean(),
    }
    return pd.DataFrame.from_dict(rows, orient="index").astype(float)


def hallucination_rate(stated, shown, *, attributes=("colour", "shape")) -> float:
    """Share of captions that name a value of ``attributes`` the image does not show.

    With the defaults: a colour for a grey object, or a shape for one under the tarp.
    Introduced in Chapter 6.

    >>> shown = pd.DataFrame({"colour": [True, False, False], "shape": [True, True, True]})
    >>> hallucination_rate(parse_captions(["a red box", "a red box", "a box"]), shown)
    0.3333333333333333
    """
    attributes = [check_choice("attributes", a, tuple(datasets.ATTRIBUTES)) for a in attributes]
    if not attributes:
        raise ValueError("attributes must name at least one attribute")
    stated = _stated_frame("stated", stated)
    n = len(stated)
    if n == 0:
        raise ValueError("stated is empty: at least one caption is needed")
    shown = _shown_frame(shown, n)
    hit = np.zeros(n, dtype=bool)
    for a in attributes:
        hit |= pd.notna(stated[a].to_numpy(dtype=object)) & ~shown[a].to_numpy().astype(bool)
    return float(hit.mean())


# --- models ----------------------------------------------------------------------------


def _keras():
    return keras


def _shape(name, shape, ndims):
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"{name} must be a tuple of sizes, got {describe(shape)}") from None
    if len(shape) not in ndims:
        raise ValueError(f"{name} must have {' or '.join(map(str, ndims))} axes, got {shape}")
    return tuple(check_int(f"{name}[{i}]", s, minimum=1) for i, s in enumerate(shape))


def attribute_classifier(
    image_shape=(32, 32, 3), *, filters=(16, 32), hidden: int = 64, name: str = "attribute_classifier"
):
    """A small CNN with one softmax head per Shapes-world attribute.

    Two (or ``len(filters)``) 3x3 convolutions with stride 2 make a spatial feature map
    (layer ``"feature_map"``), a Dense layer over it the image vector (``"features"``),
    and four heads named after the attributes. Trained on the true attributes it is
    captioning as classification; frozen, it is the image encoder of the captioners
    (:func:`image_features`). Introduced in Chapter 6.

    >>> model = attribute_classifier()
    >>> sorted(model.output)
    ['colour', 'position', 'shape', 'size']
    """
    keras = _keras()
    from keras import layers

    shape = _shape("image_shape", image_shape, (3,))
    hidden = check_int("hidden", hidden, minimum=1)
    filters = tuple(check_int("filters", f, minimum=1) for f in filters)
    if not filters:
        raise ValueError("filters must name at least one convolution")
    image = keras.Input(shape=shape, name="image")
    x = image
    for f in filters:
        x = layers.Conv2D(f, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(filters[-1], 3, padding="same", activation="relu", name="feature_map")(x)
    # what is there (max over positions, the same detector everywhere) and where (flattened)
    both = layers.Concatenate()([layers.GlobalMaxPooling2D()(x), layers.Flatten()(x)])
    v = layers.Dense(hidden, activation="relu", name="features")(both)
    outputs = {
        a: layers.Dense(len(values), activation="softmax", name=a)(v)
        for a, values in datasets.ATTRIBUTES.items()
    }
    return keras.Model(image, outputs, name=name)


def image_features(classifier, images, *, batch_size: int = 512) -> dict:
    """What the frozen ``classifier`` sees: ``{"features": (n, d), "feature_map": (n, h, w, c)}``.

    Computed once, so that training a decoder never runs the CNN again. Introduced in
    Chapter 6.
    """
    keras = _keras()
    if not isinstance(classifier, keras.Model):
        raise TypeError(f"classifier must be a keras.Model, got {describe(classifier)}")
    try:
        outputs = [classifier.get_layer(k).output for k in ("features", "feature_map")]
    except ValueError:
        raise ValueError(
            "classifier has no layers named 'features' and 'feature_map': build it with attribute_classifier"
        ) from None
    shape = tuple(classifier.inputs[0].shape[1:])
    x = _images(images, shape)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    extractor = keras.Model(classifier.input, outputs)
    parts = [extractor(x[i : i + batch_size], training=False) for i in range(0, len(x), batch_size)]
    return {
        "features": np.concatenate([np.asarray(p[0]) for p in parts]),
        "feature_map": np.concatenate([np.asarray(p[1]) for p in parts]),
    }


def _images(images, shape):
    x = check_array("images", images, kind="float", dtype=np.float32)
    if x.shape[1:] != tuple(shape):
        raise ValueError(f"images must have shape (n, {', '.join(map(str, shape))}), got {x.shape}")
    return x


class RegionPositions(keras.layers.Layer):
    """Appends a learned position code to each region ``(n, regions, c) -> (n, regions, c + dim)``.

    A convolution's features say *what* is in a region, not *where* the region is; an
    average weighted by attention would lose the position. Introduced in Chapter 6.
    """

    def __init__(self, dim: int = 8, **kwargs):
        super().__init__(**kwargs)
        self.dim = check_int("dim", dim, minimum=1)

    def build(self, input_shape):
        self.codes = self.add_weight(
            shape=(input_shape[1], self.dim), initializer="random_normal", name="codes"
        )

    def call(self, regions):
        codes = keras.ops.broadcast_to(self.codes[None], (keras.ops.shape(regions)[0], *self.codes.shape))
        return keras.ops.concatenate([regions, keras.ops.cast(codes, regions.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + self.dim)

    def get_config(self):
        return {**super().get_config(), "dim": self.dim}


class Captioner(NamedTuple):
    """A captioning model for training and its one-step twin for decoding (shared weights).

    ``model`` maps ``{"image", "tokens"}`` (the teacher-forcing inputs) to word
    probabilities ``(n, steps, vocab_size)``. ``step`` maps ``{"image", "token", "state"}``
    to ``{"probs", "state"}`` (plus ``"attention"`` for :func:`attention_captioner`): what
    :func:`greedy_decode` and :func:`beam_search` call once per word.
    """

    model: object
    step: object
    units: int


def _check_decoder_args(vocab_size, steps, embed_dim, units):
    return (
        check_int("vocab_size", vocab_size, minimum=5),
        check_int("steps", steps, minimum=1),
        check_int("embed_dim", embed_dim, minimum=1),
        check_int("units", units, minimum=1),
    )


def captioner(
    image_shape,
    vocab_size: int,
    steps: int,
    *,
    feed: str = "every_step",
    embed_dim: int = 32,
    units: int = 128,
    name: str = "captioner",
) -> Captioner:
    """A GRU decoder that writes a caption for an image vector.

    ``image_shape`` is the shape of one image vector (``(d,)``, the frozen encoder's
    features). A Dense layer maps it to the GRU's initial state. With
    ``feed="init"`` that is all the decoder ever sees of the image; with
    ``feed="every_step"`` the image vector is also joined to the word embedding at every
    step, so the decoder cannot forget it. ``steps`` is the length of the teacher-forcing
    inputs (``tokenizer.sequence_length - 1``). Introduced in Chapter 6.

    >>> cap = captioner((64,), vocab_size=40, steps=13)
    >>> cap.model.output.shape
    (None, 13, 40)
    """
    keras = _keras()
    from keras import layers

    shape = _shape("image_shape", image_shape, (1,))
    vocab_size, steps, embed_dim, units = _check_decoder_args(vocab_size, steps, embed_dim, units)
    check_choice("feed", feed, ("every_step", "init"))
    embed = layers.Embedding(vocab_size, embed_dim, name="embedding")
    project = layers.Dense(units, activation="relu", name="image_vector")
    init = layers.Dense(units, activation="tanh", name="initial_state")
    gru = layers.GRU(units, return_sequences=True, return_state=True, name="gru")
    head = layers.Dense(vocab_size, activation="softmax", name="words")

    def decode(image, tokens, state, length):
        v = project(image)
        x = embed(tokens)
        if feed == "every_step":
            x = layers.Concatenate()([x, layers.RepeatVector(length)(v)])
        seq, new_state = gru(x, initial_state=init(v) if state is None else state)
        return head(seq), new_state

    image = keras.Input(shape=shape, name="image")
    tokens = keras.Input(shape=(steps,), dtype="int32", name="tokens")
    probs, _ = decode(image, tokens, None, steps)
    model = keras.Model({"image": image, "tokens": tokens}, probs, name=name)

    s_image = keras.Input(shape=shape, name="image")
    token = keras.Input(shape=(1,), dtype="int32", name="token")
    state = keras.Input(shape=(units,), name="state")
    start = layers.Identity(name="start_state")(init(project(s_image)))
    p, new_state = decode(s_image, token, state, 1)
    step = keras.Model(
        {"image": s_image, "token": token, "state": state},
        {
            "probs": layers.Reshape((vocab_size,), name="probs")(p),
            "state": layers.Identity(name="next_state")(new_state),
            "start": start,
        },
        name=f"{name}_step",
    )
    return Captioner(model, step, units)


def attention_captioner(
    feature_map_shape,
    vocab_size: int,
    steps: int,
    *,
    embed_dim: int = 32,
    units: int = 128,
    key_dim: int = 32,
    name: str = "attention_captioner",
) -> Captioner:
    """A GRU decoder that looks at a different part of the image for each word.

    ``feature_map_shape`` is ``(h, w, c)``, the frozen encoder's spatial feature map: one
    vector per image region. The GRU's initial state comes from the regions' mean; at
    each step its output asks a question (the query) of every region (the keys), a
    softmax over the ``h * w`` answers gives the attention map, and the regions averaged
    with those weights (the context) join the GRU's output to predict the word, as in
    "show, attend and tell" (with the attention read after the GRU step). ``step``
    also returns ``"attention"``, ``(n, h * w)``. Introduced in Chapter 6.

    >>> cap = attention_captioner((8, 8, 32), vocab_size=40, steps=13)
    >>> cap.step.output["attention"].shape
    (None, 64)
    """
    keras = _keras()
    from keras import layers

    h, w, c = _shape("feature_map_shape", feature_map_shape, (3,))
    vocab_size, steps, embed_dim, units = _check_decoder_args(vocab_size, steps, embed_dim, units)
    key_dim = check_int("key_dim", key_dim, minimum=1)
    embed = layers.Embedding(vocab_size, embed_dim, name="embedding")
    flat = layers.Reshape((h * w, c), name="regions")
    where = RegionPositions(name="region_positions")

    def regions(image):
        return where(flat(image))

    init = layers.Dense(units, activation="tanh", name="initial_state")
    gru = layers.GRU(units, return_sequences=True, return_state=True, name="gru")
    query = layers.Dense(key_dim, use_bias=False, name="query")
    keys = layers.Dense(key_dim, use_bias=False, name="keys")
    mix = layers.Dense(units, activation="relu", name="mix")
    head = layers.Dense(vocab_size, activation="softmax", name="words")

    def decode(image, tokens, state):
        r = regions(image)
        if state is None:
            state = init(layers.GlobalAveragePooling1D()(r))
        seq, new_state = gru(embed(tokens), initial_state=state)
        # scaled dot-product attention: one softmax over the regions for every word
        scores = layers.Dot(axes=2)([query(seq), keys(r)])
        weights = layers.Softmax(axis=-1)(layers.Rescaling(key_dim**-0.5)(scores))
        context = layers.Dot(axes=(2, 1))([weights, r])
        probs = head(mix(layers.Concatenate()([seq, context])))
        return probs, new_state, weights

    image = keras.Input(shape=(h, w, c), name="image")
    tokens = keras.Input(shape=(steps,), dtype="int32", name="tokens")
    probs, _, _ = decode(image, tokens, None)
    model = keras.Model({"image": image, "tokens": tokens}, probs, name=name)

    s_image = keras.Input(shape=(h, w, c), name="image")
    token = keras.Input(shape=(1,), dtype="int32", name="token")
    state = keras.Input(shape=(units,), name="state")
    start = layers.Identity(name="start_state")(init(layers.GlobalAveragePooling1D()(regions(s_image))))
    p, new_state, scores = decode(s_image, token, state)
    step = keras.Model(
        {"image": s_image, "token": token, "state": state},
        {
            "probs": layers.Reshape((vocab_size,), name="probs")(p),
            "state": layers.Identity(name="next_state")(new_state),
            "start": start,
            "attention": layers.Reshape((h * w,), name="attention_map")(scores),
        },
        name=f"{name}_step",
    )
    return Captioner(model, step, units)


def fit_captioner(
    captioner_or_model,
    images,
    ids,
    *,
    steps: int,
    batch_size: int = 128,
    learning_rate: float = 3e-3,
) -> list[float]:
    """Train a captioner with teacher forcing for ``steps`` batches; the loss of each batch.

    ``ids`` come from :meth:`CaptionTokenizer.transform`; the model reads
    ``ids[:, :-1]`` and learns to predict ``ids[:, 1:]`` (:func:`teacher_forcing`), with
    the padding after the end marker left out of the loss. Only whole batches are used
    (the last ``len(images) % batch_size`` examples are left out), so every batch has the
    same shape and the training step is traced once. Adam, sparse categorical
    cross-entropy; the shuffling follows Keras's seed. Introduced in Chapter 6.
    """
    keras = _keras()
    model = captioner_or_model.model if isinstance(captioner_or_model, Captioner) else captioner_or_model
    if not isinstance(model, keras.Model) or set(model.input) != {"image", "tokens"}:
        raise TypeError(
            "captioner_or_model must be a Captioner or its training model (inputs image and "
            f"tokens), got {describe(model)}"
        )
    x = _images(images, tuple(model.input["image"].shape[1:]))
    inputs, targets = teacher_forcing(ids)
    if len(x) != len(inputs):
        raise ValueError(f"images has {len(x)} rows but ids has {len(inputs)}")
    want = model.input["tokens"].shape[1]
    if inputs.shape[1] != want:
        raise ValueError(f"ids must have {want + 1} columns for this model, got {inputs.shape[1] + 1}")
    steps = check_int("steps", steps, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=len(x))
    learning_rate = check_number("learning_rate", learning_rate, low=0, low_open=True)
    per_epoch = len(x) // batch_size
    n = per_epoch * batch_size
    weights = (targets != 0).astype(np.float32)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy")
    model.optimizer.build(model.trainable_variables)
    losses = []

    class _Record(keras.callbacks.Callback):
        # Keras logs the running mean of the epoch so far: recover each batch's own loss
        def on_train_batch_end(self, batch, logs=None):
            mean = float(logs["loss"])
            losses.append(mean * (batch + 1) - self.previous * batch)
            self.previous = mean
            if len(losses) >= steps:
                self.model.stop_training = True

        def on_epoch_begin(self, epoch, logs=None):
            self.previous = 0.0

    model.fit(
        {"image": x[:n], "tokens": inputs[:n]},
        targets[:n],
        sample_weight=weights[:n],
        batch_size=batch_size,
        epochs=-(-steps // per_epoch),
        shuffle=True,
        verbose=0,
        callbacks=[_Record()],
    )
    return losses[:steps]


# --- decoding ---------------------------------------------------------------------------


def _check_step(step, images):
    keras = _keras()
    if isinstance(step, Captioner):
        step = step.step
    if not isinstance(step, keras.Model) or set(step.input) != {"image", "token", "state"}:
        raise TypeError(
            "step must be a Captioner or its one-step model (inputs image, token, state), "
            f"got {describe(step)}"
        )
    x = _images(images, tuple(step.input["image"].shape[1:]))
    return step, x


def greedy_decode(step, images, *, max_len: int = 12, return_attention: bool = False):
    """Caption each image by taking the most probable word at every step.

    ``step`` is a :class:`Captioner` (or its ``step`` model). Stops at the end marker or
    after ``max_len`` words. Returns ids ``(n, max_len)`` (no markers, padded with 0), and
    with ``return_attention=True`` also the attention maps ``(n, max_len, regions)`` of an
    :func:`attention_captioner` (zeros after the end). Introduced in Chapter 6.
    """
    step, x = _check_step(step, images)
    max_len = check_int("max_len", max_len, minimum=1)
    if return_attention and "attention" not in step.output:
        raise ValueError("return_attention=True needs an attention_captioner")
    n = len(x)
    state = np.asarray(
        step(
            {
                "image": x,
                "token": np.zeros((n, 1), "int32"),
                "state": np.zeros((n, step.input["state"].shape[1]), "float32"),
            }
        )["start"]
    )
    token = np.full((n, 1), _START_ID, dtype=np.int32)
    out = np.zeros((n, max_len), dtype=np.int32)
    maps = []
    done = np.zeros(n, dtype=bool)
    for t in range(max_len):
        result = step({"image": x, "token": token, "state": state}, training=False)
        probs = np.array(result["probs"])
        probs[:, 0] = -1.0  # padding is never a word
        word = probs.argmax(axis=1).astype(np.int32)
        if return_attention:
            maps.append(np.where(done[:, None], 0.0, np.asarray(result["attention"])))
        done |= word == _END_ID
        out[:, t] = np.where(done, 0, word)
        if done.all():
            break
        state = np.asarray(result["state"])
        token = word[:, None]
    if not return_attention:
        return out
    att = np.zeros((n, max_len, step.output["attention"].shape[1]), dtype=np.float32)
    att[:, : len(maps)] = np.stack(maps, axis=1)
    return out, att


def beam_search(step, images, *, width: int = 3, max_len: int = 12, length_penalty: float = 0.0):
    """Caption each image with beam search: keep the ``width`` best partial captions.

    At each step every kept caption is extended by every word; of the ``width *
    vocab_size`` candidates the ``width`` with the highest total log-probability survive
    (a finished caption survives unchanged). The best finished caption wins, its score
    divided by ``length ** length_penalty`` (0 compares raw log-probabilities). Width 1 is
    greedy decoding. All images are decoded together, ``n * width`` rows per call of the
    step model. Returns ids ``(n, max_len)`` like :func:`greedy_decode`. Introduced in
    Chapter 6.
    """
    step, x = _check_step(step, images)
    width = check_int("width", width, minimum=1)
    max_len = check_int("max_len", max_len, minimum=1)
    length_penalty = check_number("length_penalty", length_penalty, low=0)
    n = len(x)
    units = step.input["state"].shape[1]
    xk = np.repeat(x, width, axis=0)
    state = np.asarray(
        step(
            {
                "image": xk,
                "token": np.zeros((n * width, 1), "int32"),
                "state": np.zeros((n * width, units), "float32"),
            }
        )["start"]
    )
    seqs = np.zeros((n, width, max_len), dtype=np.int32)
    scores = np.full((n, width), -np.inf)
    scores[:, 0] = 0.0  # all beams start identical: keep one, or the beam fills with copies
    done = np.zeros((n, width), dtype=bool)
    lengths = np.zeros((n, width), dtype=int)
    token = np.full((n * width, 1), _START_ID, dtype=np.int32)
    rows = np.arange(n)[:, None]
    for t in range(max_len):
        result = step({"image": xk, "token": token, "state": state}, training=False)
        logp = np.log(np.maximum(np.asarray(result["probs"], dtype=np.float64), 1e-30))
        vocab = logp.shape[1]
        logp = logp.reshape(n, width, vocab)
        # a finished caption has one continuation, padding, at no cost
        logp = np.where(done[..., None], -np.inf, logp)
        logp[..., 0] = np.where(done, 0.0, -np.inf)
        total = (scores[..., None] + logp).reshape(n, width * vocab)
        best = np.argsort(-total, axis=1, kind="stable")[:, :width]
        beam, word = best // vocab, (best % vocab).astype(np.int32)
        scores = total[rows, best]
        seqs = seqs[rows, beam]
        was_done = done[rows, beam]
        lengths = lengths[rows, beam] + ~was_done
        done = was_done | (word == _END_ID)
        seqs[:, :, t] = np.where(done, 0, word)
        state = np.asarray(result["state"]).reshape(n, width, units)[rows, beam].reshape(n * width, units)
        token = word.reshape(-1, 1)
        if done[np.isfinite(scores)].all():
            break
    final = np.where(done, scores, -np.inf)
    final = np.where(np.isfinite(final).any(axis=1, keepdims=True), final, scores)  # none ended
    final = final / np.maximum(lengths, 1) ** length_penalty
    return seqs[np.arange(n), np.argmax(final, axis=1)]


# --- where attention looks ------------------------------------------------------------


def object_boxes(images, *, threshold: float = 0.3) -> np.ndarray:
    """The bounding box of the drawn object in each Shapes image: ``(n, 4)`` int rows.

    Rows are ``(top, bottom, left, right)``, inclusive pixel indices. Object pixels are
    those whose brightest channel exceeds ``threshold`` (the background is 0.05 plus
    noise). Introduced in Chapter 6.
    """
    x = check_array("images", images, ndim=4, kind="float", low=0, high=1)
    threshold = check_number("threshold", threshold, low=0, high=1)
    mask = x.max(axis=-1) > threshold
    boxes = np.zeros((len(x), 4), dtype=int)
    for i, m in enumerate(mask):
        r, c = np.flatnonzero(m.any(axis=1)), np.flatnonzero(m.any(axis=0))
        if not len(r):
            raise ValueError(f"images[{i}] shows no object brighter than threshold={threshold}")
        boxes[i] = r[0], r[-1], c[0], c[-1]
    return boxes


def attention_in_box(attention, boxes, *, image_size: int = datasets.IMAGE_SIZE) -> np.ndarray:
    """Share of each attention map's mass that falls inside the object's box.

    ``attention`` is ``(n, h * w)`` (one map per caption word, say) over a square grid of
    regions; each region covers ``image_size / h`` pixels a side and spreads its weight
    evenly over them. ``boxes`` is ``(n, 4)`` from :func:`object_boxes`. Uniform attention
    scores the share of the image the box covers. Introduced in Chapter 6.

    >>> attention_in_box(np.full((1, 4), 0.25), np.array([[0, 15, 0, 15]]))
    array([0.25])
    """
    a = check_array("attention", attention, ndim=2, kind="float", low=0)
    b = check_array("boxes", boxes, ndim=2, kind="integer", low=0, high=image_size - 1)
    if b.shape[1] != 4 or len(b) != len(a):
        raise ValueError(f"boxes must have shape ({len(a)}, 4), got {b.shape}")
    side = int(round(np.sqrt(a.shape[1])))
    if side * side != a.shape[1] or image_size % side:
        raise ValueError(
            f"attention must cover a square grid that divides image_size={image_size}, got "
            f"{a.shape[1]} regions"
        )
    cell = image_size // side
    pix = np.arange(image_size)
    inside_r = (pix[None, :] >= b[:, :1]) & (pix[None, :] <= b[:, 1:2])  # (n, image_size)
    inside_c = (pix[None, :] >= b[:, 2:3]) & (pix[None, :] <= b[:, 3:4])
    frac_r = inside_r.reshape(len(b), side, cell).mean(axis=2)  # (n, side) share of each row band
    frac_c = inside_c.reshape(len(b), side, cell).mean(axis=2)
    frac = frac_r[:, :, None] * frac_c[:, None, :]  # (n, side, side)
    return (a.reshape(len(a), side, side) * frac).sum(axis=(1, 2))
