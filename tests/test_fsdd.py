"""The FSDD loader: manifest, local copies, the cache, and a download that never happens here.

The shared copy (``MMTEACH_FSDD``, set by the Makefile) is read where it exists; the network is
always simulated with monkeypatching.
"""

import hashlib
import io
import os
import shutil
import tarfile
import urllib.error
from pathlib import Path

import numpy as np
import pytest

from mmteach import _fsdd, datasets
from mmteach._fsdd import (
    FSDD_ENV,
    FSDD_URLS,
    download_fsdd,
    fsdd_cache_dir,
    fsdd_manifest,
    load_fsdd,
    read_wav,
    verify_fsdd,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "fsdd-v1.0.10"
LOCAL = Path(os.environ.get(FSDD_ENV) or SHARED)
needs_copy = pytest.mark.skipif(
    not (LOCAL / "SHA256SUMS").exists(), reason="no local copy of FSDD (set MMTEACH_FSDD)"
)


def _wav_bytes(samples) -> bytes:
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(8000)
        f.writeframes(np.asarray(samples, "<i2").tobytes())
    return buffer.getvalue()


@pytest.fixture
def tiny(monkeypatch, tmp_path):
    """A fake three-file release: its files, a manifest that lists them, and that manifest in use."""
    files = {f"{d}_ana_{k}.wav": _wav_bytes(np.arange(400) * (d + 1) + k) for d in (0, 1) for k in (0, 1)}
    manifest = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    monkeypatch.setattr(_fsdd, "fsdd_manifest", lambda: dict(manifest))
    monkeypatch.delenv(FSDD_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return files


def _write(folder: Path, files: dict) -> Path:
    (folder / "recordings").mkdir(parents=True)
    for name, data in files.items():
        (folder / "recordings" / name).write_bytes(data)
    return folder


def _archive(files: dict) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in {**files, "README.md": b"readme"}.items():
            path = "free-spoken-digit-dataset-1.0.10/" + (
                name if name.endswith(".md") else "recordings/" + name
            )
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_manifest_lists_every_recording_once():
    manifest = fsdd_manifest()
    assert len(manifest) == 3000
    names = {(int(n.split("_")[0]), n.split("_")[1]) for n in manifest}
    assert len(names) == 60  # 10 digits x 6 speakers, 50 takes each
    assert all(len(d) == 64 and int(d, 16) >= 0 for d in manifest.values())


def test_load_fsdd_is_exported_by_datasets():
    assert datasets.load_fsdd is load_fsdd


@needs_copy
def test_manifest_matches_the_shared_copy():
    sums = {}
    for line in (LOCAL / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        sums[name] = digest
    assert sums == fsdd_manifest()
    assert verify_fsdd(LOCAL) == LOCAL / "recordings"


@needs_copy
def test_load_from_the_shared_copy(monkeypatch):
    monkeypatch.setenv(FSDD_ENV, str(LOCAL))
    fsdd = load_fsdd()
    assert len(fsdd.waveforms) == len(fsdd.target) == len(fsdd.speaker) == 3000
    assert np.bincount(fsdd.target).tolist() == [300] * 10
    assert sorted(set(fsdd.speaker)) == sorted(fsdd.speakers.index)
    assert fsdd.sample_rate == 8000
    assert all(w.dtype == np.float32 and w.ndim == 1 for w in fsdd.waveforms)
    assert max(float(np.abs(w).max()) for w in fsdd.waveforms) <= 1.0
    assert fsdd.file[0] == "0_george_0.wav" and fsdd.frame.loc[0, "take"] == 0
    assert 0.1 < fsdd.frame["seconds"].min() < fsdd.frame["seconds"].max() < 2.5


def test_data_home_wins_over_the_variable(tiny, tmp_path, monkeypatch):
    folder = _write(tmp_path / "copy", tiny)
    monkeypatch.setenv(FSDD_ENV, str(tmp_path / "does-not-exist"))
    fsdd = load_fsdd(folder, download=False)
    assert fsdd.file.tolist() == ["0_ana_0.wav", "0_ana_1.wav", "1_ana_0.wav", "1_ana_1.wav"]
    assert fsdd.target.tolist() == [0, 0, 1, 1]
    assert np.allclose(fsdd.waveforms[3][:3] * 32768, [1, 3, 5])


def test_variable_naming_a_missing_folder_is_a_clear_error(tiny, tmp_path, monkeypatch):
    monkeypatch.setenv(FSDD_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="MMTEACH_FSDD.*not a folder"):
        load_fsdd()


def test_missing_file(tiny, tmp_path):
    folder = _write(tmp_path / "copy", tiny)
    (folder / "recordings" / "1_ana_0.wav").unlink()
    with pytest.raises(FileNotFoundError, match=r"1 of 4 recordings are missing \(e.g. 1_ana_0.wav\)"):
        load_fsdd(folder)


def test_corrupted_file(tiny, tmp_path):
    folder = _write(tmp_path / "copy", tiny)
    path = folder / "recordings" / "0_ana_1.wav"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="SHA-256 does not match.*0_ana_1.wav"):
        load_fsdd(folder)
    assert len(load_fsdd(folder, verify=False).waveforms) == 4  # the caller may opt out


def test_no_network_and_no_copy_is_a_clear_error(tiny, monkeypatch):
    def offline(url, timeout=None):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(_fsdd.urllib.request, "urlopen", offline)
    with pytest.raises(OSError) as info:
        load_fsdd()
    message = str(info.value)
    assert FSDD_ENV in message and FSDD_URLS[0] in message and "no network" in message
    cache = fsdd_cache_dir()
    assert not cache.exists()  # nothing half-written
    assert not any(p.name.startswith(".fsdd-download-") for p in cache.parent.glob("*"))


def test_download_false_names_the_variable_and_the_address(tiny):
    with pytest.raises(FileNotFoundError, match=f"{FSDD_ENV}.*{FSDD_URLS[0]}"):
        load_fsdd(download=False)


def test_download_verifies_and_caches_then_reuses(tiny, monkeypatch):
    calls = []

    def fake_urlopen(url, timeout=None):
        calls.append(url)
        return io.BytesIO(_archive(tiny))

    monkeypatch.setattr(_fsdd.urllib.request, "urlopen", fake_urlopen)
    fsdd = load_fsdd()
    assert calls == [FSDD_URLS[0]]
    assert Path(fsdd.folder) == fsdd_cache_dir() / "recordings"
    assert sorted(p.name for p in Path(fsdd.folder).iterdir()) == sorted(tiny)
    again = load_fsdd()  # from the cache: no second download
    assert calls == [FSDD_URLS[0]] and again.file.tolist() == fsdd.file.tolist()


def test_corrupted_download_leaves_no_cache(tiny, monkeypatch):
    bad = dict(tiny)
    bad["1_ana_1.wav"] = bad["1_ana_1.wav"][:-2] + b"xx"
    monkeypatch.setattr(_fsdd.urllib.request, "urlopen", lambda url, timeout=None: io.BytesIO(_archive(bad)))
    with pytest.raises(OSError, match="1_ana_1.wav"):
        load_fsdd()
    assert not fsdd_cache_dir().exists()
    assert not list(fsdd_cache_dir().parent.glob(".fsdd-download-*"))


def test_truncated_archive_leaves_no_cache(tiny, monkeypatch):
    data = _archive(tiny)[:200]
    monkeypatch.setattr(_fsdd.urllib.request, "urlopen", lambda url, timeout=None: io.BytesIO(data))
    with pytest.raises(OSError, match="could not download"):
        download_fsdd()
    assert not fsdd_cache_dir().exists()


def test_bad_arguments(tiny):
    with pytest.raises(TypeError, match="data_home must be a folder path"):
        load_fsdd(42)
    with pytest.raises(TypeError, match="download must be True or False"):
        load_fsdd(download="no")


def test_read_wav_refuses_8_bit(tmp_path):
    import wave

    path = tmp_path / "eight.wav"
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(1)
        f.setframerate(8000)
        f.writeframes(bytes(range(100)))
    with pytest.raises(ValueError, match="16-bit"):
        read_wav(path)
    good = tmp_path / "good.wav"
    good.write_bytes(_wav_bytes([0, 16384, -32768]))
    x, rate = read_wav(good)
    assert rate == 8000 and x.tolist() == [0.0, 0.5, -1.0]
    shutil.rmtree(tmp_path)
