"""No chapter page shows TensorFlow's start-up log lines (issue 12, item 21)."""

import pytest
from conftest import HTML, ROOT

NOISE = (
    "oneDNN custom operations",
    "absl::InitializeLog",
    "cpu_feature_guard",
    "triggered tf.function retracing",
)


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_chapter_page_shows_no_tensorflow_log_lines(path):
    page = HTML / "notebooks" / f"{path.stem}.html"
    text = page.read_text(encoding="utf-8")
    found = [n for n in NOISE if n in text]
    assert not found, f"{page.name} shows TensorFlow's log lines: {found}"
