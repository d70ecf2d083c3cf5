"""The book's tools: run-time warnings of `make bench` and the notebook cleaner."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

import bench  # noqa: E402
import nbclean  # noqa: E402


def result(stated, wall, name="notebooks/01_x.ipynb"):
    return {"notebook": name, "stated_s": stated, "wall_s": wall}


def test_bench_warns_when_a_stated_time_is_far_off_either_way():
    assert bench.run_time_warnings([result(30, 30.0), result(30, 44.0), result(30, 21.0)]) == []
    slower, faster = bench.run_time_warnings([result(30, 46.0)]), bench.run_time_warnings([result(30, 19.0)])
    assert len(slower) == 1 and "states about 30 s but ran in 46.0 s" in slower[0]
    assert len(faster) == 1 and "ran in 19.0 s" in faster[0]
    missing = bench.run_time_warnings([result(None, 10.0)])
    assert missing and "states no expected run time" in missing[0]
    assert any("one-minute promise" in w for w in bench.run_time_warnings([result(60, 75.0)]))


def test_bench_reads_the_stated_time_from_the_first_cell(tmp_path):
    path = tmp_path / "nb.ipynb"
    cell = {"cell_type": "markdown", "metadata": {}, "source": "**Expected run time:** about 45 seconds"}
    path.write_text(json.dumps({"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 4}))
    assert bench.stated_seconds(str(path)) == 45


def test_nbclean_strips_outputs_and_keeps_hiding_metadata(tmp_path):
    path = tmp_path / "nb.ipynb"
    cell = {"cell_type": "code", "execution_count": 3, "id": "x",
            "metadata": {"tags": ["solution"], "cellView": "form", "jupyter": {"source_hidden": True},
                         "scrolled": True},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": "hi"}], "source": "1"}
    notebook = {"cells": [cell], "metadata": {"widgets": {}}, "nbformat": 4, "nbformat_minor": 5}
    path.write_text(json.dumps(notebook))
    assert nbclean.clean(str(path)) is True
    cleaned = json.loads(path.read_text())["cells"][0]
    assert cleaned["outputs"] == [] and cleaned["execution_count"] is None
    kept = {"tags": ["solution"], "cellView": "form", "jupyter": {"source_hidden": True}}
    assert cleaned["metadata"] == kept
    assert nbclean.clean(str(path)) is False  # clean already: nothing to do
