"""The Free Spoken Digit Dataset (FSDD): find it, download it once, verify it, read it.

Introduced in Chapter 9 (``notebooks/09_real_data.ipynb``) and re-exported as
:func:`mmteach.datasets.load_fsdd`. FSDD v1.0.10 holds 3,000 recordings of the English
digits 0-9, 50 per digit by each of 6 speakers, mono 16-bit WAV at 8 kHz
(Jackson et al., Zenodo, CC BY-SA 4.0: attribute it wherever it is used).

:func:`load_fsdd` looks for the recordings, in this order:

1. the folder passed as ``data_home``, or else the folder named by the environment variable
   ``MMTEACH_FSDD`` (a folder holding ``recordings/*.wav``, or the WAV files themselves);
2. the cache folder, ``~/.cache/mmteach/fsdd-v1.0.10`` (``$XDG_CACHE_HOME`` is honoured);
3. otherwise it downloads the release archive from the data set's GitHub repository
   (:data:`FSDD_URLS`, about 10 MB), checks every WAV file against the SHA-256 manifest
   shipped inside mmteach (``mmteach/data/fsdd_sha256.txt``) and moves the verified folder
   into the cache in one step, so a failed download never leaves a half-written cache.

Every file read is verified against the manifest (``verify=True``): a missing or altered
recording is an error that names the file and says what to do.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.request
import wave
import zlib
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.utils import Bunch

from mmteach._validation import check_flag, describe

__all__ = [
    "load_fsdd",
    "fsdd_manifest",
    "fsdd_cache_dir",
    "download_fsdd",
    "verify_fsdd",
    "read_wav",
    "FSDD_ENV",
    "FSDD_URLS",
    "FSDD_VERSION",
    "FSDD_SPEAKERS",
    "FSDD_SAMPLE_RATE",
]

FSDD_VERSION = "v1.0.10"
#: The environment variable that names a local copy of the recordings.
FSDD_ENV = "MMTEACH_FSDD"
#: Where the release archive is downloaded from (tried in order).
FSDD_URLS = ("https://github.com/Jakobovski/free-spoken-digit-dataset/archive/refs/tags/v1.0.10.tar.gz",)
FSDD_SAMPLE_RATE = 8000
#: The speakers' metadata as the data set's repository states it (all male, English).
FSDD_SPEAKERS = pd.DataFrame(
    {
        "speaker": ["george", "jackson", "lucas", "nicolas", "theo", "yweweler"],
        "accent": ["GRC/Greek", "USA/neutral", "DEU/German", "BEL/French", "USA/neutral", "DEU/German"],
    }
).set_index("speaker")

_DOWNLOAD_TIMEOUT_S = 60


def fsdd_manifest() -> dict[str, str]:
    """The SHA-256 of every FSDD v1.0.10 recording, ``{file name: hex digest}`` (3,000 files).

    >>> manifest = fsdd_manifest()
    >>> len(manifest), manifest["0_george_0.wav"][:12]
    (3000, '228ab63fccdf')
    """
    text = resources.files("mmteach").joinpath("data", "fsdd_sha256.txt").read_text("utf-8")
    manifest = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split()
            manifest[name] = digest
    return manifest


def fsdd_cache_dir() -> Path:
    """The cache folder of the downloaded recordings (it may not exist yet).

    >>> fsdd_cache_dir().name
    'fsdd-v1.0.10'
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mmteach" / f"fsdd-{FSDD_VERSION}"


