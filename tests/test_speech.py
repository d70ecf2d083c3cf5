"""mmteach.speech: features, normalisation, CTC conventions and the digit error rate."""

import itertools

import numpy as np
import pytest

from mmteach import speech
from mmteach.preprocessing import spectrogram

RATE = 8000


def tone(hz, seconds=0.5, amplitude=0.5):
    t = np.arange(int(seconds * RATE)) / RATE
    return (amplitude * np.sin(2 * np.pi * hz * t)).astype("float32")


# --- features -----------------------------------------------------------------------------


def test_mel_filterbank_shape_peaks_and_order():
    bank = speech.mel_filterbank(32, window=256)
    assert bank.shape == (32, 129)
    assert np.allclose(bank.max(axis=1), 1.0)
    peaks = bank.argmax(axis=1)
    assert np.all(np.diff(peaks) >= 0) and peaks[-1] > peaks[0]
    widths = (bank > 0).sum(axis=1)
    assert widths[-1] > widths[0]  # wide at high frequencies, narrow at low ones


def test_log_mel_matches_a_hand_computation_and_finds_the_pitch():
    low, high = tone(300), tone(2500)
    feats = speech.log_mel(low)
    power = spectrogram(low, window=256, hop=128, log=False) ** 2
    by_hand = np.log(power @ speech.mel_filterbank(32).T + 1e-6)
    assert np.allclose(feats, by_hand, atol=1e-5)
    assert feats.shape == (1 + (len(low) - 256) // 128, 32)
    assert feats.mean(axis=0).argmax() < speech.log_mel(high).mean(axis=0).argmax()


def test_log_mel_does_not_depend_on_the_batch():
    quiet, loud = tone(400, amplitude=0.01), tone(1200, seconds=1.0, amplitude=0.9)
    alone = speech.log_mel(quiet)
    together = speech.log_mel([quiet, loud])
    assert np.array_equal(alone, together[0])
    assert together[1].shape[0] > together[0].shape[0]  # lengths may differ


def test_log_mel_pads_a_clip_shorter_than_one_window():
    assert speech.log_mel(np.ones(10, "float32")).shape == (1, 32)


@pytest.mark.parametrize(
    "bad, error, match",
    [
        ("noise", TypeError, "waveforms must be a 1-D waveform"),
        ([], ValueError, "waveforms is empty"),
        ([np.ones((2, 2))], ValueError, r"waveforms\[0\] must have 1 axes"),
        ([np.array([0.0, np.nan])], ValueError, "NaN"),
    ],
)
def test_log_mel_refuses_bad_waveforms(bad, error, match):
    with pytest.raises(error, match=match):
        speech.log_mel(bad)


def test_log_mel_refuses_bad_settings():
    with pytest.raises(ValueError, match="hop must be an integer >= 1"):
        speech.log_mel(tone(300), hop=0)
    with pytest.raises(ValueError, match="floor must be > 0"):
        speech.log_mel(tone(300), floor=0.0)
    with pytest.raises(ValueError, match="fmax must be <= 4000"):
        speech.mel_filterbank(8, fmax=5000)


def test_normalize_per_speaker_uses_each_speakers_own_frames():
    rng = np.random.default_rng(0)
    feats = [rng.normal(5, 2, (10, 3)), rng.normal(5, 2, (7, 3)), rng.normal(-3, 0.5, (12, 3))]
    out = speech.normalize_per_speaker(feats, ["a", "a", "b"])
    for idx in ([0, 1], [2]):
        pooled = np.concatenate([out[i] for i in idx])
        assert np.allclose(pooled.mean(axis=0), 0, atol=1e-5)
        assert np.allclose(pooled.std(axis=0), 1, atol=1e-5)
    # speaker b's statistics do not depend on speaker a's clips
    alone = speech.normalize_per_speaker(feats[2:], ["b"])
    assert np.allclose(alone[0], out[2])


def test_normalize_per_speaker_errors():
    with pytest.raises(ValueError, match="must have the same number of rows"):
        speech.normalize_per_speaker([np.ones((2, 3))], ["a", "b"])
    with pytest.raises(ValueError, match="same number of bands"):
        speech.normalize_per_speaker([np.ones((2, 3)), np.ones((2, 4))], ["a", "a"])
    with pytest.raises(ValueError, match="one id per clip"):
        speech.normalize_per_speaker([np.ones((2, 3))], [["a"]])


def test_pad_frames_centres_pads_and_trims():
    x = speech.pad_frames([np.ones((2, 2)), np.arange(12.0).reshape(6, 2)], 4, value=-1)
    assert x.shape == (2, 4, 2) and x.dtype == np.float32
    assert x[0, :, 0].tolist() == [-1, 1, 1, -1]
    assert x[1, :, 0].tolist() == [2, 4, 6, 8]  # the middle four frames
    with pytest.raises(ValueError, match="n_frames must be an integer >= 1"):
        speech.pad_frames([np.ones((2, 2))], 0)


def test_add_noise_reaches_the_asked_snr_and_is_seeded():
    x = tone(440, seconds=2.0)
    for snr in (20.0, 0.0, -5.0):
        noisy = speech.add_noise(x, snr, seed=3)
        measured = 10 * np.log10(np.mean(x**2) / np.mean((noisy - x) ** 2))
        assert abs(measured - snr) < 0.2
    assert np.array_equal(speech.add_noise(x, 5.0, seed=1), speech.add_noise(x, 5.0, seed=1))
    assert not np.array_equal(speech.add_noise(x, 5.0, seed=1), speech.add_noise(x, 5.0, seed=2))
    assert np.array_equal(speech.add_noise(x, np.inf), x)
    with pytest.raises(TypeError, match="snr_db must be a number"):
        speech.add_noise(x, "loud")
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        speech.add_noise(x, 0.0, seed=-1)


def test_join_clips():
    joined = speech.join_clips([np.ones(3), 2 * np.ones(2), 3 * np.ones(1)], gap=2)
    assert joined.tolist() == [1, 1, 1, 0, 0, 2, 2, 0, 0, 3]
    with pytest.raises(ValueError, match="gap must be an integer >= 0"):
        speech.join_clips([np.ones(3)], gap=-1)


# --- CTC ------------------------------------------------------------------------------------


def test_encode_and_decode_digits_round_trip():
    numbers = [[3, 1, 4], [0, 0], [9]]
    labels = speech.encode_digits(numbers, max_len=4)
    assert labels.tolist() == [[4, 2, 5, 0], [1, 1, 0, 0], [10, 0, 0, 0]]
    assert speech.decode_labels(labels) == ["3 1 4", "0 0", "9"]
    with pytest.raises(ValueError, match="max_len must be an integer >= 3"):
        speech.encode_digits(numbers, max_len=2)
    with pytest.raises(ValueError, match=r"digits\[0\] must hold values <= 9"):
        speech.encode_digits([[12]])
    with pytest.raises(TypeError, match="integer array"):
        speech.encode_digits([[1.5]])


def test_keras_ctc_would_drop_unshifted_zeros():
    """The reason for the shift: Keras counts a target's length as its non-zero labels."""
    unshifted = np.array([[0, 5, 0]])
    assert int((unshifted != 0).sum()) == 1
    assert int((speech.encode_digits([[0, 5, 0]]) != 0).sum()) == 3


def test_greedy_decode_merges_repeats_before_removing_blanks():
    paths = np.array([[0, 4, 4, 0, 2, 0, 2, 5], [2, 2, 2, 2, 0, 0, 0, 0]])
    logits = np.eye(11)[paths]
    assert speech.ctc_greedy_decode(logits) == [[4, 2, 2, 5], [2]]
    with pytest.raises(ValueError, match="logits must have 3 axes"):
        speech.ctc_greedy_decode(np.zeros((3, 11)))


def test_greedy_decode_agrees_with_keras():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(4)
    logits = rng.normal(size=(16, 20, 11)).astype("float32")
    logits[..., 0] += 1.0  # blanks are common, as in a trained model
    decoded, _ = keras.ops.ctc_decode(logits, np.full(16, 20), strategy="greedy", mask_index=0)
    theirs = [[int(v) for v in row if v > 0] for row in np.asarray(decoded[0])]
    assert speech.ctc_greedy_decode(logits) == theirs


def test_keras_ctc_loss_is_the_sum_over_paths():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(4, 4)).astype("float32")  # 4 frames, blank + 3 symbols
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    target = [1, 3]
    total = 0.0
    for path in itertools.product(range(4), repeat=4):
        merged = [s for k, s in enumerate(path) if k == 0 or s != path[k - 1]]
        if [s for s in merged if s != 0] == target:
            total += np.prod(probs[np.arange(4), path])
    loss = keras.ops.ctc_loss(np.array([target]), logits[None], np.array([2]), np.array([4]))
    assert np.isclose(float(loss[0]), -np.log(total), atol=1e-4)


