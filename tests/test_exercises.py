"""The exercise framework: every checker has a reference answer, written once, that passes it
and that the chapter's hidden solution cell shows verbatim."""

import inspect
import json
import re
import textwrap
from pathlib import Path

import pytest

from mmteach import exercises

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def chapter_notebooks(exercise):
    number = int(re.match(r"ch(\d+)-", exercise).group(1))
    return sorted(NOTEBOOKS.glob(f"{number:02d}*.ipynb"))


def solution_sources(exercise):
    out = []
    for path in chapter_notebooks(exercise):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code" and "solution" in cell["metadata"].get("tags", []):
                out.append("".join(cell["source"]))
    return out


def defined_functions(answer):
    """The reader-visible functions of a reference answer (a function, or a tuple of them)."""
    parts = answer if isinstance(answer, tuple) else (answer,)
    return [p for p in parts if inspect.isfunction(p)]


def test_every_exercise_id_names_its_chapter_and_has_a_notebook():
    for exercise in exercises.registered():
        assert re.match(r"ch\d+-[a-z0-9-]+$", exercise), exercise
        assert chapter_notebooks(exercise), f"{exercise}: no notebook for its chapter"


@pytest.mark.parametrize("exercise", exercises.registered())
def test_reference_passes_and_is_shown_verbatim(exercise):
    answer = exercises.reference_answer(exercise)  # every checker has one, written once
    assert exercises.check(exercise, answer, quiet=True).passed
    shown = "\n".join(solution_sources(exercise))
    for fn in defined_functions(answer):
        lines = inspect.getsource(fn).splitlines()
        kept = [line for line in lines if not line.lstrip().startswith("@reference")]
        body = textwrap.dedent("\n".join(kept))
        assert body in shown, (
            f"{exercise}: the notebook's solution does not show {fn.__name__} as mmteach has it"
        )


def test_reference_registry_refuses_unknown_exercises():
    with pytest.raises(ValueError, match="unknown exercise"):
        exercises.reference_answer("ch99-nothing")