def _recordings_dir(folder: Path) -> Path:
    """The folder that holds the WAV files: ``folder/recordings`` if there is one, else ``folder``."""
    sub = folder / "recordings"
    return sub if sub.is_dir() else folder


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def verify_fsdd(folder, *, manifest: dict[str, str] | None = None) -> Path:
    """Check that ``folder`` holds every recording, unaltered; return the WAV folder.

    Raises :class:`FileNotFoundError` naming the missing files, or :class:`ValueError`
    naming the files whose SHA-256 differs from the manifest shipped with mmteach.
    """
    manifest = fsdd_manifest() if manifest is None else manifest
    wav_dir = _recordings_dir(Path(folder))
    missing = [name for name in manifest if not (wav_dir / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"the FSDD copy in {wav_dir} is incomplete: {len(missing)} of {len(manifest)} "
            f"recordings are missing (e.g. {missing[0]}); point {FSDD_ENV} or data_home at a "
            f"complete copy, or delete the folder and let load_fsdd download the release"
        )
    altered = [name for name, digest in manifest.items() if _sha256(wav_dir / name) != digest]
    if altered:
        raise ValueError(
            f"the FSDD copy in {wav_dir} has {len(altered)} recording(s) whose SHA-256 does not "
            f"match the v1.0.10 manifest (e.g. {altered[0]}): the files are corrupted or from "
            f"another release; replace them, or delete the folder and let load_fsdd download it"
        )
    return wav_dir


def read_wav(path) -> tuple[np.ndarray, int]:
    """Read a 16-bit PCM WAV file: ``(float32 waveform in [-1, 1], sample rate)``.

    Stereo files are averaged to mono. Uses the standard library's :mod:`wave` only.
    """
    with wave.open(str(path), "rb") as f:
        channels, width, rate = f.getnchannels(), f.getsampwidth(), f.getframerate()
        frames = f.readframes(f.getnframes())
    if width != 2:
        raise ValueError(f"{path}: expected 16-bit PCM samples, got {8 * width}-bit")
    x = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        x = x.reshape(-1, channels).mean(axis=1)
    return x, rate


def download_fsdd(cache_dir=None, *, urls=FSDD_URLS) -> Path:
    """Download the release, verify every recording, and move it into ``cache_dir`` at once.

    The archive is fetched into a temporary folder beside the cache; only the WAV files
    named in the manifest are extracted, each must match its SHA-256, and then the folder
    is renamed into place. On any failure the temporary folder is removed and an
    :class:`OSError` says what happened and what to do. Returns the WAV folder.
    """
    target = Path(cache_dir) if cache_dir is not None else fsdd_cache_dir()
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = fsdd_manifest()
    errors = []
    for url in urls:
        tmp = Path(tempfile.mkdtemp(prefix=".fsdd-download-", dir=target.parent))
        try:
            archive = tmp / "archive.tar.gz"
            with (
                urllib.request.urlopen(url, timeout=_DOWNLOAD_TIMEOUT_S) as response,
                open(archive, "wb") as out,
            ):
                shutil.copyfileobj(response, out)
            staged = tmp / "fsdd" / "recordings"
            staged.mkdir(parents=True)
            with tarfile.open(archive, "r:gz") as tar:
                for member in tar.getmembers():
                    name = member.name.rsplit("/", 1)[-1]
                    if member.isfile() and "/recordings/" in member.name and name in manifest:
                        (staged / name).write_bytes(tar.extractfile(member).read())
            archive.unlink()
            verify_fsdd(staged, manifest=manifest)
            (staged.parent / "SOURCE.txt").write_text(
                f"Free Spoken Digit Dataset {FSDD_VERSION}, downloaded from {url}; CC BY-SA 4.0.\n"
            )
            if target.exists():  # another process finished first: keep theirs
                return verify_fsdd(target, manifest=manifest)
            os.replace(staged.parent, target)
            return _recordings_dir(target)
        except (OSError, EOFError, zlib.error, tarfile.TarError, ValueError) as err:
            errors.append(f"{url}: {type(err).__name__}: {err}")
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    raise OSError(
        "could not download the Free Spoken Digit Dataset (" + "; ".join(errors) + "). "
        f"Without network access, download {urls[0]} elsewhere, unpack it, and set the "
        f"environment variable {FSDD_ENV} to the unpacked folder (or pass data_home=...)."
    )


def _locate(data_home, download: bool, cache_dir) -> Path:
    if data_home is not None:
        if not isinstance(data_home, (str, os.PathLike)):
            raise TypeError(f"data_home must be a folder path (str or Path), got {describe(data_home)}")
        source, folder = "data_home", Path(data_home)
    elif os.environ.get(FSDD_ENV):
        source, folder = f"the environment variable {FSDD_ENV}", Path(os.environ[FSDD_ENV])
    else:
        cache = Path(cache_dir) if cache_dir is not None else fsdd_cache_dir()
        if cache.is_dir():
            return cache
        if not download:
            raise FileNotFoundError(
                f"no copy of the Free Spoken Digit Dataset: set {FSDD_ENV} to a folder holding "
                f"its recordings, pass data_home=..., or call load_fsdd(download=True) to fetch "
                f"{FSDD_URLS[0]} into {cache}"
            )
        return download_fsdd(cache)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"{source} names {str(folder)!r}, which is not a folder; it must hold the FSDD "
            f"recordings (recordings/*.wav). Unset it to download {FSDD_URLS[0]} instead."
        )
    return folder


