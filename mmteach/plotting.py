"""Pictures and sounds: look at data rather than read it.

Introduced in Chapter 1 (``notebooks/01_modalities.ipynb``).

>>> from mmteach.datasets import make_scenes
>>> from mmteach.plotting import show_scene
>>> fig = show_scene(make_scenes(4, seed=0), 0)
>>> len(fig.axes)
4
"""

from __future__ import annotations

import numpy as np

from mmteach._validation import check_int

from .datasets import ATTRIBUTES, SAMPLE_RATE, Scenes

__all__ = ["show_scene", "show_gallery", "play", "plot_ceilings"]


def _check_scenes(scenes):
    if not isinstance(scenes, Scenes):
        raise TypeError(
            f"scenes must be a Scenes object from mmteach.datasets, got {type(scenes).__name__}"
        )


def _check_index(scenes, index):
    index = check_int("index", index)
    if not -len(scenes) <= index < len(scenes):
        raise ValueError(f"index must be in [0, {len(scenes)}), got {index}")
    return int(index) % len(scenes)


def play(waveform, rate: int = SAMPLE_RATE):
    """An audio player for a waveform: plays in Jupyter, in Colab and in the HTML book.

    The sound is embedded in the page as a WAV file, so no file or server is needed.
    Normalisation is off, so loud and quiet scenes keep their loudness.

    >>> import numpy as np
    >>> player = play(np.zeros(800, dtype=np.float32))
    >>> type(player).__name__
    'Audio'
    """
    from IPython.display import Audio

    x = np.asarray(waveform, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"waveform must be 1-D (one sound), got shape {x.shape}")
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError("waveform must be non-empty and finite")
    rate = check_int("rate", rate, minimum=1)  # samples per second
    peak = float(np.abs(x).max())
    if peak > 1.0:  # Audio(normalize=False) refuses values outside [-1, 1]
        x = x / peak
    return Audio(x, rate=int(rate), normalize=False)


def show_scene(scenes: Scenes, index: int = 0, *, title: str | None = None):
    """One scene in all its modalities, side by side: image, waveform, spectrogram, and
    caption with table row and true attributes. Returns the matplotlib figure.

    Pair it with :func:`play` to hear the sound. Introduced in Chapter 1.
    """
    import matplotlib.pyplot as plt

    _check_scenes(scenes)
    i = _check_index(scenes, index)
    fig, axes = plt.subplots(
        1, 4, figsize=(13, 3.0), gridspec_kw={"width_ratios": [1, 1.6, 1.6, 1.7]}
    )
    ax_img, ax_wave, ax_spec, ax_text = axes
    ax_img.imshow(np.clip(scenes.images[i], 0, 1), interpolation="nearest")
    ax_img.set_title("image (32x32)")
    ax_img.axis("off")

    wave = scenes.sounds[i]
    t = np.arange(wave.size) / SAMPLE_RATE * 1000
    ax_wave.plot(t, wave, lw=0.6)
    ax_wave.set_xlabel("time (ms)")
    ax_wave.set_title("sound: waveform")
    ax_wave.set_ylim(-1.05, 1.05)

    from .preprocessing import spectrogram  # imported here: preprocessing may load TensorFlow

    spec = spectrogram(wave)
    frame_ms = 64 / SAMPLE_RATE * 1000
    ax_spec.imshow(
        spec.T,
        origin="lower",
        aspect="auto",
        extent=(0, spec.shape[0] * frame_ms, 0, SAMPLE_RATE / 2),
        cmap="magma",
    )
    ax_spec.set_xlabel("time (ms)")
    ax_spec.set_ylabel("Hz")
    ax_spec.set_title("sound: spectrogram")

    row = scenes.table.iloc[i]
    truth = ", ".join(f"{a}={scenes.attributes[a].iloc[i]}" for a in ATTRIBUTES)
    lines = [f'caption: "{scenes.captions[i]}"', "", "table row:"]
    lines += [f"  {k}: {v}" for k, v in row.items()]
    lines += ["", "truth: " + truth]
    ax_text.text(0, 1, "\n".join(lines), va="top", ha="left", family="monospace", fontsize=8,
                 wrap=True)
    ax_text.axis("off")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def show_gallery(scenes: Scenes, n: int = 12, *, cols: int = 6, captions: bool = True):
    """A grid of the first ``n`` images, each titled with its caption. Returns the figure.

    Introduced in Chapter 1.
    """
    import textwrap

    import matplotlib.pyplot as plt

    _check_scenes(scenes)
    n, cols = check_int("n", n, minimum=1), check_int("cols", cols, minimum=1)
    n = min(int(n), len(scenes))
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(2.1 * cols, 2.4 * rows), squeeze=False)
    for k, ax in enumerate(axes.flat):
        ax.axis("off")
        if k >= n:
            continue
        ax.imshow(np.clip(scenes.images[k], 0, 1), interpolation="nearest")
        if captions:
            ax.set_title(textwrap.fill(str(scenes.captions[k]) or "(empty)", 22), fontsize=8)
    fig.tight_layout()
    return fig


