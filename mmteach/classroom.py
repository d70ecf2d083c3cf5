"""The classroom kit: student notebooks without solutions, and a grader that cannot be fooled.

Introduced in the instructor guide (``book/instructor.md``).

- :func:`student_notebook` removes every solution from a chapter: the cells tagged
  ``solution`` and the ``{solution-start}`` ... ``{solution-end}`` directives around them.
  Stubs, hints, checkers and the Colab install cell stay, so a student's notebook runs top
  to bottom and every checker answers with a hint.
- :func:`grade_submission` runs one submitted notebook in a fresh kernel with a time limit,
  then asks the checkers themselves -- freshly imported inside that kernel, after the
  student's code has run -- about each answer the notebook handed to
  ``exercises.check(...)``. Nothing the notebook prints counts, and a student who redefines
  or monkey-patches the checker changes only their own copy, which the grader discards.
- :func:`grade` does this for many submissions and returns one row per submission and a
  summary per exercise; ``python -m mmteach.grade`` (or ``mmteach-grade``) is its command
  line.

Statuses of an exercise: ``passed``, ``hint`` (a wrong answer: the checker gave a hint),
``not attempted`` (still the stub), ``error`` (the student's code raised, or the answer could
not be evaluated), ``missing`` (the cell that calls the checker was deleted). Statuses of a
submission: ``ok``, ``errors`` (some cell raised), ``timeout`` (a cell ran past the time
limit and was interrupted), ``invalid`` (not a notebook), ``kernel died``.

>>> cells = [{"cell_type": "code", "metadata": {"tags": ["solution"]}, "source": "x = 1",
...           "outputs": [], "execution_count": None}]
>>> nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
>>> len(student_notebook(nb)["cells"])
0
"""

from __future__ import annotations

import ast
import copy
import json
import re
import secrets
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from mmteach._validation import check_int

__all__ = [
    "STATUSES",
    "student_notebook",
    "checked_answers",
    "Submission",
    "grade_submission",
    "grade",
]

#: What the grader can say about one exercise.
STATUSES = ("passed", "hint", "not attempted", "error", "missing")

_SOLUTION_BLOCK = re.compile(r"```\{solution-start\}.*?```\{solution-end\}\s*```", re.S)
_OPEN_SOLUTION = re.compile(r"```\{solution-start\}.*\Z", re.S)
_CLOSE_SOLUTION = re.compile(r"\A.*?```\{solution-end\}\s*```", re.S)
_MIME = "application/vnd.mmteach.grade+json"
#: Seconds allowed to the grader's own cell (a fresh import of every chapter's checkers).
GRADER_TIMEOUT = 300


def _source(cell) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def student_notebook(nb: dict) -> dict:
    """A copy of notebook ``nb`` (a dict) with every solution removed and nothing else changed.

    Removes code cells tagged ``solution`` and the markdown of the ``{solution-start}`` and
    ``{solution-end}`` directives (a markdown cell left empty is dropped). Outputs are
    cleared, so what the instructor's run printed is not handed out either.
    """
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise TypeError(f"nb must be a notebook dict with a 'cells' list, got {type(nb).__name__}")
    out = copy.deepcopy(nb)
    cells, inside = [], False
    for cell in out["cells"]:
        text = _source(cell)
        if cell.get("cell_type") == "code":
            if "solution" in cell.get("metadata", {}).get("tags", []) or inside:
                continue
            cell["outputs"], cell["execution_count"] = [], None
            cells.append(cell)
            continue
        if inside:  # a markdown cell inside an open solution: keep what follows its end
            if "{solution-end}" not in text:
                continue
            text, inside = _CLOSE_SOLUTION.sub("", text, count=1), False
        text = _SOLUTION_BLOCK.sub("", text)
        if "{solution-start}" in text:
            text, inside = _OPEN_SOLUTION.sub("", text), True
        if "{solution-end}" in text:  # the end of a solution opened in an earlier cell
            text = _CLOSE_SOLUTION.sub("", text, count=1)
        if text.strip():
            cell["source"] = text.strip("\n") + "\n" if text.endswith("\n") else text.strip("\n")
            cells.append(cell)
    out["cells"] = cells
    return out


