"""Tests of the Chapter 3 plotting helpers."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from mmteach import plotting  # noqa: E402


def test_plot_vs_ceiling_one_and_several_columns():
    table = pd.DataFrame({"accuracy": [0.5, 0.9, 0.95], "ceiling": [0.55, 0.98, 0.98]},
                         index=["a", "b", "c"])
    ax = plotting.plot_vs_ceiling(table, chance=0.25, title="t")
    assert len(ax.patches) == 3 and ax.get_title() == "t"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    table["other"] = [0.4, 0.8, 0.9]
    ax = plotting.plot_vs_ceiling(table)
    assert len(ax.patches) == 6
    labels = ax.get_legend_handles_labels()[1]
    assert "accuracy" in labels and "other" in labels and "Bayes ceiling" in labels
    plt.close("all")


def test_plot_vs_ceiling_errors():
    good = pd.DataFrame({"accuracy": [0.5], "ceiling": [0.6]})
    with pytest.raises(TypeError, match="pandas DataFrame"):
        plotting.plot_vs_ceiling({"accuracy": [0.5], "ceiling": [0.6]})
    with pytest.raises(ValueError, match="needs a 'ceiling' column"):
        plotting.plot_vs_ceiling(good[["accuracy"]])
    with pytest.raises(ValueError, match="at least one column of accuracies"):
        plotting.plot_vs_ceiling(good[["ceiling"]])
    with pytest.raises(ValueError, match="no rows"):
        plotting.plot_vs_ceiling(good.iloc[:0])
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        plotting.plot_vs_ceiling(good * 100)
    with pytest.raises(TypeError, match="must hold numbers"):
        plotting.plot_vs_ceiling(good.assign(accuracy=["high"]))
    with pytest.raises(ValueError, match="chance must be in"):
        plotting.plot_vs_ceiling(good, chance=2)


def test_plot_fusion_kinds_draws_four_panels():
    fig = plotting.plot_fusion_kinds()
    assert [ax.get_title() for ax in fig.axes] == ["early", "late", "intermediate", "attention"]
    texts = [t.get_text() for t in fig.axes[3].texts]
    assert any("per sample" in t for t in texts)
    plt.close(fig)
