"""Speech: log-mel features, per-speaker normalisation, and CTC speech to text.

Introduced in Chapter 9 (``notebooks/09_real_data.ipynb``: features, normalisation, noise)
and Chapter 10 (``notebooks/10_speech_to_text.ipynb``: CTC). Everything works on plain
NumPy arrays of waveforms (float, 8 kHz by default), such as
:func:`mmteach.datasets.load_fsdd` returns.

- :func:`mel_filterbank`, :func:`log_mel` -- a log-mel spectrogram of each clip, computed
  clip by clip with a fixed floor, so a clip's features never depend on the other clips of
  a batch (Keras's ``MelSpectrogram(power_to_db=True)`` clips relative to the loudest value
  *in the batch*: the same clip gets different features in different company);
- :func:`normalize_per_speaker` -- standardise every mel band with the statistics of each
  speaker's own recordings (speaker adaptation from unlabelled audio);
- :func:`pad_frames` -- centre, pad or trim variable-length feature sequences to one length;
- :func:`add_noise` -- white noise at a chosen signal-to-noise ratio;
- :func:`join_clips` -- several clips joined with short gaps (a spoken number);
- :func:`encode_digits`, :func:`decode_labels`, :func:`ctc_greedy_decode` -- CTC's label
  convention (blank = 0, so digit ``d`` is label ``d + 1``) and its greedy decoding;
- :func:`ctc_recognizer` -- a small convolutional-recurrent network that outputs CTC logits;
- :func:`edit_distance`, :func:`digit_error_rate` -- the metric of speech recognition.
"""

from __future__ import annotations

import numpy as np

from mmteach._validation import (
    check_array,
    check_int,
    check_number,
    check_same_length,
    check_seed,
    check_strings,
    describe,
)
from mmteach.preprocessing import spectrogram

__all__ = [
    "mel_filterbank",
    "log_mel",
    "normalize_per_speaker",
    "pad_frames",
    "add_noise",
    "join_clips",
    "BLANK",
    "encode_digits",
    "decode_labels",
    "ctc_greedy_decode",
    "ctc_recognizer",
    "edit_distance",
    "digit_error_rate",
]

#: CTC's blank label. ``keras.losses.CTC`` and ``keras.ops.ctc_decode`` use 0 both as the
#: blank and as the padding of the targets, so the digits are shifted to labels 1-10.
BLANK = 0


def _waveform_list(name, waveforms):
    """A list of 1-D float arrays from one 1-D array, a 2-D array or a list of 1-D arrays."""
    if isinstance(waveforms, np.ndarray) and waveforms.ndim in (1, 2) and waveforms.dtype != object:
        waves = [waveforms] if waveforms.ndim == 1 else list(waveforms)
    elif isinstance(waveforms, (list, tuple)) or (
        isinstance(waveforms, np.ndarray) and waveforms.dtype == object
    ):
        waves = list(waveforms)
    else:
        raise TypeError(
            f"{name} must be a 1-D waveform or a list of 1-D waveforms, got {describe(waveforms)}"
        )
    if not waves:
        raise ValueError(f"{name} is empty: at least one waveform is needed")
    out = []
    for i, w in enumerate(waves):
        w = check_array(f"{name}[{i}]", w, ndim=1, min_len=1)
        out.append(w.astype(np.float32, copy=False))
    return out


