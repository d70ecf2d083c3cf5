"""Preprocessing: turn each modality into model-ready arrays.

Introduced in Chapter 2 (``notebooks/02_preprocessing.ipynb``); :func:`spectrogram`
is first used in Chapter 1 to draw sounds.

Everything that learns from data follows scikit-learn's conventions: ``fit`` on the
training split only, then ``transform`` any split; ``fit_transform`` does both; the
fitted state lives in attributes that end with ``_`` and can be inspected. Using an
object before ``fit`` raises :class:`sklearn.exceptions.NotFittedError` (a
``ValueError`` that says to call ``fit`` first).

- :class:`ImageScaler` -- pixels: per-channel standardisation (and light augmentation);
- :class:`CaptionVectorizer` -- text: vocabulary, out-of-vocabulary id, padding, and back;
- :class:`SpectrogramScaler` -- audio: log spectrogram, then per-frequency standardisation;
- :class:`TablePreprocessor` (:func:`make_table_transformer`) -- tables: impute, scale, one-hot;
- :class:`ShapesPreprocessor` -- all four at once: scenes to a dict of named arrays;
- :func:`to_dataset` -- a ``tf.data`` pipeline (shuffle, batch, prefetch) from that dict;
- :func:`join_by_key` -- join modalities recorded separately, and report what did not match;
- :func:`find_defects` and :func:`clean_scenes` -- the cleaning steps of Chapter 2.

Example
-------
>>> from mmteach.datasets import make_scenes
>>> train, val = make_scenes(300, seed=0), make_scenes(100, seed=1)
>>> prep = ShapesPreprocessor().fit(train)
>>> inputs = prep.transform(val)
>>> {name: (array.shape, str(array.dtype)) for name, array in inputs.items()}
... # doctest: +NORMALIZE_WHITESPACE
{'image': ((100, 32, 32, 3), 'float32'), 'caption': ((100, 12), 'int32'),
 'sound': ((100, 28, 65), 'float32'), 'table': ((100, 10), 'float32')}
"""

from __future__ import annotations

import re
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from mmteach._validation import check_int, check_number, check_seed
from mmteach.datasets import INPUT_DTYPES, SAMPLE_RATE, SPECTROGRAM_HOP, SPECTROGRAM_WINDOW

__all__ = [
    "spectrogram",
    "ImageScaler",
    "CaptionVectorizer",
    "SpectrogramScaler",
    "make_table_transformer",
    "TablePreprocessor",
    "ShapesPreprocessor",
    "to_dataset",
    "join_by_key",
    "JoinReport",
    "find_defects",
    "clean_scenes",
    "PAD",
    "UNK",
    "STRIP_PUNCTUATION",
]

#: Padding token (id 0) and out-of-vocabulary token (id 1) of :class:`CaptionVectorizer`;
#: the same as Keras's ``TextVectorization``.
PAD = ""
UNK = "[UNK]"
#: The punctuation Keras's ``TextVectorization`` strips by default
#: (``standardize="lower_and_strip_punctuation"``).
STRIP_PUNCTUATION = r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']'
_STRIP = re.compile(STRIP_PUNCTUATION)