def _python(code: str) -> str:
    """Cell source with IPython magics and shell lines blanked, so that ``ast`` can read it."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines())


def checked_answers(nb: dict) -> dict[str, str]:
    """``{exercise id: answer expression}`` for every ``exercises.check("id", answer)`` call.

    Read from the code cells that are not solutions; the last call of an exercise wins, as
    in the notebook. An unreadable cell (a syntax error) is skipped.
    """
    answers = {}
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "code" or "solution" in cell.get("metadata", {}).get("tags", []):
            continue
        code = _python(_source(cell))
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            first = node.args[0]
            if name == "check" and isinstance(first, ast.Constant) and isinstance(first.value, str):
                answers[first.value] = ast.get_source_segment(code, node.args[1])
    return answers


_GRADER_CELL = """
def __mmteach_grade(answers, token):
    import importlib, sys
    for name in [m for m in sys.modules if m == "mmteach.exercises" or m.startswith("mmteach.exercises.")]:
        del sys.modules[name]  # the student's copy, patched or not, is thrown away
    fresh = importlib.import_module("mmteach.exercises")
    results = {}
    for exercise, expression in answers.items():
        try:
            answer = eval(expression, globals())
        except Exception as err:
            results[exercise] = ["error", f"the answer {expression!r} could not be evaluated: "
                                 f"{type(err).__name__}: {err}"]
            continue
        try:
            result = fresh.check(exercise, answer, quiet=True)
            results[exercise] = [str(result.status), str(result.message)]
        except Exception as err:
            results[exercise] = ["error", f"{type(err).__name__}: {err}"]
    return {"token": token, "results": results}


__mmteach_result = __mmteach_grade(__ANSWERS__, __TOKEN__)
from IPython.display import publish_display_data as __mmteach_publish
__mmteach_publish({__MIME__: __mmteach_result})
"""

_STATUS_WORDS = {"correct": "passed", "wrong": "hint", "not attempted": "not attempted", "error": "error"}


@dataclass
class Submission:
    """The grade of one submitted notebook."""

    path: str
    status: str
    seconds: float
    exercises: dict[str, str] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    detail: str = ""

    @property
    def passed(self) -> int:
        return sum(s == "passed" for s in self.exercises.values())


def _chapter_exercises(path: Path, nb: dict | None) -> list[str]:
    """The exercise ids of the submission's chapter: from its file name (``03_...``) or calls."""
    from mmteach import exercises

    found = re.match(r"(\d+)", path.name)
    ids = []
    if found:
        prefix = f"ch{int(found.group(1))}-"
        ids = [e for e in exercises.registered() if e.startswith(prefix)]
    if not ids and nb is not None:
        ids = sorted(e for e in checked_answers(nb) if e in exercises.registered())
    return ids