def mel_filterbank(
    n_mels: int = 32, *, window: int = 256, sample_rate: int = 8000, fmin: float = 0.0, fmax=None
) -> np.ndarray:
    """Triangular mel filters, shape ``(n_mels, window // 2 + 1)``. Introduced in Chapter 9.

    The mel scale, ``2595 log10(1 + f / 700)``, spaces the filters evenly in *perceived*
    pitch: narrow at low frequencies, wide at high ones. Each row peaks at 1.

    >>> fb = mel_filterbank(8, window=64)
    >>> fb.shape, float(fb.max())
    ((8, 33), 1.0)
    """
    n_mels = check_int("n_mels", n_mels, minimum=1)
    window = check_int("window", window, minimum=2)
    sample_rate = check_int("sample_rate", sample_rate, minimum=1)
    fmax = sample_rate / 2 if fmax is None else check_number("fmax", fmax, high=sample_rate / 2)
    fmin = check_number("fmin", fmin, low=0.0, high=fmax, high_open=True)
    hz_to_mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)
    mel_to_hz = lambda m: 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    edges = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    freqs = np.linspace(0.0, sample_rate / 2, window // 2 + 1)
    bank = np.zeros((n_mels, len(freqs)), np.float32)
    for i in range(n_mels):
        low, centre, high = edges[i : i + 3]
        rising = (freqs - low) / (centre - low)
        falling = (high - freqs) / (high - centre)
        bank[i] = np.clip(np.minimum(rising, falling), 0.0, None)
    peak = bank.max(axis=1, keepdims=True)
    return bank / np.where(peak > 0, peak, 1.0)


def log_mel(
    waveforms,
    *,
    sample_rate: int = 8000,
    window: int = 256,
    hop: int = 128,
    n_mels: int = 32,
    floor: float = 1e-6,
):
    """Log-mel spectrogram of each clip: ``log(mel power + floor)``, shape ``(frames, n_mels)``.

    ``waveforms`` is one 1-D waveform (returns one array) or a list of waveforms of any
    lengths (returns a list). Each clip is computed on its own with a fixed ``floor``, so
    its features do not depend on which other clips share the batch. A clip shorter than
    one window is padded with zeros to one frame. Defaults: 32 ms windows every 16 ms.
    Introduced in Chapter 9.

    >>> t = np.arange(4000) / 8000
    >>> feats = log_mel(np.sin(2 * np.pi * 500 * t).astype("float32"))
    >>> feats.shape
    (30, 32)
    >>> [f.shape for f in log_mel([np.zeros(1000), np.zeros(300)])]
    [(6, 32), (1, 32)]
    """
    single = isinstance(waveforms, np.ndarray) and waveforms.ndim == 1
    waves = _waveform_list("waveforms", waveforms)
    window = check_int("window", window, minimum=2)
    hop = check_int("hop", hop, minimum=1)
    floor = check_number("floor", floor, low=0.0, low_open=True)
    bank = mel_filterbank(n_mels, window=window, sample_rate=sample_rate)
    out = []
    for w in waves:
        if len(w) < window:
            w = np.pad(w, (0, window - len(w)))
        power = spectrogram(w, sample_rate=sample_rate, window=window, hop=hop, log=False) ** 2
        out.append(np.log(power @ bank.T + floor).astype(np.float32))
    return out[0] if single else out


def normalize_per_speaker(features, speakers):
    """Standardise each mel band with the mean and spread of each speaker's own frames.

    ``features`` is a list of ``(frames, bands)`` arrays (or one 3-D array), ``speakers``
    one id per clip. Every speaker's frames are pooled; each band gets that speaker's
    mean 0 and standard deviation 1. This removes much of what differs between voices and
    microphones. It uses a new speaker's recordings but never their labels: it is speaker
    adaptation from unlabelled audio, done the same way for training and test speakers.
    Introduced in Chapter 9.

    >>> feats = [np.full((2, 1), 5.0), np.full((2, 1), 7.0), np.full((3, 1), 1.0)]
    >>> [f.ravel().tolist() for f in normalize_per_speaker(feats, ["a", "a", "b"])]
    [[-1.0, -1.0], [1.0, 1.0], [0.0, 0.0, 0.0]]
    """
    feats = [check_array(f"features[{i}]", f, ndim=2) for i, f in enumerate(features)]
    if not feats:
        raise ValueError("features is empty: at least one clip is needed")
    speakers = np.asarray(speakers)
    if speakers.ndim != 1:
        raise ValueError(f"speakers must be one id per clip (1-D), got shape {speakers.shape}")
    check_same_length(features=feats, speakers=speakers)
    bands = {f.shape[1] for f in feats}
    if len(bands) > 1:
        raise ValueError(f"features must all have the same number of bands, got {sorted(bands)}")
    out = [None] * len(feats)
    for speaker in np.unique(speakers):
        idx = np.flatnonzero(speakers == speaker)
        frames = np.concatenate([feats[i] for i in idx])
        mean = frames.mean(axis=0)
        std = frames.std(axis=0)
        std = np.where(std > 1e-8, std, 1.0)
        for i in idx:
            out[i] = ((feats[i] - mean) / std).astype(np.float32)
    return out


def pad_frames(features, n_frames: int, *, value: float = 0.0) -> np.ndarray:
    """Centre each ``(frames, bands)`` array in ``n_frames`` frames: ``(n, n_frames, bands)``.

    Shorter clips are padded with ``value`` on both sides (after per-speaker
    normalisation 0 is the speaker's average frame); longer ones keep their middle
    ``n_frames``. Introduced in Chapter 9.

    >>> pad_frames([np.ones((2, 1)), np.arange(6.0).reshape(6, 1)], 4)[..., 0].tolist()
    [[0.0, 1.0, 1.0, 0.0], [1.0, 2.0, 3.0, 4.0]]
    """
    n_frames = check_int("n_frames", n_frames, minimum=1)
    value = check_number("value", value)
    feats = [check_array(f"features[{i}]", f, ndim=2) for i, f in enumerate(features)]
    if not feats:
        raise ValueError("features is empty: at least one clip is needed")
    bands = {f.shape[1] for f in feats}
    if len(bands) > 1:
        raise ValueError(f"features must all have the same number of bands, got {sorted(bands)}")
    out = np.full((len(feats), n_frames, bands.pop()), value, np.float32)
    for i, f in enumerate(feats):
        f = f[max(0, (len(f) - n_frames) // 2) :][:n_frames]
        start = (n_frames - len(f)) // 2
        out[i, start : start + len(f)] = f
    return out


def add_noise(waveforms, snr_db: float, *, seed: int = 0):
    """Add white noise at a signal-to-noise ratio of ``snr_db`` decibels to each clip.

    The noise power of each clip is its own mean power divided by ``10 ** (snr_db / 10)``:
    at 0 dB noise and speech are equally loud. ``snr_db=float("inf")`` returns copies.
    Accepts and returns what :func:`log_mel` does. Introduced in Chapter 9.

    >>> x = np.sin(np.arange(8000) / 5.0).astype("float32")
    >>> noisy = add_noise(x, 0.0, seed=1)
    >>> round(float(np.mean((noisy - x) ** 2) / np.mean(x**2)), 1)
    1.0
    """
    single = isinstance(waveforms, np.ndarray) and waveforms.ndim == 1
    waves = _waveform_list("waveforms", waveforms)
    if isinstance(snr_db, bool) or not isinstance(snr_db, (int, float, np.number)):
        raise TypeError(f"snr_db must be a number of decibels, got {describe(snr_db)}")
    if np.isnan(snr_db):
        raise ValueError("snr_db must be a number of decibels, got nan")
    rng = np.random.default_rng(check_seed(seed))
    out = []
    for w in waves:
        if np.isposinf(snr_db):
            out.append(w.copy())
            continue
        noise_power = np.mean(w.astype(np.float64) ** 2) / 10.0 ** (snr_db / 10.0)
        out.append((w + rng.normal(0.0, np.sqrt(noise_power), len(w))).astype(np.float32))
    return out[0] if single else out


def join_clips(waveforms, *, gap: int = 400) -> np.ndarray:
    """Join clips into one waveform with ``gap`` samples of silence between them (50 ms).

    >>> join_clips([np.ones(3), np.ones(2)], gap=1).tolist()
    [1.0, 1.0, 1.0, 0.0, 1.0, 1.0]
    """
    waves = _waveform_list("waveforms", waveforms)
    gap = check_int("gap", gap, minimum=0)
    silence = np.zeros(gap, np.float32)
    parts = []
    for i, w in enumerate(waves):
        if i:
            parts.append(silence)
        parts.append(w)
    return np.concatenate(parts)


# --- CTC ------------------------------------------------------------------------------


def encode_digits(digits, *, max_len: int | None = None) -> np.ndarray:
    """Digit sequences to CTC targets: digit ``d`` becomes label ``d + 1``, padded with 0.

    ``keras.losses.CTC`` reads 0 as the blank *and* as padding, so a digit 0 left as 0
    would vanish from the target. Introduced in Chapter 10.

    >>> encode_digits([[3, 1, 4], [0, 9]]).tolist()
    [[4, 2, 5], [1, 10, 0]]
    """
    seqs = [
        check_array(f"digits[{i}]", d, ndim=1, kind="integer", low=0, high=9) for i, d in enumerate(digits)
    ]
    if not seqs:
        raise ValueError("digits is empty: at least one sequence is needed")
    longest = max(len(s) for s in seqs)
    max_len = longest if max_len is None else check_int("max_len", max_len, minimum=longest)
    out = np.zeros((len(seqs), max_len), np.int32)
    for i, s in enumerate(seqs):
        out[i, : len(s)] = s + 1
    return out


def decode_labels(labels) -> list[str]:
    """CTC labels back to text: ``[[4, 2, 5]]`` -> ``["3 1 4"]``; 0 and -1 (padding) dropped.

    >>> decode_labels([[4, 2, 5, 0], [1, -1, -1, -1]])
    ['3 1 4', '0']
    """
    arr = check_array("labels", labels, ndim=2, kind="integer", low=-1, high=10)
    return [" ".join(str(int(v) - 1) for v in row if v > 0) for row in arr]


def ctc_greedy_decode(logits) -> list[list[int]]:
    """Best path decoding: the likeliest label per frame, repeats merged, blanks removed.

    ``logits`` (or probabilities) has shape ``(n, frames, 11)``; returns each clip's
    labels (1-10, digit + 1). The same as ``keras.ops.ctc_decode(strategy="greedy")``.
    Introduced in Chapter 10.

    >>> frames = np.eye(11)[[0, 4, 4, 0, 2, 2, 2, 0, 5]]  # blank 3 3 blank 1 1 1 blank 4
    >>> ctc_greedy_decode(frames[None])
    [[4, 2, 5]]
    """
    x = check_array("logits", logits, ndim=3)
    best = x.argmax(axis=-1)
    out = []
    for path in best:
        keep = np.r_[True, path[1:] != path[:-1]] & (path != BLANK)
        out.append(path[keep].astype(int).tolist())
    return out


def ctc_recognizer(
    n_frames: int,
    n_bands: int,
    *,
    n_labels: int = 11,
    filters: int = 64,
    units: int = 64,
    name: str = "ctc_recognizer",
):
    """A small convolutional-recurrent network for CTC: ``(frames, bands)`` -> logits.

    Two 1-D convolutions over time, each with stride 2 and batch normalisation, find local
    sound patterns and shorten the sequence four times (a digit still spans several
    output frames); a bidirectional GRU reads the whole clip in both directions; a Dense
    layer gives, for every output frame, one *logit* per label (blank plus the ten digits).
    No softmax: ``keras.losses.CTC`` wants logits. Introduced in Chapter 10.

    >>> model = ctc_recognizer(140, 32)
    >>> model.output_shape
    (None, 35, 11)
    """
    import keras
    from keras import layers

    n_frames = check_int("n_frames", n_frames, minimum=4)
    n_bands = check_int("n_bands", n_bands, minimum=1)
    n_labels = check_int("n_labels", n_labels, minimum=2)
    filters = check_int("filters", filters, minimum=1)
    units = check_int("units", units, minimum=1)
    features = keras.Input(shape=(n_frames, n_bands), name="log_mel")
    x = features
    for _ in range(2):
        x = layers.Conv1D(filters, 5, strides=2, padding="same", activation="relu")(x)
        x = layers.BatchNormalization()(x)
    x = layers.Bidirectional(layers.GRU(units, return_sequences=True))(x)
    logits = layers.Dense(n_labels, name="logits")(x)
    return keras.Model(features, logits, name=name)


# --- metric -----------------------------------------------------------------------------


def _tokens(name, value):
    if isinstance(value, str):
        return value.split()
    return [str(v) for v in np.asarray(value).ravel().tolist()]


def edit_distance(reference, hypothesis) -> int:
    """Levenshtein distance: the fewest substitutions, deletions and insertions between two
    token sequences (strings are split on spaces). Introduced in Chapter 10.

    >>> edit_distance("3 1 4", "3 4"), edit_distance("3 1 4", "3 7 4 4")
    (1, 2)
    """
    ref, hyp = _tokens("reference", reference), _tokens("hypothesis", hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def digit_error_rate(references, hypotheses) -> float:
    """Digit error rate: total edit distance over the total number of reference digits.

    Like the word error rate of speech recognition, computed over a whole set (not the
    mean of per-clip rates); it can exceed 1 when a model inserts many digits.
    Introduced in Chapter 10.

    >>> digit_error_rate(["3 1 4", "2 7 1"], ["3 1 4", "2 1"])
    0.16666666666666666
    """
    refs = check_strings("references", references)
    hyps = check_strings("hypotheses", hypotheses)
    check_same_length(references=refs, hypotheses=hyps)
    total = sum(len(r.split()) for r in refs)
    if total == 0:
        raise ValueError("references hold no digits: the error rate is undefined")
    return sum(edit_distance(r, h) for r, h in zip(refs, hyps)) / total
