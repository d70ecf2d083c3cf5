"""The instructor guide stays in step with the chapters: every chapter, every exercise, every
stated run time."""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from toc import toc_notebooks  # noqa: E402

GUIDE = (ROOT / "book" / "instructor.md").read_text(encoding="utf-8")
STATED = re.compile(r"\*\*Expected run time:\*\* about (\d+) seconds")


def chapters():
    for path in toc_notebooks():
        yield path, json.loads((ROOT / path).read_text(encoding="utf-8"))["cells"]


def test_every_chapter_and_exercise_is_in_the_guide():
    for path, cells in chapters():
        assert f"../{path[:-len('.ipynb')]}" in GUIDE, f"{path} is not in the course plan"
        text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        for label in re.findall(r"```\{exercise\}.*\n:label: (\S+)", text):
            assert f"`{label}`" in GUIDE, f"{label} ({path}) is not assigned in the guide"


def test_the_guide_quotes_each_chapters_stated_run_time():
    quoted = {int(n): int(s) for n, s in re.findall(r"\b(\d+): about (\d+) s\b", GUIDE)}
    for path, cells in chapters():
        number = int(Path(path).name[:2])
        stated = int(STATED.search("".join(cells[0]["source"])).group(1))
        assert quoted.get(number) == stated, (
            f"chapter {number}: the guide says {quoted.get(number)} s, its header {stated} s"
        )


def test_the_guide_names_the_two_commands():
    assert "make student" in GUIDE and "python -m mmteach.grade" in GUIDE
