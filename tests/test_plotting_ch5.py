"""mmteach.plotting.plot_confusion_matrix (Chapter 5)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mmteach import metrics, plotting  # noqa: E402


def test_plot_confusion_matrix_counts_and_rows():
    cm = metrics.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0])
    ax = plotting.plot_confusion_matrix(cm, ["circle", "square", "cross"], title="t")
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["1", "1", "0", "0", "1", "0", "1", "0", "2"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["circle", "square", "cross"]
    assert ax.get_title() == "t"
    plt.close("all")
    fig, ax = plt.subplots()
    out = plotting.plot_confusion_matrix(cm, normalize=True, ax=ax)
    assert out is ax
    assert [t.get_text() for t in ax.texts][:3] == ["50%", "50%", "0%"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]
    # an empty row (a class absent from the sample) stays at zero instead of dividing by 0
    ax = plotting.plot_confusion_matrix(np.array([[0, 0], [1, 3]]), normalize=True)
    assert [t.get_text() for t in ax.texts] == ["0%", "0%", "25%", "75%"]
    plt.close("all")


@pytest.mark.parametrize(
    "matrix, names, error, match",
    [
        (np.zeros((2, 3)), None, ValueError, "square"),
        (np.zeros((0, 0)), None, ValueError, "square"),
        ([[1, -1], [0, 1]], None, ValueError, "non-negative"),
        ([[1, np.nan], [0, 1]], None, ValueError, "finite"),
        ([["a", "b"], ["c", "d"]], None, TypeError, "numbers"),
        ([[1, 0], [0, 1]], ["a"], ValueError, "name the 2 classes"),
        ([[1, 0], [0, 1]], "ab", ValueError, "name the 2 classes"),
    ],
)
def test_plot_confusion_matrix_bad_input(matrix, names, error, match):
    with pytest.raises(error, match=match):
        plotting.plot_confusion_matrix(matrix, names)