def test_ctc_recognizer_shapes_and_checks():
    pytest.importorskip("keras")
    model = speech.ctc_recognizer(140, 32, filters=8, units=8)
    assert model.input_shape == (None, 140, 32)
    assert model.output_shape == (None, 35, 11)
    assert model.get_layer("logits").activation.__name__ == "linear"  # CTC wants logits
    with pytest.raises(ValueError, match="n_frames must be an integer >= 4"):
        speech.ctc_recognizer(2, 32)


def test_ctc_recognizer_learns_a_tiny_task():
    """A guard that the pieces fit: on two frequency-coded digits the loss falls."""
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    n, frames = 64, 24
    digits = rng.integers(0, 2, (n, 2))
    x = np.zeros((n, frames, 4), "float32")
    for i, (a, b) in enumerate(digits):
        x[i, 2:8, a] = 1.0
        x[i, 14:20, b] = 1.0
    model = speech.ctc_recognizer(frames, 4, filters=8, units=8)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss=keras.losses.CTC())
    y = speech.encode_digits(digits)
    history = model.fit(x, y, batch_size=32, epochs=30, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]


# --- metric ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ref, hyp, want",
    [
        ("3 1 4", "3 1 4", 0),
        ("3 1 4", "1 4", 1),
        ("3 1 4", "3 1 4 4", 1),
        ("3 1 4", "", 3),
        ("", "5 5", 2),
        ("9 8 7", "8 7 6", 2),
        ([1, 2, 3], [1, 3], 1),
    ],
)
def test_edit_distance(ref, hyp, want):
    assert speech.edit_distance(ref, hyp) == want


def test_digit_error_rate_pools_edits_over_the_set():
    refs, hyps = ["3 1 4", "2 7 1 8"], ["3 1", "2 7 1 8 8 8"]
    assert speech.digit_error_rate(refs, hyps) == pytest.approx(3 / 7)
    assert speech.digit_error_rate(["1"], ["1 1 1"]) == 2.0  # insertions can exceed 100%
    with pytest.raises(ValueError, match="references and hypotheses must have the same number"):
        speech.digit_error_rate(["1"], ["1", "2"])
    with pytest.raises(ValueError, match="references hold no digits"):
        speech.digit_error_rate([""], ["1"])
    with pytest.raises(TypeError, match="references must be a list of strings"):
        speech.digit_error_rate("3 1 4", ["3 1 4"])