def load_fsdd(data_home=None, *, download: bool = True, verify: bool = True, cache_dir=None) -> Bunch:
    """Load the Free Spoken Digit Dataset v1.0.10: 3,000 spoken digits by 6 speakers, 8 kHz.

    Looks in ``data_home``, then ``$MMTEACH_FSDD``, then the cache, and otherwise downloads
    the release once (checksum-verified; see the module docstring). Returns a scikit-learn
    ``Bunch``, like ``sklearn.datasets.load_digits``, ordered by digit, speaker and take:

    - ``waveforms``: list of 3,000 float32 arrays in [-1, 1] (0.14 to 2.28 s, different lengths);
    - ``target``: int64 array, the spoken digit 0-9;
    - ``speaker``: array of speaker names (``FSDD_SPEAKERS`` has their accents);
    - ``file``: array of file names, ``{digit}_{speaker}_{take}.wav``;
    - ``frame``: a DataFrame with columns file, digit, speaker, take, seconds;
    - ``sample_rate`` (8000), ``speakers`` (the metadata frame), ``folder`` and ``DESCR``.

    Introduced in Chapter 9.

    >>> fsdd = load_fsdd()  # doctest: +SKIP
    >>> len(fsdd.waveforms), fsdd.target[:3], fsdd.speaker[0]  # doctest: +SKIP
    (3000, array([0, 0, 0]), 'george')
    """
    download, verify = check_flag("download", download), check_flag("verify", verify)
    folder = _locate(data_home, download, cache_dir)
    manifest = fsdd_manifest()
    wav_dir = verify_fsdd(folder, manifest=manifest) if verify else _recordings_dir(folder)
    rows = []
    for name in manifest:
        digit, speaker, take = name.removesuffix(".wav").split("_")
        rows.append((name, int(digit), speaker, int(take)))
    rows.sort(key=lambda r: (r[1], r[2], r[3]))
    waveforms = []
    for name, *_ in rows:
        path = wav_dir / name
        if not path.is_file():
            raise FileNotFoundError(f"FSDD recording {name} is missing from {wav_dir}")
        x, rate = read_wav(path)
        if rate != FSDD_SAMPLE_RATE:
            raise ValueError(f"{path}: expected {FSDD_SAMPLE_RATE} Hz, got {rate} Hz")
        waveforms.append(x)
    frame = pd.DataFrame(rows, columns=["file", "digit", "speaker", "take"])
    frame["seconds"] = [len(x) / FSDD_SAMPLE_RATE for x in waveforms]
    return Bunch(
        waveforms=waveforms,
        target=frame["digit"].to_numpy(np.int64),
        speaker=frame["speaker"].to_numpy(str),
        file=frame["file"].to_numpy(str),
        frame=frame,
        sample_rate=FSDD_SAMPLE_RATE,
        speakers=FSDD_SPEAKERS.copy(),
        folder=str(wav_dir),
        DESCR=(
            f"Free Spoken Digit Dataset {FSDD_VERSION} (Z. Jackson et al., "
            "github.com/Jakobovski/free-spoken-digit-dataset, CC BY-SA 4.0): 3,000 recordings "
            "of the digits 0-9, 50 per digit by each of 6 male speakers, 8 kHz mono."
        ),
    )
