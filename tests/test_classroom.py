"""The classroom kit: student notebooks hold no solution; the grader reads the checkers, not the output."""

import json
from pathlib import Path

import nbformat
import pytest

from mmteach import classroom, exercises
from mmteach.grade import main as grade_main

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))

CORRECT = {
    "ch1-text-ceiling": "def ceiling(p_silent, n_classes):\n    return (1 - p_silent) + p_silent / n_classes",
    "ch1-fused-ceiling": (
        "import numpy as np\n\ndef fused(ps, k):\n    s = float(np.prod(ps)) if ps else 1.0\n"
        "    return (1 - s) + s / k"
    ),
}
NAMES = {"ch1-text-ceiling": "ceiling", "ch1-fused-ceiling": "fused"}


def notebook(*sources, tags=None):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def write(tmp_path, name, nb):
    path = tmp_path / f"01_{name}.ipynb"
    path.write_text(nbformat.writes(nb) if not isinstance(nb, str) else nb, encoding="utf-8")
    return path


SETUP = "from mmteach import exercises"
LIMIT = 20  # seconds per cell: generous for a loaded machine; the infinite loop costs one


def attempt(exercise, body):
    return f'{body}\n\nexercises.check("{exercise}", {NAMES[exercise]})'


def stub(exercise):
    return attempt(exercise, f"def {NAMES[exercise]}(*args):\n    ...  # your code here")


# --- student notebooks --------------------------------------------------------------------


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_student_notebook_keeps_stubs_and_drops_every_solution(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    student = classroom.student_notebook(nb)
    text = json.dumps(student)
    assert "{solution-start}" not in text and "{solution-end}" not in text
    assert not any("solution" in c["metadata"].get("tags", []) for c in student["cells"])
    assert "# @title Solution" not in text
    kept = [c for c in nb["cells"] if "solution" not in c["metadata"].get("tags", [])]
    assert sum(c["cell_type"] == "code" for c in student["cells"]) == sum(
        c["cell_type"] == "code" for c in kept
    )
    assert student["cells"][1]["source"] == nb["cells"][1]["source"]  # the Colab install cell
    ids = set(classroom.checked_answers(nb))
    assert ids and ids == set(classroom.checked_answers(student))  # every checker call stays
    assert json.loads(json.dumps(nb)) == nb  # the instructor's notebook is left untouched


def test_student_notebook_handles_solutions_that_span_cells():
    md = nbformat.v4.new_markdown_cell
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        md("```{exercise} E\n:label: e\n\nDo it.\n```"),
        md("```{solution-start} e\n:class: dropdown\n```"),
        nbformat.v4.new_code_cell("secret = 42", metadata={"tags": ["solution"]}),
        md("```{solution-end}\n```\n\n## Summary\n\nDone."),
        md("```{solution-start} f\n:class: dropdown\n```\nThe answer is 42.\n```{solution-end}\n```"),
    ]
    student = classroom.student_notebook(nb)
    texts = [c["source"] for c in student["cells"]]
    assert texts == ["```{exercise} E\n:label: e\n\nDo it.\n```", "## Summary\n\nDone."]
    with pytest.raises(TypeError, match="notebook dict"):
        classroom.student_notebook([])


def test_checked_answers_reads_the_calls_even_beside_magics():
    nb = notebook("%pip install x\n" + stub("ch1-text-ceiling"),
                  "exercises.check('ch1-fused-ceiling', fused)", "def broken(:")
    assert classroom.checked_answers(nb) == {"ch1-text-ceiling": "ceiling", "ch1-fused-ceiling": "fused"}


