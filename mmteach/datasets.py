"""The Shapes world: a built-in multimodal data set with known limits.

Introduced in Chapter 1 (``notebooks/01_modalities.ipynb``).

Each *scene* has four latent attributes -- ``shape``, ``colour``, ``size`` and
``position`` -- and is observed in four modalities:

``image``
    a 32x32 RGB float32 picture in [0, 1]: one drawn shape plus pixel noise;
``caption``
    a templated English sentence with synonyms and varied word order;
``sound``
    a 0.25 s mono waveform at 8 kHz: timbre from shape, pitch from colour,
    loudness from size, plus noise (the sound never tells position);
``table``
    a metadata row: ids, capture device, light level (uninformative) and
    measurements of area (from size) and centre coordinates (from position).

Each modality can be *silent* about an attribute, independently per scene and
with its own probability: the image draws the object in grey (colour), under a
striped tarp (shape), at an ambiguous middle size (size) or at the very centre
(position); the caption leaves the word out; the sound plays an off-scale pitch,
a bell-like timbre or a middle loudness; the table records ``NaN``. Silence is
visible (an erasure), so the best accuracy any model can reach from a set of
modalities -- the Bayes ceiling -- is exact arithmetic: :func:`bayes_ceiling`.

Example
-------
>>> from mmteach.datasets import make_scenes
>>> scenes = make_scenes(1000, seed=0)
>>> scenes.images.shape, scenes.sounds.shape
((1000, 32, 32, 3), (1000, 2000))
>>> round(scenes.ceiling("colour", ["caption"]), 3)
0.775
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from mmteach._fsdd import load_fsdd  # the real data of Chapter 9, in its own module
from mmteach._validation import check_flag, check_int, check_number, check_probability

__all__ = [
    "load_fsdd",
    "ATTRIBUTES",
    "MODALITIES",
    "INPUT_DTYPES",
    "CARRIES",
    "DEFAULT_SILENCE",
    "IMAGE_SIZE",
    "SAMPLE_RATE",
    "Scenes",
    "make_scenes",
    "make_matching_pairs",
    "bayes_ceiling",
    "matching_ceiling",
    "train_val_test_split",
]

#: The latent attributes of a scene and their values (class ``k`` is ``values[k]``).
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "shape": ("circle", "square", "triangle", "cross"),
    "colour": ("red", "green", "blue", "yellow"),
    "size": ("small", "large"),
    "position": ("top left", "top right", "bottom left", "bottom right"),
}

#: The four ways a scene is observed.
MODALITIES: tuple[str, ...] = ("image", "caption", "sound", "table")

#: Which attributes each modality can carry at all. Anything else it never tells.
CARRIES: dict[str, tuple[str, ...]] = {
    "image": ("shape", "colour", "size", "position"),
    "caption": ("shape", "colour", "size", "position"),
    "sound": ("shape", "colour", "size"),
    "table": ("size", "position"),
}

#: How often each modality is silent about each attribute it carries, by default.
DEFAULT_SILENCE: dict[str, dict[str, float]] = {
    "image": {"shape": 0.1, "colour": 0.1, "size": 0.1, "position": 0.1},
    "caption": {"shape": 0.3, "colour": 0.3, "size": 0.3, "position": 0.3},
    "sound": {"shape": 0.2, "colour": 0.2, "size": 0.2},
    "table": {"size": 0.1, "position": 0.1},
}

#: The dtype of each modality's model-ready array (captions are token ids).
INPUT_DTYPES: dict[str, str] = {
    "image": "float32",
    "caption": "int32",
    "sound": "float32",
    "table": "float32",
}

IMAGE_SIZE = 32
#: Audio: samples per second of every sound in the book, and the default spectrogram frames
#: (a window of 256 samples = 32 ms, a new frame every 64 samples = 8 ms).
SAMPLE_RATE = 8000
SPECTROGRAM_WINDOW = 256
SPECTROGRAM_HOP = 64
DURATION = 0.25
N_SAMPLES = int(SAMPLE_RATE * DURATION)

# --- rendering constants (the "generating rules" an oracle may know) ---------
PALETTE = np.array(
    [[0.90, 0.15, 0.15], [0.15, 0.75, 0.20], [0.20, 0.30, 0.95], [0.95, 0.85, 0.15]],
    dtype=np.float32,
)
GREY = np.array([0.55, 0.55, 0.55], dtype=np.float32)  # colour unknown
TARP = np.array([1.0, 1.0, 1.0], dtype=np.float32)  # stripes over an unknown shape
BACKGROUND = 0.05
HALF_SIZE = (3.25, 6.0)  # half-width of a small and a large object, in pixels
HALF_SIZE_SILENT = 4.75
PITCH_HZ = (220.0, 280.0, 360.0, 440.0)  # red, green, blue, yellow
PITCH_SILENT_HZ = 320.0
LOUDNESS_RMS = (0.15, 0.45)  # small, large
LOUDNESS_SILENT_RMS = 0.30
AREA_CM2 = ((50.0, 4.0), (150.0, 8.0))  # mean and sd of measured area: small, large

_SYNONYMS = {
    "shape": (
        ("circle", "disc", "round blob"),
        ("square", "box", "block"),
        ("triangle", "wedge", "pyramid"),
        ("cross", "plus sign", "plus"),
    ),
    "colour": (
        ("red", "crimson", "scarlet"),
        ("green", "emerald", "lime"),
        ("blue", "azure", "navy"),
        ("yellow", "golden", "lemon"),
    ),
    "size": (("small", "tiny", "little"), ("large", "big", "huge")),
    "position": (
        ("top left", "upper left", "top-left"),
        ("top right", "upper right", "top-right"),
        ("bottom left", "lower left", "bottom-left"),
        ("bottom right", "lower right", "bottom-right"),
    ),
}
_NOUN_SILENT = ("object", "thing", "item")
_DEVICES = ("cam_a", "cam_b", "phone")


def _check_attribute(name, attribute, allowed=None):
    allowed = tuple(ATTRIBUTES) if allowed is None else tuple(allowed)
    if not isinstance(attribute, str):
        raise TypeError(f"{name} must be a string, one of {allowed}; got {attribute!r}")
    if attribute not in allowed:
        raise ValueError(f"unknown {name} {attribute!r}: expected one of {allowed}")
    return attribute


def _check_modalities(modalities):
    if isinstance(modalities, str):
        modalities = [modalities]
    try:
        modalities = list(modalities)
    except TypeError:
        raise TypeError(
            f"modalities must be a list of names from {MODALITIES}, got {modalities!r}"
        ) from None
    for m in modalities:
        if m not in MODALITIES:
            raise ValueError(f"unknown modality {m!r}: expected names from {MODALITIES}")
    if len(set(modalities)) != len(modalities):
        raise ValueError(f"modalities has repeated names: {modalities}")
    return modalities


def resolve_silence(silence=None) -> dict[str, dict[str, float]]:
    """Turn a ``silence`` argument into a full ``{modality: {attribute: p}}`` table.

    ``None`` gives :data:`DEFAULT_SILENCE`; a number applies to every attribute
    every modality carries; a dict may give, per modality, a number or a dict of
    per-attribute probabilities (unnamed entries keep their defaults).

    >>> resolve_silence(0.0)["caption"]["colour"]
    0.0
    >>> resolve_silence({"caption": {"colour": 0.5}})["caption"]
    {'shape': 0.3, 'colour': 0.5, 'size': 0.3, 'position': 0.3}
    """
    table = {m: dict(p) for m, p in DEFAULT_SILENCE.items()}
    if silence is None:
        return table
    if isinstance(silence, numbers.Real) and not isinstance(silence, bool):
        p = check_probability("silence", silence)
        return {m: {a: p for a in CARRIES[m]} for m in MODALITIES}
    if not isinstance(silence, dict):
        raise TypeError(
            "silence must be None, a probability, or a dict {modality: probability or "
            f"{{attribute: probability}}}}, got {type(silence).__name__}"
        )
    for modality, spec in silence.items():
        if modality not in MODALITIES:
            raise ValueError(f"unknown modality {modality!r} in silence: expected one of {MODALITIES}")
        if isinstance(spec, numbers.Real) and not isinstance(spec, bool):
            p = check_probability(f"silence[{modality!r}]", spec)
            table[modality] = {a: p for a in CARRIES[modality]}
            continue
        if not isinstance(spec, dict):
            raise TypeError(
                f"silence[{modality!r}] must be a probability or a dict of them, "
                f"got {type(spec).__name__}"
            )
        for attribute, p in spec.items():
            _check_attribute(f"attribute in silence[{modality!r}]", attribute)
            p = check_probability(f"silence[{modality!r}][{attribute!r}]", p)
            if attribute not in CARRIES[modality]:
                if p == 1.0:
                    continue
                raise ValueError(
                    f"the {modality} never carries {attribute!r} (it is always silent about it); "
                    f"silence[{modality!r}][{attribute!r}] can only be 1.0, got {p}"
                )
            table[modality][attribute] = p
    return table


def _resolve_probs(attribute_probs):
    probs = {a: np.full(len(v), 1.0 / len(v)) for a, v in ATTRIBUTES.items()}
    if attribute_probs is None:
        return probs
    if not isinstance(attribute_probs, dict):
        raise TypeError(
            f"attribute_probs must be a dict {{attribute: class probabilities}}, "
            f"got {type(attribute_probs).__name__}"
        )
    for attribute, p in attribute_probs.items():
        _check_attribute("attribute in attribute_probs", attribute)
        p = np.asarray(p, dtype=float)
        k = len(ATTRIBUTES[attribute])
        if p.shape != (k,):
            raise ValueError(
                f"attribute_probs[{attribute!r}] must have {k} entries (one per value "
                f"{ATTRIBUTES[attribute]}), got shape {p.shape}"
            )
        if np.any(~np.isfinite(p)) or np.any(p < 0) or not np.isclose(p.sum(), 1.0):
            raise ValueError(
                f"attribute_probs[{attribute!r}] must be non-negative and sum to 1, got {p.tolist()}"
            )
        probs[attribute] = p
    return probs


def bayes_ceiling(
    target: str,
    modalities,
    *,
    silence=None,
    label_noise: float = 0.0,
    attribute_probs=None,
) -> float:
    """The best expected accuracy of any model that sees ``modalities`` and predicts ``target``.

    Each modality is independently silent about ``target`` with its own probability,
    and silence is visible. If at least one seen modality speaks, the attribute is
    known; otherwise the best guess is the most frequent class. With label noise
    ``e`` (a label is replaced, with probability ``e``, by a uniformly drawn class),
    a correct guess matches the label with probability ``1 - e + e/K``.

    Introduced in Chapter 1.

    >>> round(bayes_ceiling("colour", ["caption"], silence={"caption": {"colour": 0.3}}), 4)
    0.775
    >>> round(bayes_ceiling("colour", ["caption", "image"],
    ...                     silence={"caption": {"colour": 0.3}, "image": {"colour": 0.1}}), 4)
    0.9775
    """
    if target == "match":
        raise ValueError(
            "target 'match' is a pair task: use matching_ceiling(attribute, silence=...)"
        )
    _check_attribute("target", target)
    modalities = _check_modalities(modalities)
    table = resolve_silence(silence)
    label_noise = check_probability("label_noise", label_noise)
    prior = _resolve_probs(attribute_probs)[target]
    k = len(prior)
    all_silent = 1.0
    for m in modalities:
        all_silent *= table[m].get(target, 1.0)
    known = 1.0 - all_silent
    right_if_known = 1.0 - label_noise + label_noise / k
    right_if_unknown = prior.max() * (1.0 - label_noise) + label_noise / k
    return float(known * right_if_known + all_silent * right_if_unknown)


def matching_ceiling(attribute: str = "colour", *, silence=None, label_noise: float = 0.0) -> float:
    """Best accuracy on the synergy task of :func:`make_matching_pairs`.

    A mismatched caption differs from its image only in ``attribute``, so a pair can
    be judged only when both the image and the caption speak about it; otherwise the
    best a model can do is a coin flip. Neither modality alone does better than 0.5.

    >>> matching_ceiling("colour", silence=0.0)
    1.0
    >>> matching_ceiling("colour", silence={"image": 0.1, "caption": 0.3})
    0.815
    """
    _check_attribute("attribute", attribute, CARRIES["caption"])
    table = resolve_silence(silence)
    label_noise = check_probability("label_noise", label_noise)
    both = (1 - table["image"][attribute]) * (1 - table["caption"][attribute])
    return float(both * (1 - label_noise / 2) + (1 - both) * 0.5)


@dataclass
class Scenes:
    """A batch of Shapes-world scenes, aligned row by row across modalities.

    Attributes
    ----------
    images : float32 array (n, 32, 32, 3) in [0, 1]
    captions : object array (n,) of str
    sounds : float32 array (n, 2000): 0.25 s at 8 kHz
    table : pandas DataFrame, one row per scene (``scene_id`` first)
    attributes : DataFrame of the true latent attributes (value names)
    labels : DataFrame of integer class labels per attribute (after label noise),
        plus ``match`` for matching pairs
    silent : dict modality -> boolean DataFrame (n, attributes): was it silent?
    defects : dict of defect counts (messy scenes only; else empty)
    defect_flags : boolean DataFrame of defects per row (messy scenes only)
    config : the arguments that made them (used by :meth:`ceiling`)
    """

    images: np.ndarray
    captions: np.ndarray
    sounds: np.ndarray
    table: pd.DataFrame
    attributes: pd.DataFrame
    labels: pd.DataFrame
    silent: dict
    config: dict
    defects: dict = field(default_factory=dict)
    defect_flags: pd.DataFrame | None = None

    def __len__(self) -> int:
        return len(self.captions)

    def __repr__(self) -> str:
        kind = "messy " if self.defects else ""
        return f"<Scenes: {len(self)} {kind}scenes, modalities {MODALITIES}>"

    @property
    def scene_ids(self) -> np.ndarray:
        """The scene ids (``table['scene_id']``) as an array of str."""
        return self.table["scene_id"].to_numpy()

    def subset(self, index) -> Scenes:
        """The scenes at ``index`` (integer positions or a boolean mask), modalities kept aligned."""
        index = np.asarray(index)
        if index.dtype == bool:
            if index.shape != (len(self),):
                raise ValueError(
                    f"a boolean index must have shape ({len(self)},), got {index.shape}"
                )
            index = np.flatnonzero(index)
        elif index.size and not np.issubdtype(index.dtype, np.integer):
            raise TypeError(f"index must hold integers or booleans, got dtype {index.dtype}")
        index = index.astype(int).ravel()
        if index.size and (index.max() >= len(self) or index.min() < -len(self)):
            raise ValueError(f"index out of range for {len(self)} scenes")
        take = lambda df: df.iloc[index].reset_index(drop=True)  # noqa: E731
        return Scenes(
            images=self.images[index],
            captions=self.captions[index],
            sounds=self.sounds[index],
            table=take(self.table),
            attributes=take(self.attributes),
            labels=take(self.labels),
            silent={m: take(s) for m, s in self.silent.items()},
            config=dict(self.config),
            defects=dict(self.defects),
            defect_flags=None if self.defect_flags is None else take(self.defect_flags),
        )

    def ceiling(self, target: str, modalities, *, attribute: str | None = None) -> float:
        """The Bayes ceiling for ``target`` from ``modalities`` under these scenes' settings.

        For ``target='match'`` (pairs from :func:`make_matching_pairs`) ``modalities``
        must include both ``image`` and ``caption`` to get above 0.5.

        >>> make_scenes(10, silence=0.0).ceiling("shape", ["image"])
        1.0
        """
        cfg = self.config
        if target == "match":
            if "match_attribute" not in cfg:
                raise ValueError("these scenes have no 'match' label: use make_matching_pairs")
            modalities = _check_modalities(modalities)
            if not {"image", "caption"} <= set(modalities):
                return 0.5
            return matching_ceiling(
                cfg["match_attribute"], silence=cfg["silence"], label_noise=cfg["label_noise"]
            )
        return bayes_ceiling(
            target,
            modalities,
            silence=cfg["silence"],
            label_noise=cfg["label_noise"],
            attribute_probs=cfg["attribute_probs"],
        )

    def realised_ceiling(self, target: str, modalities, *, per_scene: bool = False):
        """The best accuracy any model can expect on *these* scenes, knowing which are silent.

        Where a scene's ``modalities`` are all silent about ``target``, the Bayes rule guesses
        the commonest class (ties shared equally); elsewhere it reads the attribute and is
        right when the label is (label noise counts against it). ``ceiling`` is the same
        quantity in expectation over fresh scenes; this one is realised on a given test set,
        whose silences fall as they fell (Chapter 3, Section 3.3; Chapter 5).
        ``per_scene=True`` gives each scene's expected correctness instead of the mean.

        >>> scenes = make_scenes(8, seed=0, silence=0.0)
        >>> scenes.realised_ceiling("colour", ["image"])
        1.0
        >>> make_scenes(4, seed=0, silence=1.0).realised_ceiling("colour", ["caption"])
        0.25
        """
        if target not in ATTRIBUTES:
            raise ValueError(f"target must be one of {sorted(ATTRIBUTES)}, got {target!r}")
        modalities = _check_modalities(modalities)
        per_scene = check_flag("per_scene", per_scene)
        codes = {v: k for k, v in enumerate(ATTRIBUTES[target])}
        truth = self.attributes[target].map(codes).to_numpy()
        labels = self.labels[target].to_numpy()
        silent = np.ones(len(labels), dtype=bool)  # no modality: guess from the prior alone
        for m in modalities:
            silent &= self.silent[m][target].to_numpy()
        prior = np.asarray(self.config["attribute_probs"][target])
        best = np.flatnonzero(prior == prior.max())
        right = np.where(silent, (labels[:, None] == best).mean(axis=1), labels == truth)
        return right.astype(float) if per_scene else float(right.mean())

    def to_frame(self) -> pd.DataFrame:
        """One DataFrame: the table, the caption and the (noisy) labels by name."""
        frame = self.table.copy()
        frame.insert(1, "caption", self.captions)
        for a in ATTRIBUTES:
            if a in self.labels:
                frame[f"label_{a}"] = np.asarray(ATTRIBUTES[a])[self.labels[a].to_numpy()]
        if "match" in self.labels:
            frame["label_match"] = self.labels["match"].to_numpy()
        return frame


# --- generation ----------------------------------------------------------------


def _render_images(codes, silent, rng, pixel_noise):
    n = len(codes["shape"])
    s = IMAGE_SIZE
    # object centre: inside its quadrant, on a half-pixel grid; centre of the image if silent
    half = np.where(silent["size"], HALF_SIZE_SILENT, np.asarray(HALF_SIZE)[codes["size"]])
    q = IMAGE_SIZE // 2
    col = codes["position"] % 2
    row = codes["position"] // 2
    lo = np.ceil(half + 1)
    hi = np.floor(q - half - 1)
    jitter_x = lo + rng.random(n) * (hi - lo)
    jitter_y = lo + rng.random(n) * (hi - lo)
    cx = np.where(silent["position"], q, col * q + np.round(jitter_x * 2) / 2)
    cy = np.where(silent["position"], q, row * q + np.round(jitter_y * 2) / 2)

    grid = np.arange(s, dtype=np.float32) + 0.5
    dx = grid[None, None, :] - cx[:, None, None].astype(np.float32)
    dy = grid[None, :, None] - cy[:, None, None].astype(np.float32)
    h = half[:, None, None].astype(np.float32)
    adx, ady = np.abs(dx), np.abs(dy)
    box = (adx <= h) & (ady <= h)
    mask = box.copy()  # squares, and the tarp over an unknown shape
    drawn = np.where(silent["shape"], -1, codes["shape"])
    for k, inside in (
        (0, lambda i: dx[i] ** 2 + dy[i] ** 2 <= h[i] ** 2),
        (2, lambda i: (ady[i] <= h[i]) & (adx[i] <= (dy[i] + h[i]) / 2)),
        (3, lambda i: ((adx[i] <= h[i] / 3) & (ady[i] <= h[i]))
         | ((ady[i] <= h[i] / 3) & (adx[i] <= h[i]))),
    ):
        i = np.flatnonzero(drawn == k)
        mask[i] = inside(i)
    colour = np.where(silent["colour"][:, None], GREY, PALETTE[codes["colour"]])  # (n, 3)
    img = np.float32(BACKGROUND) + mask[..., None] * (colour[:, None, None, :] - np.float32(BACKGROUND))
    i = np.flatnonzero(silent["shape"])
    stripes = ((np.floor(dx[i]) + np.floor(dy[i])).astype(int) // 2) % 2 == 0
    img[i] = np.where((stripes & box[i])[..., None], TARP, img[i])
    img = img.astype(np.float32, copy=False)
    img += np.float32(pixel_noise) * rng.standard_normal(img.shape, dtype=np.float32)
    return np.clip(img, 0.0, 1.0, out=img), cx, cy


def _waveforms(codes, silent, rng, audio_noise):
    t = np.arange(N_SAMPLES) / SAMPLE_RATE
    # timbres: partial ratios and amplitudes (sine, square, triangle, sawtooth, bell)
    harmonics = np.arange(1, 9)
    odd = harmonics % 2 == 1
    amps = np.stack(
        [
            harmonics == 1,
            odd / harmonics,
            odd * ((-1.0) ** ((harmonics - 1) // 2)) / harmonics**2,
            1.0 / harmonics,
        ]
    ).astype(float)  # (4, 8)
    ratios = np.tile(harmonics.astype(float), (5, 1))
    bell = np.zeros(8)
    bell[:3] = (1.0, 0.6, 0.4)
    ratios[4, :3] = (1.0, 2.76, 5.40)
    amps = np.vstack([amps, bell])
    timbre = np.where(silent["shape"], 4, codes["shape"])
    pitch = np.where(silent["colour"], 4, codes["colour"])
    # only 5 pitches x 5 timbres exist: synthesise each once, then look them up
    f0s = np.asarray(PITCH_HZ + (PITCH_SILENT_HZ,))
    freqs = f0s[:, None, None] * ratios[None, :, :]  # (5 pitches, 5 timbres, 8)
    a = amps[None, :, :] * (freqs < 0.95 * SAMPLE_RATE / 2)
    bank = np.einsum("ptk,ptkn->ptn", a, np.sin(2 * np.pi * freqs[..., None] * t))
    ramp = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.01)  # 10 ms fade in and out
    bank *= ramp
    bank /= np.sqrt(np.mean(bank**2, axis=-1, keepdims=True))
    wave = bank.astype(np.float32)[pitch, timbre]
    rms = np.where(silent["size"], LOUDNESS_SILENT_RMS, np.asarray(LOUDNESS_RMS)[codes["size"]])
    wave *= rms[:, None].astype(np.float32)
    wave += np.float32(audio_noise) * rng.standard_normal(wave.shape, dtype=np.float32)
    return wave


def _captions(codes, silent, rng):
    n = len(codes["shape"])
    choice = {a: rng.integers(0, 3, n) for a in ATTRIBUTES}
    template = rng.integers(0, 4, n)
    noun_pick = rng.integers(0, 3, n)
    out = np.empty(n, dtype=object)
    for i in range(n):
        w = {
            a: "" if silent[a][i] else _SYNONYMS[a][codes[a][i]][choice[a][i]] for a in ATTRIBUTES
        }
        noun = w["shape"] or _NOUN_SILENT[noun_pick[i]]
        adjectives = " ".join(x for x in (w["size"], w["colour"]) if x)
        thing = f"{adjectives} {noun}" if adjectives else noun
        where = f"in the {w['position']}" if w["position"] else ""
        k = template[i]
        if k == 0:
            text = f"a {thing} {where}"
        elif k == 1:
            text = f"there is a {thing} {where}"
        elif k == 2:
            text = f"{where}, a {thing}" if where else f"a {thing}"
        else:
            text = f"the picture shows a {thing} {where}"
        out[i] = " ".join(text.split()).replace(" ,", ",")
    return out


def _sample_codes(n, probs, rng):
    return {a: rng.choice(len(p), size=n, p=p) for a, p in probs.items()}


def make_scenes(
    n: int,
    *,
    seed: int = 0,
    silence=None,
    label_noise: float = 0.0,
    attribute_probs=None,
    pixel_noise: float = 0.04,
    audio_noise: float = 0.05,
    messy: bool = False,
    defect_rate: float = 0.05,
) -> Scenes:
    """Generate ``n`` Shapes-world scenes, deterministically from ``seed``.

    Introduced in Chapter 1.

    Parameters
    ----------
    n : int
        Number of scenes (at least 1).
    seed : int
        The random seed; the same seed gives the same scenes.
    silence : None, float or dict
        How often each modality is silent about each attribute: ``None`` for
        :data:`DEFAULT_SILENCE`, one probability for everything, or a dict such as
        ``{"caption": {"colour": 0.5}, "sound": 0.0}``.
    label_noise : float
        Probability that a label is replaced by a uniformly drawn class.
    attribute_probs : dict, optional
        Class probabilities per attribute, e.g. ``{"shape": [0.7, 0.1, 0.1, 0.1]}``;
        uniform by default.
    pixel_noise, audio_noise : float
        Standard deviation of the Gaussian noise added to pixels and to samples.
    messy : bool
        Add the defects real data has (Chapter 2): missing table values, duplicated
        rows, corrupted (blank) images, empty captions, clipped audio and outlier
        measurements, each in about ``defect_rate`` of the scenes; the exact counts
        are in ``scenes.defects`` and per row in ``scenes.defect_flags``.
    defect_rate : float
        The rate of each kind of defect in messy mode.

    Examples
    --------
    >>> s = make_scenes(500, seed=1, messy=True)
    >>> sorted(s.defects)  # doctest: +NORMALIZE_WHITESPACE
    ['clipped_audio', 'corrupted_images', 'duplicate_rows', 'empty_captions',
     'missing_values', 'outliers']
    """
    n = check_int("n", n, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    silence_table = resolve_silence(silence)
    label_noise = check_probability("label_noise", label_noise)
    probs = _resolve_probs(attribute_probs)
    pixel_noise = check_number("pixel_noise", pixel_noise, low=0.0, high=1.0)
    audio_noise = check_number("audio_noise", audio_noise, low=0.0, high=1.0)
    messy = check_flag("messy", messy)
    defect_rate = check_probability("defect_rate", defect_rate)

    rng = np.random.default_rng(seed)
    codes = _sample_codes(n, probs, rng)
    silent = {
        m: {a: rng.random(n) < silence_table[m].get(a, 1.0) for a in ATTRIBUTES}
        for m in MODALITIES
    }
    images, cx, cy = _render_images(codes, silent["image"], rng, pixel_noise)
    captions = _captions(codes, silent["caption"], rng)
    sounds = _waveforms(codes, silent["sound"], rng, audio_noise)

    ts = silent["table"]
    size_mean = np.asarray([m for m, _ in AREA_CM2])[codes["size"]]
    size_sd = np.asarray([s for _, s in AREA_CM2])[codes["size"]]
    q = IMAGE_SIZE // 2
    true_x = (codes["position"] % 2) * q + q / 2 + rng.uniform(-3, 3, n)
    true_y = (codes["position"] // 2) * q + q / 2 + rng.uniform(-3, 3, n)
    table = pd.DataFrame(
        {
            "scene_id": [f"S{seed:03d}-{i:06d}" for i in range(n)],
            "device": np.asarray(_DEVICES, dtype=object)[rng.integers(0, 3, n)],
            "lux": np.round(rng.lognormal(5.5, 0.5, n), 1),
            "area_cm2": np.where(ts["size"], np.nan, np.round(rng.normal(size_mean, size_sd), 1)),
            "x_px": np.where(ts["position"], np.nan, np.round(true_x, 1)),
            "y_px": np.where(ts["position"], np.nan, np.round(true_y, 1)),
        }
    )
    attributes = pd.DataFrame(
        {a: np.asarray(ATTRIBUTES[a], dtype=object)[codes[a]] for a in ATTRIBUTES}
    )
    labels = {}
    for a in ATTRIBUTES:
        flip = rng.random(n) < label_noise
        labels[a] = np.where(flip, rng.integers(0, len(ATTRIBUTES[a]), n), codes[a])
    labels = pd.DataFrame(labels)
    silent_frames = {m: pd.DataFrame(silent[m]) for m in MODALITIES}
    config = {
        "n": n,
        "seed": seed,
        "silence": silence_table,
        "label_noise": label_noise,
        "attribute_probs": {a: p.tolist() for a, p in probs.items()},
        "pixel_noise": pixel_noise,
        "audio_noise": audio_noise,
        "messy": messy,
    }
    scenes = Scenes(images, captions, sounds, table, attributes, labels, silent_frames, config)
    if messy:
        scenes = _make_messy(scenes, rng, defect_rate)
    return scenes


def _make_messy(scenes: Scenes, rng, rate: float) -> Scenes:
    """Add real-world defects; record their exact counts."""
    n = len(scenes)
    images = scenes.images.copy()
    captions = scenes.captions.copy()
    sounds = scenes.sounds.copy()
    table = scenes.table.copy()
    flags = pd.DataFrame(False, index=range(n), columns=[
        "missing_values", "corrupted_image", "empty_caption", "clipped_audio", "outlier"
    ])

    def pick(k_rate):
        return rng.random(n) < k_rate

    missing_cells = 0
    for column in ("device", "lux", "area_cm2"):
        hit = pick(rate / 3) & table[column].notna().to_numpy()
        table.loc[hit, column] = np.nan if column != "device" else None
        flags.loc[hit, "missing_values"] = True
        missing_cells += int(hit.sum())
    corrupt = pick(rate)
    images[corrupt] = 0.0  # a failed capture: a blank frame
    flags["corrupted_image"] = corrupt
    empty = pick(rate)
    captions[empty] = ""
    flags["empty_caption"] = empty
    clipped = pick(rate)
    gain = 4.0
    sounds[clipped] = np.clip(sounds[clipped] * gain, -0.5, 0.5)
    flags["clipped_audio"] = clipped
    outlier = pick(rate) & table["area_cm2"].notna().to_numpy()
    table.loc[outlier, "area_cm2"] = table.loc[outlier, "area_cm2"] * 100  # mm^2 typed as cm^2
    flags["outlier"] = outlier

    messy = Scenes(
        images, captions, sounds, table, scenes.attributes, scenes.labels,
        scenes.silent, scenes.config, defect_flags=flags,
    )
    n_dup = max(1, int(round(rate * n))) if n > 1 else 0
    dup_rows = rng.choice(n, size=n_dup, replace=True) if n_dup else np.array([], int)
    order = np.concatenate([np.arange(n), dup_rows])
    order = order[rng.permutation(len(order))]
    messy = messy.subset(order)
    duplicated = messy.table["scene_id"].duplicated(keep=False).to_numpy()
    messy.defect_flags["duplicate_id"] = duplicated
    messy.defects = {
        "missing_values": missing_cells,
        "duplicate_rows": int(n_dup),
        "corrupted_images": int(corrupt[order].sum()),
        "empty_captions": int(empty[order].sum()),
        "clipped_audio": int(clipped[order].sum()),
        "outliers": int(outlier[order].sum()),
    }
    messy.config = dict(messy.config, messy=True)
    return messy


def make_matching_pairs(scenes: Scenes, *, attribute: str = "colour", seed: int = 0) -> Scenes:
    """A synergy task: does the caption describe the paired image?

    Half the scenes (chosen at random, balanced exactly up to one) get a new
    caption in which ``attribute`` names a *different* value; their ``match``
    label is 0, the rest 1. Only the caption changes: images, sounds and tables
    stay. Neither the image nor the caption alone says anything about ``match``;
    together they say everything when both speak about ``attribute``. Label
    noise, if the scenes have any, applies to ``match`` as well.

    Introduced in Chapter 1; used in Chapter 3.

    >>> pairs = make_matching_pairs(make_scenes(100, silence=0.0), attribute="colour")
    >>> int(pairs.labels["match"].sum())
    50
    """
    if not isinstance(scenes, Scenes):
        raise TypeError(f"scenes must be a Scenes object, got {type(scenes).__name__}")
    _check_attribute("attribute", attribute, CARRIES["caption"])
    seed = check_int("seed", seed, minimum=0)
    if scenes.defects:
        raise ValueError("make_matching_pairs needs clean scenes, got messy ones: clean them first")
    rng = np.random.default_rng([seed, 7])
    n = len(scenes)
    negative = np.zeros(n, dtype=bool)
    negative[rng.permutation(n)[: n // 2]] = True
    codes = {
        a: pd.Categorical(scenes.attributes[a], categories=ATTRIBUTES[a]).codes.astype(int)
        for a in ATTRIBUTES
    }
    k = len(ATTRIBUTES[attribute])
    shifted = (codes[attribute] + rng.integers(1, k, n)) % k
    new_codes = dict(codes)
    new_codes[attribute] = np.where(negative, shifted, codes[attribute])
    cap_silent = {a: scenes.silent["caption"][a].to_numpy() for a in ATTRIBUTES}
    new_captions = _captions(new_codes, cap_silent, rng)
    captions = np.where(negative, new_captions, scenes.captions)
    match = (~negative).astype(int)
    noise = scenes.config["label_noise"]
    flip = rng.random(n) < noise
    match = np.where(flip, rng.integers(0, 2, n), match)
    labels = scenes.labels.copy()
    labels["match"] = match
    config = dict(scenes.config, match_attribute=attribute)
    return Scenes(
        scenes.images, captions.astype(object), scenes.sounds, scenes.table, scenes.attributes,
        labels, scenes.silent, config,
    )


def train_val_test_split(
    scenes: Scenes,
    *,
    sizes=(0.7, 0.15, 0.15),
    stratify: str | None = "shape",
    seed: int = 0,
) -> tuple[Scenes, Scenes, Scenes]:
    """Split scenes into train, validation and test sets, stratified on one label.

    Introduced in Chapter 1; Chapter 2 explains why the split comes before any fitting.

    >>> train, val, test = train_val_test_split(make_scenes(200), sizes=(0.6, 0.2, 0.2))
    >>> len(train), len(val), len(test)
    (120, 40, 40)
    """
    from sklearn.model_selection import train_test_split

    if not isinstance(scenes, Scenes):
        raise TypeError(f"scenes must be a Scenes object, got {type(scenes).__name__}")
    try:
        sizes = tuple(float(s) for s in sizes)
    except (TypeError, ValueError):
        raise TypeError(f"sizes must be three fractions (train, val, test), got {sizes!r}") from None
    if len(sizes) != 3 or any(s <= 0 for s in sizes) or not np.isclose(sum(sizes), 1.0):
        raise ValueError(f"sizes must be three positive fractions that sum to 1, got {sizes}")
    seed = check_int("seed", seed, minimum=0)
    n = len(scenes)
    n_val = int(round(sizes[1] * n))
    n_test = int(round(sizes[2] * n))
    n_train = n - n_val - n_test
    if min(n_train, n_val, n_test) < 1:
        raise ValueError(f"{n} scenes are too few to split into sizes {sizes}")
    y = None
    if stratify is not None:
        allowed = tuple(scenes.labels.columns)
        _check_attribute("stratify", stratify, allowed)
        y = scenes.labels[stratify].to_numpy()
        values, counts = np.unique(y, return_counts=True)
        if counts.min() < 2:
            raise ValueError(
                f"cannot stratify on {stratify!r}: class {values[counts.argmin()].item()!r} has only "
                "one scene, and stratifying needs at least two of each class; use more scenes "
                "or stratify=None"
            )
    idx = np.arange(n)
    try:
        rest, test = train_test_split(idx, test_size=n_test, stratify=y, random_state=seed)
        train, val = train_test_split(
            rest, test_size=n_val, stratify=None if y is None else y[rest], random_state=seed
        )
    except ValueError as err:  # scikit-learn's words, with what to do about them
        raise ValueError(
            f"cannot split {n} scenes stratified on {stratify!r} into sizes {sizes}: {err} "
            "Use more scenes, larger splits or stratify=None."
        ) from None
    return scenes.subset(np.sort(train)), scenes.subset(np.sort(val)), scenes.subset(np.sort(test))