def plot_ceilings(table, *, ax=None, title: str = "Bayes ceiling by modality"):
    """A heat map of a (rows x columns) table of accuracies in [0, 1], values written in.

    ``table`` is a pandas DataFrame, e.g. modalities as rows and attributes as columns.
    Returns the axes. Introduced in Chapter 1.
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    values = table.to_numpy(dtype=float)
    if values.size == 0 or np.any(~np.isfinite(values)) or values.min() < 0 or values.max() > 1:
        raise ValueError("table must hold finite accuracies in [0, 1]")
    if ax is None:
        _, ax = plt.subplots(figsize=(1.4 * values.shape[1] + 2, 0.5 * values.shape[0] + 1.2))
    ax.imshow(values, vmin=0, vmax=1, cmap="viridis")
    ax.set_xticks(range(values.shape[1]), [str(c) for c in table.columns])
    ax.set_yticks(range(values.shape[0]), [str(r) for r in table.index])
    for (r, c), v in np.ndenumerate(values):
        ax.text(c, r, f"{v:.1%}", ha="center", va="center", color="white" if v < 0.6 else "black")
    ax.set_title(title)
    return ax


# --- Chapter 5 ---------------------------------------------------------------------

__all__ += ["plot_confusion_matrix"]


def plot_confusion_matrix(
    matrix, class_names=None, *, normalize: bool = False, ax=None, title: str | None = None,
    cmap: str = "Blues",
):
    """Draw a confusion matrix (true classes in rows, predictions in columns), counts written in.

    ``matrix`` comes from :func:`mmteach.metrics.confusion_matrix`. With
    ``normalize=True`` each row is divided by its total, so a cell reads "of the scenes
    that are class *i*, this fraction was predicted *j*" (the diagonal is each class's
    recall); the colours then use the same 0..1 scale for every row. Returns the axes.
    Introduced in Chapter 5.

    >>> ax = plot_confusion_matrix([[5, 1], [0, 4]], ["no", "yes"])
    >>> ax.get_xlabel(), ax.get_ylabel()
    ('predicted', 'true')
    """
    import matplotlib.pyplot as plt

    m = np.asarray(matrix)
    if m.dtype == object or not np.issubdtype(m.dtype, np.number):
        raise TypeError(f"matrix must hold numbers, got dtype {m.dtype}")
    if m.ndim != 2 or m.shape[0] != m.shape[1] or m.size == 0:
        raise ValueError(f"matrix must be square (classes x classes), got shape {m.shape}")
    if not np.all(np.isfinite(m)) or m.min() < 0:
        raise ValueError("matrix must hold finite, non-negative counts")
    k = m.shape[0]
    if class_names is None:
        class_names = [str(i) for i in range(k)]
    elif isinstance(class_names, str) or len(class_names) != k:
        raise ValueError(
            f"class_names must name the {k} classes, got {class_names!r}"
        )
    values = m.astype(float)
    if normalize:
        totals = values.sum(axis=1, keepdims=True)
        values = np.divide(values, totals, out=np.zeros_like(values), where=totals > 0)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.8 * k + 1.6, 0.8 * k + 1.2))
    top = 1.0 if normalize else max(values.max(), 1.0)
    ax.imshow(values, cmap=cmap, vmin=0, vmax=top)
    ax.set_xticks(range(k), [str(c) for c in class_names], rotation=45, ha="right")
    ax.set_yticks(range(k), [str(c) for c in class_names])
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    for (r, c), v in np.ndenumerate(values):
        text = f"{v:.0%}" if normalize else f"{int(round(v))}"
        ax.text(c, r, text, ha="center", va="center", fontsize=8,
                color="white" if v > 0.6 * top else "black")
    if title:
        ax.set_title(title)
    return ax


# --- Chapter 3 ---------------------------------------------------------------------

__all__ += ["plot_vs_ceiling", "plot_fusion_kinds"]


def plot_vs_ceiling(table, *, ax=None, title: str | None = None, chance: float | None = None):
    """Bars of measured accuracy, each group with its Bayes ceiling drawn as a black tick.

    ``table`` is a pandas DataFrame with a ``ceiling`` column and one or more columns of
    measured accuracies (values in [0, 1]), one row per model or test condition; the row
    labels name the groups and each accuracy column becomes one bar per group. An
    optional ``chance`` level is drawn as a dashed line. Returns the axes. Introduced in
    Chapter 3.

    >>> import pandas as pd
    >>> results = pd.DataFrame({"accuracy": [0.70, 0.97], "ceiling": [0.72, 0.98]},
    ...                        index=["image only", "fused"])
    >>> ax = plot_vs_ceiling(results, chance=0.25)
    >>> len(ax.patches)
    2
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    if "ceiling" not in table.columns:
        raise ValueError(
            f"table needs a 'ceiling' column beside the accuracies; it has {list(table.columns)}"
        )
    bars = [c for c in table.columns if c != "ceiling"]
    if not bars:
        raise ValueError("table needs at least one column of accuracies besides 'ceiling'")
    if len(table) == 0:
        raise ValueError("table has no rows: nothing to plot")
    try:
        values = table[bars + ["ceiling"]].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise TypeError("the accuracy and ceiling columns must hold numbers") from None
    if np.any(~np.isfinite(values)) or values.min() < 0 or values.max() > 1:
        raise ValueError("accuracies and ceilings must be finite numbers in [0, 1]")
    if chance is not None and not 0 <= chance <= 1:
        raise ValueError(f"chance must be in [0, 1], got {chance}")
    if ax is None:
        _, ax = plt.subplots(figsize=(0.75 * len(table) * max(1, len(bars)) ** 0.5 + 2.4, 3.3))
    x = np.arange(len(table))
    width = 0.8 / len(bars)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for k, column in enumerate(bars):
        offset = (k - (len(bars) - 1) / 2) * width
        label = "measured accuracy" if len(bars) == 1 else str(column)
        ax.bar(x + offset, values[:, k], width=width * 0.9, label=label,
               color=colours[k % len(colours)])
        if len(bars) <= 2:
            for xi, acc in zip(x + offset, values[:, k]):
                ax.text(xi, acc - 0.02, f"{acc:.0%}", ha="center", va="top", color="white",
                        fontsize=7, rotation=90 if len(bars) > 1 else 0)
    ax.hlines(values[:, -1], x - 0.45, x + 0.45, colors="black", linewidth=2.5,
              label="Bayes ceiling")
    if chance is not None:
        ax.axhline(chance, color="grey", linestyle="--", linewidth=1, label="chance")
    ax.set_xticks(x, [str(i) for i in table.index], rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("test accuracy")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    if title:
        ax.set_title(title)
    return ax


def plot_fusion_kinds():
    """A diagram of the four ways to fuse two modalities: early, late, intermediate, attention.

    Grey boxes are fixed steps, blue boxes learn, and the orange box is where the
    modalities meet. Returns the figure. Introduced in Chapter 3.

    >>> fig = plot_fusion_kinds()
    >>> [ax.get_title() for ax in fig.axes]
    ['early', 'late', 'intermediate', 'attention']
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    fixed, learned, meet = "#d9d9d9", "#9ecae1", "#fdae6b"
    # each panel: boxes as (x, y, text, colour), then arrows as (from, to) box indices
    panels = {
        "early": (
            [(0.25, 0.08, "image", "white"), (0.75, 0.08, "caption", "white"),
             (0.25, 0.30, "shrunken\npixels", fixed), (0.75, 0.30, "bag of\nwords", fixed),
             (0.5, 0.52, "join", meet), (0.5, 0.72, "network", learned),
             (0.5, 0.92, "prediction", "white")],
            [(0, 2), (1, 3), (2, 4), (3, 4), (4, 5), (5, 6)],
        ),
        "late": (
            [(0.25, 0.08, "image", "white"), (0.75, 0.08, "caption", "white"),
             (0.25, 0.30, "encoder", learned), (0.75, 0.30, "encoder", learned),
             (0.25, 0.52, "vote", learned), (0.75, 0.52, "vote", learned),
             (0.5, 0.72, "combine\nvotes", meet), (0.5, 0.92, "prediction", "white")],
            [(0, 2), (1, 3), (2, 4), (3, 5), (4, 6), (5, 6), (6, 7)],
        ),
        "intermediate": (
            [(0.25, 0.08, "image", "white"), (0.75, 0.08, "caption", "white"),
             (0.25, 0.30, "encoder", learned), (0.75, 0.30, "encoder", learned),
             (0.5, 0.52, "join\nembeddings", meet), (0.5, 0.72, "head", learned),
             (0.5, 0.92, "prediction", "white")],
            [(0, 2), (1, 3), (2, 4), (3, 4), (4, 5), (5, 6)],
        ),
        "attention": (
            [(0.25, 0.08, "image", "white"), (0.75, 0.08, "caption", "white"),
             (0.25, 0.30, "encoder", learned), (0.75, 0.30, "encoder", learned),
             (0.5, 0.52, "weighted sum\nw1, w2 per sample", meet),
             (0.5, 0.72, "head", learned), (0.5, 0.92, "prediction", "white")],
            [(0, 2), (1, 3), (2, 4), (3, 4), (4, 5), (5, 6)],
        ),
    }
    fig, axes = plt.subplots(1, 4, figsize=(12, 3.6))
    for ax, (name, (boxes, arrows)) in zip(axes, panels.items()):
        for x, y, text, colour in boxes:
            ax.add_patch(FancyBboxPatch((x - 0.2, y - 0.06), 0.4, 0.12,
                                        boxstyle="round,pad=0.01", facecolor=colour,
                                        edgecolor="black", linewidth=0.8))
            ax.text(x, y, text, ha="center", va="center", fontsize=8)
        for a, b in arrows:
            (xa, ya), (xb, yb) = boxes[a][:2], boxes[b][:2]
            ax.annotate("", xy=(xb, yb - 0.065), xytext=(xa, ya + 0.065),
                        arrowprops={"arrowstyle": "->", "linewidth": 0.9})
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_title(name)
        ax.axis("off")
    fig.tight_layout()
    return fig