# --- the grader ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("submissions")
    both = [attempt(e, CORRECT[e]) for e in CORRECT]
    subs = {
        "correct": notebook(SETUP, *both),
        "stubs": notebook(SETUP, stub("ch1-text-ceiling"), stub("ch1-fused-ceiling")),
        "one_wrong": notebook(SETUP, attempt("ch1-text-ceiling", "def ceiling(p, k):\n    return 1 - p"),
                              both[1]),
        "loops": notebook(SETUP, both[0], "while True:\n    pass", both[1]),
        "import_error": notebook("import a_module_that_does_not_exist\n" + SETUP, *both),
        "corrupt": "{ this is not a notebook",
        "fakes_output": notebook(
            SETUP,
            stub("ch1-text-ceiling") + "\nprint('✅ [ch1-text-ceiling] Correct!')",
            stub("ch1-fused-ceiling"),
        ),
        "patches_checker": notebook(
            SETUP,
            "import mmteach.exercises as ex\nfrom mmteach.exercises import CheckResult\n"
            "ex._CHECKERS['ch1-text-ceiling'] = (lambda answer: None, 'patched')\n"
            "ex.check = lambda *a, **k: CheckResult('x', 'correct', 'Correct!')\n"
            "CheckResult.passed = property(lambda self: True)",
            attempt("ch1-text-ceiling", "def ceiling(p, k):\n    return 0.0"),
            stub("ch1-fused-ceiling"),
        ),
        "deleted_cells": notebook(SETUP, both[0]),
    }
    paths = {name: write(tmp, name, nb) for name, nb in subs.items()}
    rows, summary = classroom.grade(list(paths.values()), timeout=LIMIT)
    rows["name"] = [Path(p).stem[3:] for p in rows["submission"]]
    return rows.set_index("name"), summary, paths


def status(graded, name, exercise=None):
    rows = graded[0]
    return rows.loc[name, exercise] if exercise else rows.loc[name, "status"]


def test_grader_passes_the_correct_submission(graded):
    assert status(graded, "correct") == "ok"
    assert status(graded, "correct", "ch1-text-ceiling") == "passed"
    assert status(graded, "correct", "ch1-fused-ceiling") == "passed"


def test_grader_reports_stubs_wrong_answers_and_deleted_cells(graded):
    assert status(graded, "stubs", "ch1-text-ceiling") == "not attempted"
    assert status(graded, "one_wrong", "ch1-text-ceiling") == "hint"
    assert status(graded, "one_wrong", "ch1-fused-ceiling") == "passed"
    assert status(graded, "deleted_cells", "ch1-fused-ceiling") == "missing"
    assert status(graded, "deleted_cells", "ch1-text-ceiling") == "passed"


def test_grader_survives_loops_import_errors_and_corrupt_files(graded):
    assert status(graded, "loops") == "timeout"
    assert status(graded, "loops", "ch1-text-ceiling") == "passed"  # graded after the interrupt
    assert status(graded, "import_error") == "errors"
    assert "ModuleNotFoundError" in graded[0].loc["import_error", "detail"]
    assert status(graded, "import_error", "ch1-text-ceiling") == "passed"
    assert status(graded, "corrupt") == "invalid"
    assert set(graded[0].loc["corrupt", ["ch1-text-ceiling", "ch1-fused-ceiling"]]) == {"missing"}


def test_grader_is_not_fooled_by_printed_marks_or_a_patched_checker(graded):
    assert status(graded, "fakes_output", "ch1-text-ceiling") == "not attempted"
    assert status(graded, "patches_checker", "ch1-text-ceiling") == "hint"
    assert status(graded, "patches_checker", "ch1-fused-ceiling") == "not attempted"


def test_grader_summary_counts_each_status(graded):
    rows, summary, _ = graded
    assert list(summary.columns) == list(classroom.STATUSES)
    assert (summary.sum(axis=1) == len(rows)).all()
    assert summary.loc["ch1-text-ceiling", "passed"] == (rows["ch1-text-ceiling"] == "passed").sum()


def test_grade_command_line_writes_csv(graded, tmp_path, capsys):
    out = tmp_path / "grades.csv"
    assert grade_main([str(graded[2]["correct"]), "--out", str(out), "--timeout", "30"]) == 0
    text = out.read_text()
    assert "ch1-text-ceiling" in text and "passed" in text
    assert "wrote" in capsys.readouterr().out


def test_grade_refuses_bad_arguments():
    with pytest.raises(ValueError, match="paths is empty"):
        classroom.grade([])
    with pytest.raises(ValueError, match="timeout must be an integer >= 1"):
        classroom.grade_submission("x.ipynb", timeout=0)
    assert "ch1-text-ceiling" in exercises.registered()