def spectrogram(
    waveform,
    *,
    sample_rate: int = SAMPLE_RATE,
    window: int = SPECTROGRAM_WINDOW,
    hop: int = SPECTROGRAM_HOP,
    max_hz: float | None = None,
    log: bool = True,
):
    """Magnitude spectrogram of one waveform (1-D) or a batch (2-D: n x samples).

    A Hann window of ``window`` samples moves by ``hop`` samples; the result has
    shape ``(frames, bins)`` (or ``(n, frames, bins)``) with ``bins = window // 2 + 1``
    frequencies from 0 to ``sample_rate / 2`` (cut at ``max_hz`` if given). With
    ``log=True`` it returns ``log(1 + magnitude)``, which keeps quiet partials visible.

    >>> import numpy as np
    >>> t = np.arange(2000) / 8000
    >>> spec = spectrogram(np.sin(2 * np.pi * 1000 * t))
    >>> spec.shape
    (28, 129)
    >>> int(spec.mean(axis=0).argmax())  # bin of 1000 Hz: 1000 / (8000 / 256)
    32
    """
    x = np.asarray(waveform)
    if x.dtype == object or not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"waveform must be a numeric array, got dtype {x.dtype}")
    if x.ndim not in (1, 2):
        raise ValueError(
            f"waveform must be 1-D (samples) or 2-D (n, samples), got shape {x.shape}"
        )
    for name, value in (("window", window), ("hop", hop), ("sample_rate", sample_rate)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if x.shape[-1] < window:
        raise ValueError(
            f"waveform has {x.shape[-1]} samples, fewer than one window ({window})"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError("waveform contains NaN or infinite values")
    frames = 1 + (x.shape[-1] - window) // hop
    idx = np.arange(window)[None, :] + hop * np.arange(frames)[:, None]
    segments = x[..., idx] * np.hanning(window)  # (..., frames, window)
    mag = np.abs(np.fft.rfft(segments, axis=-1)).astype(np.float32)
    if max_hz is not None:
        if not 0 < max_hz <= sample_rate / 2:
            raise ValueError(f"max_hz must be in (0, {sample_rate / 2}], got {max_hz}")
        n_bins = int(np.floor(max_hz / (sample_rate / window))) + 1
        mag = mag[..., :n_bins]
    return np.log1p(mag) if log else mag


# --- input checks -----------------------------------------------------------------


def _numeric_array(name, value, ndim, *, allow_nan=False):
    """``value`` as a numeric ndarray with ``ndim`` dimensions, or a clear error."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        value = value.to_numpy()
    try:
        x = np.asarray(value)
    except (ValueError, TypeError) as err:  # ragged lists
        raise ValueError(f"{name} must be a rectangular numeric array: {err}") from None
    if x.dtype == object or x.dtype == bool or not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"{name} must be a numeric array, got dtype {x.dtype}")
    if x.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {x.shape}")
    if len(x) == 0:
        raise ValueError(f"{name} is empty (shape {x.shape})")
    if not allow_nan and np.issubdtype(x.dtype, np.floating) and not np.all(np.isfinite(x)):
        bad = int((~np.isfinite(x)).reshape(len(x), -1).any(axis=1).sum())
        raise ValueError(
            f"{name} contains NaN or infinite values (in {bad} of {len(x)} rows): "
            "drop or repair those rows first"
        )
    return x


# --- images -------------------------------------------------------------------------


class ImageScaler(TransformerMixin, BaseEstimator):
    """Per-channel standardisation of images: ``(pixel - mean_[c]) / scale_[c]``.

    Images are ``(n, height, width, channels)``; integer images (``uint8``, 0-255) are
    first divided by 255. ``fit`` learns one mean and one standard deviation per
    channel (or one for all channels with ``per_channel=False``) from the training
    images only. Introduced in Chapter 2.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> train = rng.random((50, 8, 8, 3)).astype("float32")
    >>> scaler = ImageScaler().fit(train)
    >>> z = scaler.transform(train)
    >>> np.abs(z.mean(axis=(0, 1, 2))).round(4).tolist(), z.std(axis=(0, 1, 2)).round(3).tolist()
    ([0.0, 0.0, 0.0], [1.0, 1.0, 1.0])
    >>> bool(np.allclose(scaler.inverse_transform(z), train, atol=1e-6))
    True
    """

    def __init__(self, per_channel: bool = True):
        self.per_channel = per_channel

    @staticmethod
    def _as_float(images):
        x = _numeric_array("images", images, 4)
        if np.issubdtype(x.dtype, np.integer):
            return x.astype(np.float32) / np.float32(255)
        if x.size and float(np.nanmax(x)) > 1.5:
            warnings.warn(
                f"images are floats with values up to {float(np.nanmax(x)):g}: float images are "
                "expected in [0, 1]. If these are 0-255 pixel values, divide them by 255 first "
                "(or pass uint8 images, which are divided for you)",
                UserWarning,
                stacklevel=3,
            )
        return x.astype(np.float32, copy=False)

    def fit(self, images, y=None):
        """Learn the mean and standard deviation of each channel from ``images``."""
        x = self._as_float(images)
        axes = (0, 1, 2) if self.per_channel else (0, 1, 2, 3)
        mean = x.mean(axis=axes, dtype=np.float64)
        std = x.std(axis=axes, dtype=np.float64)
        std = np.where(std > 1e-12, std, 1.0)  # a constant channel is centred, not divided by 0
        n_channels = x.shape[-1]
        self.mean_ = np.broadcast_to(mean, (n_channels,)).astype(np.float32)
        self.scale_ = np.broadcast_to(std, (n_channels,)).astype(np.float32)
        self.image_shape_ = tuple(x.shape[1:])
        self.n_samples_seen_ = len(x)
        return self

    def _check_shape(self, x):
        if tuple(x.shape[1:]) != self.image_shape_:
            raise ValueError(
                f"images must have shape (n, {', '.join(map(str, self.image_shape_))}) "
                f"like the images seen in fit, got {x.shape}"
            )

    def transform(self, images):
        """Standardise ``images`` with the fitted statistics; returns float32."""
        check_is_fitted(self, "mean_")
        x = self._as_float(images)
        self._check_shape(x)
        return ((x - self.mean_) / self.scale_).astype(np.float32, copy=False)

    def inverse_transform(self, images):
        """Undo :meth:`transform`: back to pixel values (in [0, 1] for Shapes images)."""
        check_is_fitted(self, "mean_")
        x = _numeric_array("images", images, 4)
        self._check_shape(x)
        return (x * self.scale_ + self.mean_).astype(np.float32, copy=False)

    def augment(self, images, seed: int = 0, *, max_shift: int = 1, flip: bool = False):
        """Light training-time augmentation: random shifts (and optional mirror flips).

        Each image moves by up to ``max_shift`` pixels in each direction (edges are
        repeated, not wrapped around). ``flip=True`` also mirrors half the images left
        to right -- only correct when no label depends on left and right (in the
        Shapes world ``position`` does!). Needs no fitting; returns a new float32 array.

        >>> import numpy as np
        >>> img = np.zeros((1, 5, 5, 1), "float32"); img[0, 2, 2, 0] = 1
        >>> out = ImageScaler().augment(img, seed=0, max_shift=1)
        >>> out.shape, float(out.sum())
        ((1, 5, 5, 1), 1.0)
        """
        x = _numeric_array("images", images, 4).astype(np.float32)
        seed = check_seed(seed)
        max_shift = check_int("max_shift", max_shift, minimum=0)
        if not isinstance(flip, bool):
            raise TypeError(f"flip must be True or False, got {flip!r}")
        n, h, w, _ = x.shape
        if max_shift >= min(h, w):
            raise ValueError(f"max_shift must be smaller than the image ({h}x{w}), got {max_shift}")
        rng = np.random.default_rng(seed)
        shifts = rng.integers(-max_shift, max_shift + 1, size=(n, 2))
        padded = np.pad(x, ((0, 0), (max_shift,) * 2, (max_shift,) * 2, (0, 0)), mode="edge")
        out = np.empty_like(x)
        for i, (dy, dx) in enumerate(shifts):
            top, left = max_shift - dy, max_shift - dx
            out[i] = padded[i, top : top + h, left : left + w]
        if flip:
            mirror = rng.random(n) < 0.5
            out[mirror] = out[mirror, :, ::-1]
        return out


# --- text ---------------------------------------------------------------------------


def _standardize(text: str) -> str:
    return _STRIP.sub("", text.lower())


def _as_captions(name, captions):
    if isinstance(captions, str):
        raise TypeError(f"{name} must be a list or 1-D array of strings, got a single string")
    if isinstance(captions, pd.Series):
        captions = captions.to_numpy()
    try:
        items = list(captions)
    except TypeError:
        raise TypeError(
            f"{name} must be a list or 1-D array of strings, got {type(captions).__name__}"
        ) from None
    if np.ndim(captions) != 1:
        raise ValueError(
            f"{name} must be 1-D (one string per scene), got shape {np.shape(captions)}"
        )
    for i, c in enumerate(items):
        if not isinstance(c, str):
            if c is None or (isinstance(c, float) and np.isnan(c)):
                raise ValueError(
                    f"{name}[{i}] is missing ({c!r}): use '' for an empty caption or drop the row"
                )
            raise TypeError(f"{name}[{i}] must be a string, got {type(c).__name__} {c!r}")
    return items


class CaptionVectorizer(TransformerMixin, BaseEstimator):
    """Captions to fixed-length integer ids, with a vocabulary learned from training captions.

    Text is lower-cased and stripped of punctuation, then split on whitespace --
    exactly what ``keras.layers.TextVectorization`` does by default. Id 0 is padding
    (``""``), id 1 the out-of-vocabulary token ``"[UNK]"``, then the words seen at least
    ``min_count`` times in training, most frequent first (ties alphabetically), at
    most ``max_tokens`` entries in all. Sequences are padded with 0 or truncated to
    ``max_len``. :meth:`as_keras_layer` gives a ``TextVectorization`` layer with the
    same vocabulary, for models that take raw strings. Introduced in Chapter 2.

    >>> vec = CaptionVectorizer(max_len=6).fit(["a red circle", "a blue square"])
    >>> vec.vocabulary_
    ['', '[UNK]', 'a', 'blue', 'circle', 'red', 'square']
    >>> ids = vec.transform(["A red square!", "a green circle"])
    >>> ids.tolist()
    [[2, 5, 6, 0, 0, 0], [2, 1, 4, 0, 0, 0]]
    >>> vec.inverse_transform(ids)
    ['a red square', 'a [UNK] circle']
    """

    def __init__(self, max_len: int = 12, min_count: int = 1, max_tokens: int | None = None):
        self.max_len = max_len
        self.min_count = min_count
        self.max_tokens = max_tokens

    @staticmethod
    def tokenize(caption: str) -> list[str]:
        """Lower-case, strip punctuation, split on whitespace (Keras's default)."""
        if not isinstance(caption, str):
            raise TypeError(f"caption must be a string, got {type(caption).__name__}")
        return _standardize(caption).split()

    def fit(self, captions, y=None):
        """Learn the vocabulary from the training ``captions``."""
        check_int("max_len", self.max_len, minimum=1)
        check_int("min_count", self.min_count, minimum=1)
        if self.max_tokens is not None:
            check_int("max_tokens", self.max_tokens, minimum=3)
        items = _as_captions("captions", captions)
        if not items:
            raise ValueError("captions is empty: fit needs at least one training caption")
        counts = Counter(w for c in items for w in self.tokenize(c))
        if not counts:
            raise ValueError(
                f"captions holds {len(items)} caption(s) but not one word: fit needs captions "
                "with text (were empty captions not cleaned, or the wrong column passed?)"
            )
        words = sorted(
            (w for w, k in counts.items() if k >= self.min_count), key=lambda w: (-counts[w], w)
        )
        if self.max_tokens is not None:
            words = words[: self.max_tokens - 2]
        self.vocabulary_ = [PAD, UNK, *words]
        self.word_counts_ = dict(counts)
        self.index_ = {w: i for i, w in enumerate(self.vocabulary_)}
        return self

    @property
    def vocab_size(self) -> int:
        """Number of ids, padding and ``[UNK]`` included (the ``input_dim`` of an Embedding)."""
        check_is_fitted(self, "vocabulary_")
        return len(self.vocabulary_)

    def transform(self, captions):
        """Ids of ``captions``: int32 array ``(n, max_len)``; unknown words get id 1."""
        check_is_fitted(self, "vocabulary_")
        items = _as_captions("captions", captions)
        out = np.zeros((len(items), self.max_len), dtype=np.int32)
        for i, caption in enumerate(items):
            ids = [self.index_.get(w, 1) for w in self.tokenize(caption)][: self.max_len]
            out[i, : len(ids)] = ids
        return out

    def inverse_transform(self, ids) -> list[str]:
        """Ids back to text (padding dropped); unknown words come back as ``[UNK]``."""
        check_is_fitted(self, "vocabulary_")
        x = _numeric_array("ids", ids, 2)
        if not np.issubdtype(x.dtype, np.integer):
            if not np.all(x == np.round(x)):
                raise TypeError(f"ids must be integers, got dtype {x.dtype} with fractions")
            x = x.astype(np.int64)
        if x.min() < 0 or x.max() >= len(self.vocabulary_):
            raise ValueError(
                f"ids must be in [0, {len(self.vocabulary_) - 1}] (the vocabulary size is "
                f"{len(self.vocabulary_)}), got values from {x.min()} to {x.max()}"
            )
        return [" ".join(self.vocabulary_[i] for i in row if i != 0) for row in x]

    def as_keras_layer(self):
        """A Keras ``TextVectorization`` layer giving the same ids as :meth:`transform`."""
        check_is_fitted(self, "vocabulary_")
        import keras

        return keras.layers.TextVectorization(
            standardize="lower_and_strip_punctuation",
            split="whitespace",
            output_mode="int",
            output_sequence_length=self.max_len,
            vocabulary=self.vocabulary_[2:],
        )


# --- audio --------------------------------------------------------------------------


class SpectrogramScaler(TransformerMixin, BaseEstimator):
    """Waveforms to standardised log spectrograms: float32 ``(n, frames, bins)``.

    Each waveform becomes ``log(1 + |STFT|)`` (Hann window of ``window`` samples,
    hop of ``hop`` samples, frequencies from 0 to ``max_hz``; see :func:`spectrogram`),
    then every frequency bin is standardised with a mean and standard deviation
    learned from the training sounds. With the defaults (8 kHz, window 256 = 32 ms,
    hop 64 = 8 ms, up to 2000 Hz) a 0.25 s sound gives 28 frames x 65 bins of
    31.25 Hz. Introduced in Chapter 2.

    >>> import numpy as np
    >>> waves = np.random.default_rng(0).normal(size=(20, 2000)).astype("float32")
    >>> scaler = SpectrogramScaler().fit(waves)
    >>> scaler.transform(waves).shape, scaler.mean_.shape
    ((20, 28, 65), (65,))
    """

    def __init__(
        self,
        sample_rate: int = SAMPLE_RATE,
        window: int = SPECTROGRAM_WINDOW,
        hop: int = SPECTROGRAM_HOP,
        max_hz: float | None = 2000.0,
        chunk_size: int = 1024,
    ):
        self.sample_rate = sample_rate
        self.window = window
        self.hop = hop
        self.max_hz = max_hz
        self.chunk_size = chunk_size

    def log_spectrogram(self, waveforms):
        """The (unstandardised) log spectrograms of ``waveforms`` (n, samples), in chunks."""
        x = _numeric_array("waveforms", waveforms, 2)
        chunk = check_int("chunk_size", self.chunk_size, minimum=1)
        parts = [
            spectrogram(
                x[i : i + chunk],
                sample_rate=self.sample_rate,
                window=self.window,
                hop=self.hop,
                max_hz=self.max_hz,
            ).astype(np.float32)
            for i in range(0, len(x), chunk)
        ]
        return np.concatenate(parts)

    def fit(self, waveforms, y=None):
        """Learn each frequency bin's mean and standard deviation from training sounds."""
        spec = self.log_spectrogram(waveforms)
        self.n_samples_ = int(np.asarray(waveforms).shape[1])
        self.mean_ = spec.mean(axis=(0, 1), dtype=np.float64).astype(np.float32)
        std = spec.std(axis=(0, 1), dtype=np.float64)
        self.scale_ = np.where(std > 1e-12, std, 1.0).astype(np.float32)
        self.output_shape_ = tuple(spec.shape[1:])
        self.frequencies_ = np.arange(spec.shape[2]) * self.sample_rate / self.window
        return self

    def transform(self, waveforms):
        """Standardised log spectrograms, float32 ``(n, frames, bins)``."""
        check_is_fitted(self, "mean_")
        x = _numeric_array("waveforms", waveforms, 2)
        if x.shape[1] != self.n_samples_:
            raise ValueError(
                f"waveforms must have {self.n_samples_} samples each, like those seen in fit, "
                f"got shape {x.shape}"
            )
        return ((self.log_spectrogram(x) - self.mean_) / self.scale_).astype(np.float32)

    def inverse_transform(self, spectrograms):
        """Undo the standardisation: back to log spectrograms (not to waveforms)."""
        check_is_fitted(self, "mean_")
        x = _numeric_array("spectrograms", spectrograms, 3)
        if tuple(x.shape[1:]) != self.output_shape_:
            raise ValueError(
                f"spectrograms must have shape (n, {self.output_shape_[0]}, "
                f"{self.output_shape_[1]}), got {x.shape}"
            )
        return (x * self.scale_ + self.mean_).astype(np.float32)


# --- tables -------------------------------------------------------------------------

#: The Shapes table's columns by type (``scene_id`` is a key, not a feature).
NUMERIC_COLUMNS = ("lux", "area_cm2", "x_px", "y_px")
CATEGORICAL_COLUMNS = ("device",)


def _to_object(frame):
    # pandas 3 "str" columns hold NaN for missing; sklearn's imputers want object + None/NaN
    return frame.astype(object).where(frame.notna(), np.nan)


def make_table_transformer(
    numeric=NUMERIC_COLUMNS,
    categorical=CATEGORICAL_COLUMNS,
    *,
    scaler: str = "standard",
    add_indicator: bool = True,
):
    """A scikit-learn ``ColumnTransformer``: impute + scale numbers, impute + one-hot categories.

    Numeric columns: median imputation (plus a 0/1 "was missing" column per column
    that had gaps in training when ``add_indicator``), then ``StandardScaler``
    (``scaler="robust"``: ``RobustScaler``, median and quartiles, which outliers barely
    move). Categorical columns: missing values become the category ``"missing"``,
    then one-hot encoding; categories never seen in training become all zeros.
    Other columns (ids) are dropped. Introduced in Chapter 2.

    >>> make_table_transformer(["lux"], ["device"]).transformers[0][2]
    ['lux']
    """
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, RobustScaler, StandardScaler

    numeric, categorical = list(numeric), list(categorical)
    if not numeric and not categorical:
        raise ValueError("give at least one numeric or categorical column")
    for name, cols in (("numeric", numeric), ("categorical", categorical)):
        for c in cols:
            if not isinstance(c, str):
                raise TypeError(f"{name} columns must be names (str), got {c!r}")
    both = set(numeric) & set(categorical)
    if both:
        raise ValueError(f"columns {sorted(both)} are listed as both numeric and categorical")
    scalers = {"standard": StandardScaler, "robust": RobustScaler}
    if scaler not in scalers:
        raise ValueError(f"scaler must be one of {sorted(scalers)}, got {scaler!r}")
    parts = []
    if numeric:
        parts.append((
            "num",
            Pipeline([
                ("impute", SimpleImputer(strategy="median", add_indicator=add_indicator)),
                ("scale", scalers[scaler]()),
            ]),
            numeric,
        ))
    if categorical:
        parts.append((
            "cat",
            Pipeline([
                ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False)),
            ]),
            categorical,
        ))
    return ColumnTransformer(parts, remainder="drop", verbose_feature_names_out=False)


class TablePreprocessor(TransformerMixin, BaseEstimator):
    """A table (DataFrame) to a float32 feature matrix ``(n, d)``, with feature names.

    Wraps :func:`make_table_transformer` (scikit-learn's ``ColumnTransformer``), checks
    the columns and their types first, and keeps ``feature_names_`` (what each of the
    ``d`` output columns means). Introduced in Chapter 2.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"lux": [100.0, None, 300.0], "device": ["cam_a", "phone", None]})
    >>> prep = TablePreprocessor(numeric=["lux"], categorical=["device"]).fit(df)
    >>> prep.feature_names_
    ['lux', 'missingindicator_lux', 'device_cam_a', 'device_missing', 'device_phone']
    >>> [round(float(v), 2) for v in prep.transform(df)[1]]  # lux imputed with the median
    [0.0, 1.41, 0.0, 0.0, 1.0]
    """

    def __init__(
        self,
        numeric=NUMERIC_COLUMNS,
        categorical=CATEGORICAL_COLUMNS,
        scaler: str = "standard",
        add_indicator: bool = True,
    ):
        self.numeric = numeric
        self.categorical = categorical
        self.scaler = scaler
        self.add_indicator = add_indicator

    def _check_frame(self, table):
        if not isinstance(table, pd.DataFrame):
            raise TypeError(f"table must be a pandas DataFrame, got {type(table).__name__}")
        if len(table) == 0:
            raise ValueError("table is empty")
        wanted = list(self.numeric) + list(self.categorical)
        missing = [c for c in wanted if c not in table.columns]
        if missing:
            raise ValueError(
                f"unknown column(s) {missing}: the table has columns {list(table.columns)}"
            )
        for c in self.numeric:
            if not pd.api.types.is_numeric_dtype(table[c]) or pd.api.types.is_bool_dtype(table[c]):
                raise TypeError(
                    f"numeric column {c!r} must hold numbers, got dtype {table[c].dtype}; "
                    "list it under categorical instead"
                )
            if np.isinf(table[c].to_numpy(dtype=float)).any():
                raise ValueError(f"numeric column {c!r} contains infinite values")
        frame = table[wanted].copy()
        if self.categorical:
            frame[list(self.categorical)] = _to_object(frame[list(self.categorical)])
        return frame

    def fit(self, table, y=None):
        """Fit imputers, scaler and one-hot encoder on the training ``table``."""
        frame = self._check_frame(table)
        self.transformer_ = make_table_transformer(
            self.numeric, self.categorical, scaler=self.scaler, add_indicator=self.add_indicator
        ).fit(frame)
        self.feature_names_ = [str(f) for f in self.transformer_.get_feature_names_out()]
        return self

    def transform(self, table):
        """Features of ``table``: float32 ``(n, d)``, columns named by ``feature_names_``."""
        check_is_fitted(self, "transformer_")
        out = self.transformer_.transform(self._check_frame(table))
        return np.asarray(out, dtype=np.float32)

    def inverse_transform(self, features):
        """Numeric columns back in their units (imputed values included), as a DataFrame.

        Categorical columns come back as the category whose one-hot column is largest.
        """
        check_is_fitted(self, "transformer_")
        x = _numeric_array("features", features, 2)
        if x.shape[1] != len(self.feature_names_):
            raise ValueError(
                f"features must have {len(self.feature_names_)} columns "
                f"({self.feature_names_}), got shape {x.shape}"
            )
        out = {}
        start = 0
        for name, pipe, cols in self.transformer_.transformers_:
            if name == "remainder":
                continue
            width = len(pipe.get_feature_names_out(cols))
            block = x[:, start : start + width]
            start += width
            if name == "num":
                values = pipe.named_steps["scale"].inverse_transform(block)
                for j, c in enumerate(cols):
                    out[c] = values[:, j]
            else:
                enc = pipe.named_steps["onehot"]
                offset = 0
                for c, cats in zip(cols, enc.categories_, strict=True):
                    part = block[:, offset : offset + len(cats)]
                    out[c] = np.asarray(cats, dtype=object)[part.argmax(axis=1)]
                    offset += len(cats)
        return pd.DataFrame(out)[list(self.numeric) + list(self.categorical)]


# --- the whole: scenes to named arrays ----------------------------------------------


_KEY_OF = {"image": "images", "caption": "captions", "sound": "sounds", "table": "table"}


def _modalities_of(scenes, modalities):
    """Raw data of each modality from a ``Scenes`` or a dict; checks equal lengths."""
    from mmteach.datasets import Scenes

    if isinstance(scenes, Scenes):
        raw = {m: getattr(scenes, _KEY_OF[m]) for m in modalities}
    elif isinstance(scenes, Mapping):
        missing = [m for m in modalities if m not in scenes]
        if missing:
            raise ValueError(
                f"scenes is missing modality(ies) {missing}: got keys {sorted(scenes)}"
            )
        raw = {m: scenes[m] for m in modalities}
    else:
        raise TypeError(
            "scenes must be a Scenes object or a dict {modality: raw data}, "
            f"got {type(scenes).__name__}"
        )
    lengths = {m: len(v) for m, v in raw.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"modalities have mismatched lengths {lengths}: rows must be aligned")
    return raw


class ShapesPreprocessor(TransformerMixin, BaseEstimator):
    """All per-modality steps at once: scenes to a dict of named, model-ready arrays.

    ``fit`` (on the training scenes only) fits an :class:`ImageScaler`, a
    :class:`CaptionVectorizer`, a :class:`SpectrogramScaler` and a
    :class:`TablePreprocessor` -- one per requested modality. ``transform`` turns any
    split into ``{"image": float32 (n, 32, 32, 3), "caption": int32 (n, max_len),
    "sound": float32 (n, frames, bins), "table": float32 (n, d)}`` (only the requested
    modalities), the names a Keras model with named inputs expects. It accepts a
    :class:`~mmteach.datasets.Scenes` or a dict ``{"image": images, "caption":
    captions, "sound": waveforms, "table": DataFrame}``. Introduced in Chapter 2.

    >>> from mmteach.datasets import make_scenes
    >>> prep = ShapesPreprocessor(modalities=("caption", "table")).fit(make_scenes(200))
    >>> prep.input_shapes
    {'caption': (12,), 'table': (10,)}
    """

    def __init__(
        self,
        modalities=("image", "caption", "sound", "table"),
        *,
        max_len: int = 12,
        min_count: int = 1,
        window: int = SPECTROGRAM_WINDOW,
        hop: int = SPECTROGRAM_HOP,
        max_hz: float | None = 2000.0,
        numeric=NUMERIC_COLUMNS,
        categorical=CATEGORICAL_COLUMNS,
        table_scaler: str = "standard",
    ):
        self.modalities = modalities
        self.max_len = max_len
        self.min_count = min_count
        self.window = window
        self.hop = hop
        self.max_hz = max_hz
        self.numeric = numeric
        self.categorical = categorical
        self.table_scaler = table_scaler

    def _check_modalities(self):
        from mmteach.datasets import _check_modalities

        mods = _check_modalities(self.modalities)
        if not mods:
            raise ValueError(
                "modalities is empty: name at least one of image, caption, sound, table"
            )
        return mods

    def fit(self, scenes, y=None):
        """Fit every modality's step on the training ``scenes``."""
        mods = self._check_modalities()
        raw = _modalities_of(scenes, mods)
        steps = {
            "image": lambda: ImageScaler(),
            "caption": lambda: CaptionVectorizer(max_len=self.max_len, min_count=self.min_count),
            "sound": lambda: SpectrogramScaler(
                window=self.window, hop=self.hop, max_hz=self.max_hz
            ),
            "table": lambda: TablePreprocessor(
                numeric=self.numeric, categorical=self.categorical, scaler=self.table_scaler
            ),
        }
        self.steps_ = {m: steps[m]().fit(raw[m]) for m in mods}
        self.modalities_ = tuple(mods)
        return self

    def transform(self, scenes) -> dict:
        """``{modality: array}`` for the fitted modalities, rows aligned with ``scenes``."""
        check_is_fitted(self, "steps_")
        raw = _modalities_of(scenes, self.modalities_)
        return {m: self.steps_[m].transform(raw[m]) for m in self.modalities_}

    def fit_transform(self, scenes, y=None) -> dict:
        return self.fit(scenes).transform(scenes)

    @property
    def input_shapes(self) -> dict:
        """``{modality: shape without the batch axis}``, e.g. for ``keras.Input(shape=...)``."""
        check_is_fitted(self, "steps_")
        shapes = {}
        for m, step in self.steps_.items():
            if m == "image":
                shapes[m] = step.image_shape_
            elif m == "caption":
                shapes[m] = (step.max_len,)
            elif m == "sound":
                shapes[m] = step.output_shape_
            else:
                shapes[m] = (len(step.feature_names_),)
        return shapes

    @property
    def vocab_size(self) -> int:
        """Size of the caption vocabulary (padding and ``[UNK]`` included)."""
        check_is_fitted(self, "steps_")
        if "caption" not in self.steps_:
            raise ValueError("this preprocessor has no caption step: add 'caption' to modalities")
        return self.steps_["caption"].vocab_size

    def keras_inputs(self) -> dict:
        """``{modality: keras.Input}`` with the right shape, dtype and name for each array."""
        import keras

        return {
            m: keras.Input(shape=s, name=m, dtype=INPUT_DTYPES[m])
            for m, s in self.input_shapes.items()
        }


# --- tf.data ------------------------------------------------------------------------


def _check_arrays(name, arrays, n=None):
    """Dict of named arrays of one length; returns (dict of ndarrays, length)."""
    out = {}
    for key, value in arrays.items():
        if not isinstance(key, str):
            raise TypeError(f"{name} keys must be names (str), got {key!r}")
        x = np.asarray(value)
        if x.dtype == object:
            raise TypeError(
                f"{name}[{key!r}] must be a numeric array, got dtype object: "
                "turn text into ids first (CaptionVectorizer)"
            )
        if x.ndim == 0:
            raise ValueError(f"{name}[{key!r}] must have a batch axis, got a scalar")
        if np.issubdtype(x.dtype, np.floating) and not np.all(np.isfinite(x)):
            raise ValueError(f"{name}[{key!r}] contains NaN or infinite values")
        out[key] = x
    lengths = {k: len(v) for k, v in out.items()}
    if n is not None:
        lengths = {"(inputs)": n, **lengths}
    if len(set(lengths.values())) > 1:
        raise ValueError(
            f"{name} have mismatched lengths {lengths}: every array needs one row per example"
        )
    length = next(iter(lengths.values()), 0)
    if length == 0:
        raise ValueError(f"{name} has no rows: is the split empty?")
    return out, length


def to_dataset(
    inputs,
    labels=None,
    batch_size: int = 128,
    shuffle: bool = False,
    seed: int = 0,
    drop_remainder: bool = False,
):
    """A ``tf.data.Dataset`` of ``(inputs, labels)`` batches: shuffle, batch, prefetch.

    ``inputs`` is a dict of named arrays (as from :meth:`ShapesPreprocessor.transform`);
    ``labels`` an array, a dict of arrays (one per output of a multi-output model), or
    ``None`` (the dataset then yields inputs only). With ``shuffle=True`` the order
    changes every epoch, reproducibly from ``seed``. With ``drop_remainder=True``
    every batch has exactly ``batch_size`` rows (the last, smaller one of each epoch
    is left out; with shuffling, different rows each epoch): Keras then compiles its
    training step for one batch shape instead of two (Chapter 3 explains why that
    matters). Introduced in Chapter 2.

    >>> import numpy as np
    >>> ds = to_dataset({"x": np.zeros((10, 3), "float32")}, np.arange(10), batch_size=4)
    >>> [int(y.shape[0]) for _, y in ds]
    [4, 4, 2]
    >>> ds = to_dataset({"x": np.zeros((10, 3), "float32")}, np.arange(10), batch_size=4, drop_remainder=True)
    >>> [int(y.shape[0]) for _, y in ds]
    [4, 4]
    """
    import tensorflow as tf

    if not isinstance(inputs, Mapping) or not inputs:
        raise TypeError(
            f"inputs must be a non-empty dict {{name: array}}, got {type(inputs).__name__}"
        )
    inputs, n = _check_arrays("inputs", inputs)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    seed = check_seed(seed)
    if not isinstance(shuffle, bool):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    if not isinstance(drop_remainder, bool):
        raise TypeError(f"drop_remainder must be True or False, got {drop_remainder!r}")
    if drop_remainder and batch_size > n:
        raise ValueError(
            f"drop_remainder=True with batch_size={batch_size} but only {n} rows: "
            "every batch would be dropped; use a smaller batch_size"
        )
    if labels is None:
        elements = inputs
    else:
        if isinstance(labels, Mapping):
            labels, _ = _check_arrays("labels", labels, n)
        else:
            labels, _ = _check_arrays("labels", {"labels": labels}, n)
            labels = labels["labels"]
        elements = (inputs, labels)
    ds = tf.data.Dataset.from_tensor_slices(elements)
    if shuffle:
        ds = ds.shuffle(n, seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)


# --- joining modalities -------------------------------------------------------------


@dataclass
class JoinReport:
    """What :func:`join_by_key` matched and what it did not."""

    key: str
    n_left: int
    n_right: int
    n_joined: int
    left_only: list = field(default_factory=list)
    right_only: list = field(default_factory=list)
    duplicated_left: list = field(default_factory=list)
    duplicated_right: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every key matched exactly one row on each side."""
        return not (
            self.left_only or self.right_only or self.duplicated_left or self.duplicated_right
        )

    def __str__(self) -> str:
        def few(keys):
            shown = ", ".join(map(str, keys[:5]))
            return f"{len(keys)} ({shown}{', ...' if len(keys) > 5 else ''})" if keys else "0"

        return (
            f"join on {self.key!r}: {self.n_left} left rows, {self.n_right} right rows -> "
            f"{self.n_joined} joined; only in left: {few(self.left_only)}; only in right: "
            f"{few(self.right_only)}; duplicated keys in left: {few(self.duplicated_left)}; "
            f"in right: {few(self.duplicated_right)}"
        )


def _key_kind(keys) -> str:
    """'numeric' or 'text' (or the dtype): keys of two kinds never compare equal."""
    if pd.api.types.is_numeric_dtype(keys) and not pd.api.types.is_bool_dtype(keys):
        return "numeric"
    if pd.api.types.is_string_dtype(keys) or keys.map(type).eq(str).all():
        return "text"
    return str(keys.dtype)


def join_by_key(
    left: pd.DataFrame,
    right: pd.DataFrame,
    key: str,
    *,
    how: str = "inner",
    validate: str | None = "one_to_one",
    suffixes=("_left", "_right"),
):
    """Join two modalities recorded separately by ``key``; report what did not match.

    Returns ``(joined, report)``: ``joined`` is the pandas merge (``how="inner"`` keeps
    keys found on both sides), ``report`` a :class:`JoinReport` listing keys only in
    ``left``, only in ``right``, and keys repeated on either side. With
    ``validate="one_to_one"`` (the default) a repeated key raises a ``ValueError``
    naming it, because a repeated key silently multiplies rows; ``validate=None`` only
    reports. Missing keys (NaN) are refused. Introduced in Chapter 2.

    >>> import pandas as pd
    >>> images = pd.DataFrame({"scene_id": ["a", "b", "c"], "path": ["a.png", "b.png", "c.png"]})
    >>> captions = pd.DataFrame({"scene_id": ["b", "c", "d"], "caption": ["x", "y", "z"]})
    >>> joined, report = join_by_key(images, captions, "scene_id")
    >>> joined["scene_id"].tolist(), report.left_only, report.right_only
    (['b', 'c'], ['a'], ['d'])
    """
    for name, frame in (("left", left), ("right", right)):
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"{name} must be a pandas DataFrame, got {type(frame).__name__}")
        if not isinstance(key, str):
            raise TypeError(f"key must be a column name (str), got {key!r}")
        if key not in frame.columns:
            raise ValueError(
                f"unknown column {key!r} in {name}: it has columns {list(frame.columns)}"
            )
        if frame[key].isna().any():
            raise ValueError(
                f"{name}[{key!r}] has {int(frame[key].isna().sum())} missing keys: "
                "rows without a key cannot be joined; drop or repair them first"
            )
    hows = ("inner", "left", "right", "outer")
    if how not in hows:
        raise ValueError(f"how must be one of {hows}, got {how!r}")
    if validate not in (None, "one_to_one"):
        raise ValueError(f"validate must be 'one_to_one' or None, got {validate!r}")
    lkeys, rkeys = left[key], right[key]
    kinds = {name: _key_kind(keys) for name, keys in (("left", lkeys), ("right", rkeys))}
    if kinds["left"] != kinds["right"]:
        raise ValueError(
            f"left[{key!r}] holds {kinds['left']} keys but right[{key!r}] holds {kinds['right']} "
            f"keys, so no key could match: convert one side first, e.g. "
            f"right[{key!r}].astype(int) or left[{key!r}].astype(str)"
        )
    dup_left = sorted(lkeys[lkeys.duplicated()].unique().tolist())
    dup_right = sorted(rkeys[rkeys.duplicated()].unique().tolist())
    left_set, right_set = set(lkeys), set(rkeys)
    report = JoinReport(
        key=key,
        n_left=len(left),
        n_right=len(right),
        n_joined=0,
        left_only=sorted(left_set - right_set),
        right_only=sorted(right_set - left_set),
        duplicated_left=dup_left,
        duplicated_right=dup_right,
    )
    if validate == "one_to_one" and (dup_left or dup_right):
        raise ValueError(
            f"join on {key!r} is not one-to-one: {len(dup_left)} key(s) repeated in left "
            f"{dup_left[:5]}, {len(dup_right)} in right {dup_right[:5]}. Remove duplicates "
            "first (e.g. drop_duplicates(subset=key)) or pass validate=None to only report"
        )
    joined = pd.merge(left, right, on=key, how=how, suffixes=tuple(suffixes))
    report.n_joined = len(joined)
    return joined, report


# --- cleaning -----------------------------------------------------------------------


def _outlying(table, factor, reference=None):
    """Numeric cells more than ``factor`` times above (or below) their column's median
    (the median of ``reference``'s column when given, such as the training table)."""
    numeric = table.select_dtypes("number")
    median = (numeric if reference is None else reference[numeric.columns]).median().abs()
    ratio = numeric.abs() / median.where(median > 0)
    return (ratio > factor) | (ratio < 1 / factor)


def _reference_table(reference, scenes):
    """The table whose column medians define an outlier: ``reference``'s, else the scenes' own."""
    from mmteach.datasets import Scenes

    if reference is None:
        return None
    if not isinstance(reference, Scenes):
        raise TypeError(
            f"reference must be a Scenes object (such as the training split), "
            f"got {type(reference).__name__}"
        )
    missing = set(scenes.table.select_dtypes("number").columns) - set(reference.table.columns)
    if missing:
        raise ValueError(f"reference lacks the table columns {sorted(missing)}")
    return reference.table


def find_defects(
    scenes,
    *,
    clip_level: float | None = None,
    outlier_factor: float = 10.0,
    reference=None,
):
    """Flag the defects of messy scenes, one boolean column per check (a DataFrame).

    Checks, each from the data alone (never from the generator's own flags):
    ``duplicate_id`` (a ``scene_id`` seen before: later copies are flagged),
    ``corrupted_image`` (a constant image: no pixel varies), ``empty_caption``
    (no words), ``clipped_audio`` (at least 2% of samples pinned at the waveform's
    extreme value, or at ``clip_level`` if given), ``outlier`` (a numeric table value
    ``outlier_factor`` times larger or smaller than its column's median: an order of
    magnitude off, as when a value is typed in the wrong unit), and ``missing_values``
    (any NaN in the table). Introduced in Chapter 2.

    The outlier check compares with a median, the one rule that looks at other rows. To
    clean validation or test scenes the way the training scenes were cleaned, without
    letting them shape the rule, pass the training scenes as ``reference``: their medians
    are used.

    >>> from mmteach.datasets import make_scenes
    >>> flags = find_defects(make_scenes(400, seed=1, messy=True))
    >>> sorted(flags.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['clipped_audio', 'corrupted_image', 'duplicate_id', 'empty_caption', 'missing_values',
     'outlier']
    """
    from mmteach.datasets import Scenes

    if not isinstance(scenes, Scenes):
        raise TypeError(f"scenes must be a Scenes object, got {type(scenes).__name__}")
    outlier_factor = check_number("outlier_factor", outlier_factor, low=1.0, low_open=True)
    reference_table = _reference_table(reference, scenes)
    images = scenes.images.reshape(len(scenes), -1)
    sounds = np.abs(scenes.sounds)
    if clip_level is not None:
        clip_level = check_number("clip_level", clip_level, low=0.0, low_open=True)
    peak = sounds.max(axis=1, keepdims=True) if clip_level is None else clip_level
    at_peak = (sounds >= np.float32(0.999) * peak) & (sounds > 0)
    table = scenes.table
    return pd.DataFrame(
        {
            "duplicate_id": table["scene_id"].duplicated().to_numpy(),
            "corrupted_image": images.std(axis=1) == 0,
            "empty_caption": np.array([not str(c).split() for c in scenes.captions]),
            "clipped_audio": at_peak.mean(axis=1) >= 0.02,
            "outlier": _outlying(table, outlier_factor, reference_table).any(axis=1).to_numpy(),
            "missing_values": table.isna().any(axis=1).to_numpy(),
        }
    )


def clean_scenes(scenes, *, outlier_factor: float = 10.0, reference=None):
    """Chapter 2's cleaning in one call: returns ``(clean_scenes, counts)``.

    Drops repeated ``scene_id`` rows (keeping the first) and corrupted images; sets
    outlying table values (see :func:`find_defects`) to NaN, for the table imputer to
    fill later; keeps empty captions (the model reads them as "the caption says
    nothing"), clipped audio (still informative) and other missing values (imputed
    later). Every rule looks at one row at a time except the outlier rule, which
    compares with a column median: the scenes' own, or ``reference``'s (pass the training
    scenes when cleaning a validation or test split). ``counts`` says how many rows each
    step touched. Introduced in Chapter 2.

    >>> from mmteach.datasets import make_scenes
    >>> clean, counts = clean_scenes(make_scenes(400, seed=1, messy=True))
    >>> bool(clean.table["scene_id"].is_unique), sorted(counts)
    (True, ['corrupted_images_dropped', 'duplicates_dropped', 'outliers_set_to_nan'])
    """
    flags = find_defects(scenes, outlier_factor=outlier_factor, reference=reference)
    drop = flags["duplicate_id"] | flags["corrupted_image"]
    clean = scenes.subset(np.flatnonzero(~drop.to_numpy()))
    outlying = _outlying(clean.table, outlier_factor, _reference_table(reference, scenes))
    table = clean.table.copy()
    table[outlying.columns] = table[outlying.columns].mask(outlying)
    clean.table = table
    counts = {
        "duplicates_dropped": int(flags["duplicate_id"].sum()),
        "corrupted_images_dropped": int((flags["corrupted_image"] & ~flags["duplicate_id"]).sum()),
        "outliers_set_to_nan": int(outlying.to_numpy().sum()),
    }
    return clean, counts
