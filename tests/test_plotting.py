"""Tests of mmteach.plotting: figures are drawn from the data, bad input is refused."""

import matplotlib
import numpy as np
import pandas as pd
import pytest

from mmteach import datasets, plotting

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def scenes():
    return datasets.make_scenes(10, seed=0)


def test_show_scene_draws_every_modality(scenes):
    fig = plotting.show_scene(scenes, 3, title="scene 3")
    image_ax, wave_ax, spec_ax, text_ax = fig.axes
    assert np.array_equal(image_ax.images[0].get_array(), np.clip(scenes.images[3], 0, 1))
    assert np.allclose(wave_ax.lines[0].get_ydata(), scenes.sounds[3])
    assert spec_ax.images[0].get_array().shape[0] == 129  # frequency bins, low to high
    text = text_ax.texts[0].get_text()
    assert scenes.captions[3] in text and scenes.table["scene_id"][3] in text
    assert fig._suptitle.get_text() == "scene 3"
    assert plotting.show_scene(scenes, -1).axes[1].lines[0].get_ydata()[0] == scenes.sounds[-1][0]


def test_show_gallery(scenes):
    fig = plotting.show_gallery(scenes, n=7, cols=3)
    drawn = [ax for ax in fig.axes if ax.images]
    assert len(fig.axes) == 9 and len(drawn) == 7
    assert "\n" in drawn[0].get_title() or len(scenes.captions[0]) <= 22
    assert len(plotting.show_gallery(scenes, n=50).axes) >= 10  # capped at len(scenes)


def test_play_embeds_a_wav():
    audio = plotting.play(np.sin(np.linspace(0, 100, 2000)))
    assert audio.data[:4] == b"RIFF"
    assert int.from_bytes(audio.data[24:28], "little") == 8000  # sample rate in the WAV header
    loud = plotting.play(np.full(100, 3.0))  # rescaled into [-1, 1] instead of refused
    assert loud.data[:4] == b"RIFF"


def test_plot_ceilings_writes_values():
    table = pd.DataFrame({"shape": [0.9, 0.25]}, index=["image", "table"])
    ax = plotting.plot_ceilings(table)
    assert [t.get_text() for t in ax.texts] == ["90.0%", "25.0%"]


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda s: plotting.show_scene(s.images, 0), TypeError, "Scenes object"),
        (lambda s: plotting.show_scene(s, 10), ValueError, r"index must be in \[0, 10\)"),
        (lambda s: plotting.show_scene(s, 1.5), TypeError, "index must be an integer"),
        (lambda s: plotting.show_gallery(s, n=0), ValueError, "n must be an integer >= 1"),
        (lambda s: plotting.play(s.sounds), ValueError, "must be 1-D"),
        (lambda s: plotting.play(np.array([np.nan, 0.0])), ValueError, "finite"),
        (lambda s: plotting.play(s.sounds[0], rate=0), ValueError, "rate must be an integer >= 1"),
        (lambda s: plotting.plot_ceilings([[0.5]]), TypeError, "DataFrame"),
        (lambda s: plotting.plot_ceilings(pd.DataFrame({"a": [1.5]})), ValueError, r"in \[0, 1\]"),
    ],
)
def test_bad_input_is_refused(scenes, call, error, match):
    with pytest.raises(error, match=match):
        call(scenes)