def grade_submission(path, *, timeout: int = 120, kernel_name: str = "python3") -> Submission:
    """Run the notebook at ``path`` in a fresh kernel and grade each exercise of its chapter.

    ``timeout`` is the limit in seconds for each cell; a cell past it is interrupted and
    the run goes on, so an infinite loop costs one ``timeout``. Never raises for a bad
    submission: the returned :class:`Submission` says what happened.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    path = Path(path)
    timeout = check_int("timeout", timeout, minimum=1)
    start = time.perf_counter()
    try:
        nb = nbformat.read(str(path), as_version=4)
        nbformat.validate(nb)
    except Exception as err:  # not JSON, not a notebook, unreadable
        ids = _chapter_exercises(path, None)
        return Submission(str(path), "invalid", 0.0, dict.fromkeys(ids, "missing"),
                          detail=f"not a valid notebook: {type(err).__name__}: {str(err)[:200]}")
    ids = _chapter_exercises(path, nb)
    answers = {e: a for e, a in checked_answers(nb).items() if e in ids}
    token = secrets.token_hex(8)
    grader = (_GRADER_CELL.replace("__ANSWERS__", repr(answers)).replace("__TOKEN__", repr(token))
              .replace("__MIME__", repr(_MIME)))
    nb.cells.append(nbformat.v4.new_code_cell(grader))
    status, detail = "ok", ""
    with tempfile.TemporaryDirectory() as workdir:  # each submission in its own folder
        grader_cell = nb.cells[-1]

        def limit(cell):  # the grader's own cell imports the checkers afresh: give it time
            return max(timeout, GRADER_TIMEOUT) if cell is grader_cell else timeout

        client = NotebookClient(nb, timeout=timeout, timeout_func=limit, kernel_name=kernel_name,
                                allow_errors=True, interrupt_on_timeout=True,
                                resources={"metadata": {"path": workdir}})
        try:
            client.execute()
        except (CellTimeoutError, DeadKernelError, RuntimeError) as err:
            status, detail = "kernel died", f"{type(err).__name__}: {str(err)[:200]}"
        except Exception as err:  # nbclient refuses to start, and so on
            status, detail = "kernel died", f"{type(err).__name__}: {str(err)[:200]}"
    seconds = round(time.perf_counter() - start, 1)
    student_cells = nb.cells[:-1]
    errors = [o for c in student_cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    if status == "ok" and errors:
        timed_out = any(o.get("ename") in ("KeyboardInterrupt", "CellTimeoutError") for o in errors)
        status = "timeout" if timed_out else "errors"
        detail = "; ".join(f"{o.get('ename')}: {str(o.get('evalue'))[:80]}" for o in errors[:3])
    results = {}
    for out in nb.cells[-1].get("outputs", []):
        data = out.get("data", {}).get(_MIME)
        if isinstance(data, str):
            data = json.loads(data)
        if isinstance(data, dict) and data.get("token") == token:
            results = data.get("results", {})
    submission = Submission(str(path), status, seconds, detail=detail)
    for exercise in ids:
        if exercise not in answers:
            submission.exercises[exercise] = "missing"
            submission.messages[exercise] = "the cell that calls this exercise's checker was deleted"
        elif exercise in results:
            word, message = results[exercise]
            submission.exercises[exercise] = _STATUS_WORDS.get(word, "error")
            submission.messages[exercise] = message
        else:
            submission.exercises[exercise] = "error"
            submission.messages[exercise] = "the notebook did not run far enough to check this exercise"
    return submission


def grade(paths, *, timeout: int = 120, kernel_name: str = "python3"):
    """Grade every notebook in ``paths``: ``(rows, summary)`` as pandas DataFrames.

    ``rows`` has one row per submission (file, status, seconds, passed, then one column per
    exercise with its status); ``summary`` has one row per exercise and one column per status,
    counting submissions.
    """
    import pandas as pd

    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else list(paths))]
    if not paths:
        raise ValueError("paths is empty: give at least one submitted notebook")
    submissions = [grade_submission(p, timeout=timeout, kernel_name=kernel_name) for p in paths]
    exercise_ids = sorted({e for s in submissions for e in s.exercises})
    rows = pd.DataFrame(
        [{"submission": s.path, "status": s.status, "seconds": s.seconds, "passed": s.passed,
          **{e: s.exercises.get(e, "") for e in exercise_ids}, "detail": s.detail} for s in submissions]
    )
    summary = pd.DataFrame(
        [{"exercise": e, **{st: sum(s.exercises.get(e) == st for s in submissions) for st in STATUSES}}
         for e in exercise_ids],
        columns=["exercise", *STATUSES],
    ).set_index("exercise")
    return rows, summary
