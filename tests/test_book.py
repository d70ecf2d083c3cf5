"""Tests of the book itself: table of contents, notebook anatomy, one canonical repository."""

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
from toc import toc_files  # noqa: E402

import mmteach  # noqa: E402
from mmteach import exercises  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
SETUP_LINES = [
    "# Setup: in Colab, install mmteach from the book's repository; else use yours.",
    "import sys",
    'if "google.colab" in sys.modules:',
]
RUN_TIME = re.compile(r"\*\*Expected run time:\*\* about (\d+) seconds on a laptop CPU")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks in notebooks/"


def test_toc_lists_every_notebook_and_every_toc_file_exists():
    listed = toc_files()
    chapters = sorted(f for f in listed if f.startswith("notebooks/"))
    assert chapters == sorted(f"notebooks/{p.stem}" for p in NOTEBOOKS)
    for f in listed:
        assert (ROOT / f"{f}.ipynb").exists() or (ROOT / f"{f}.md").exists(), f
    numbers = [int(Path(f).name[:2]) for f in listed if f.startswith("notebooks/")]
    assert numbers == sorted(numbers) == list(range(1, len(numbers) + 1))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_clean(path):
    nb = load(path)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: stored outputs"
            assert cell["execution_count"] is None, f"{path.name}: stored execution count"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    text = path.read_text(encoding="utf-8")
    import subprocess

    cleaned = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "nbclean.py"), "--check", str(path)],
        capture_output=True, text=True,
    )
    assert cleaned.returncode == 0, f"{path.name} is not clean: run `make clean-notebooks`"
    assert text.endswith("\n")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_anatomy(path):
    cells = load(path)["cells"]
    first = source(cells[0])
    assert cells[0]["cell_type"] == "markdown"
    number = int(path.name[:2])
    assert re.match(rf"# {number}\. \S", first), f"{path.name}: title '# {number}. ...' first"
    h1 = [c for c in cells if c["cell_type"] == "markdown" and re.search(r"^# ", source(c), re.M)]
    assert len(h1) == 1, f"{path.name}: exactly one H1 title"
    assert "**What you will learn**" in first, f"{path.name}: objectives"
    assert "**Prerequisites:**" in first, f"{path.name}: prerequisites"
    assert RUN_TIME.search(first), f"{path.name}: expected run time line"
    setup = next(c for c in cells if c["cell_type"] == "code")
    lines = [line for line in source(setup).splitlines() if line.strip()]
    assert lines[:3] == SETUP_LINES, f"{path.name}: setup cell must start with the Colab install"
    text = "\n".join(source(c) for c in cells)
    assert "## Summary" in text and "## Further reading" in text


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercises_have_hidden_checked_solutions(path):
    cells = load(path)["cells"]
    md = [source(c) for c in cells if c["cell_type"] == "markdown"]
    labels = [m.group(1) for s in md for m in re.finditer(r"```\{exercise\}.*\n:label: (\S+)", s)]
    assert len(labels) >= 3, f"{path.name}: at least three exercises"
    assert len(set(labels)) == len(labels)
    for label in labels:
        assert any(f"{{solution-start}} {label}\n:class: dropdown" in s for s in md), label
    starts = sum(s.count("{solution-start}") for s in md)
    assert starts == sum(s.count("{solution-end}") for s in md)
    code = [c for c in cells if c["cell_type"] == "code"]
    checked = set()
    for c in code:
        checked |= set(re.findall(r"exercises\.check\(\s*\"([\w-]+)\"", source(c)))
    assert checked, f"{path.name}: at least one exercise checked automatically"
    for exercise in checked:
        assert exercise in exercises.registered(), exercise
    for exercise in checked:  # the hidden solution runs through the same checker
        asserted = re.compile(r'assert exercises\.check\(\s*"' + re.escape(exercise) + '"')
        assert any(
            asserted.search(source(c)) and "solution" in c["metadata"].get("tags", [])
            for c in code
        ), f"{path.name}: no solution cell asserts {exercise}"
    for c in code:
        if "solution" in c["metadata"].get("tags", []):
            assert c["metadata"].get("cellView") == "form", "solutions hidden in Colab"
            hidden = c["metadata"].get("jupyter", {}).get("source_hidden")
            assert hidden is True, f"{path.name}: solution code hidden in Jupyter too"
            assert source(c).startswith("# @title Solution")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_solution_prose_is_not_in_plain_view(path):
    """In Colab and Jupyter a markdown cell is always shown: a solution's explanation must sit in
    the hidden solution code cell, not after the {solution-start} directive."""
    for c in load(path)["cells"]:
        text = source(c)
        if c["cell_type"] != "markdown" or "{solution-start}" not in text:
            continue
        after = text.split("{solution-start}", 1)[1]
        rest = after.split("```", 1)[1] if "```" in after else after
        assert not rest.strip(), f"{path.name}: solution prose in plain view: {rest.strip()[:80]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_colab_badge_and_install_agree_with_config(path):
    repo = CONFIG["repository"]["url"]
    branch = CONFIG["repository"]["branch"]
    assert repo == mmteach.REPOSITORY_URL and branch == mmteach.BRANCH
    slug = repo.removeprefix("https://github.com/")
    cells = load(path)["cells"]
    badge = f"https://colab.research.google.com/github/{slug}/blob/{branch}/notebooks/{path.name}"
    assert badge in source(cells[0]), f"{path.name}: Colab badge must point at {badge}"
    install = f'"mmteach @ git+{repo}@{branch}"'
    assert any(install in source(c) for c in cells if c["cell_type"] == "code")
    assert CONFIG["launch_buttons"]["colab_url"] == "https://colab.research.google.com"


def test_claim_checks_are_hidden_and_assert():
    for path in NOTEBOOKS:
        cells = load(path)["cells"]
        hidden = [c for c in cells if "remove-cell" in c["metadata"].get("tags", [])]
        assert hidden, f"{path.name}: no hidden claim-check cells"
        assert all("assert" in source(c) for c in hidden if c["cell_type"] == "code")


def test_config_for_jupyter_book_1():
    assert CONFIG["execute"]["execute_notebooks"] in ("force", "cache")
    assert CONFIG["sphinx"]["config"]["nb_execution_raise_on_error"] is True
    for pattern in (".venv", "tests", "mmteach", "_build"):
        assert pattern in CONFIG["exclude_patterns"]
    assert "sphinx.ext.autodoc" in CONFIG["sphinx"]["extra_extensions"]
    assert (ROOT / CONFIG["bibtex_bibfiles"][0]).exists()


def test_pyproject_has_lower_bounds_only():
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for dep in deps:
        assert "==" not in dep and "<" not in dep, dep
        assert ">=" in dep, dep


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make book" in readme and "make test" in readme
    assert "colab.research.google.com" in readme


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_wrapped_line_starts_a_numbered_list(path):
    """A prose line that starts with "1. " after a line of text becomes a numbered list in
    Markdown ("... well short of" / "1. So never ..."): wrap such lines elsewhere."""
    list_item = re.compile(r"^\s*(\d+[.)]|[-*+])\s")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    bad = []
    for cell in cells:
        if cell["cell_type"] != "markdown":
            continue
        lines = "".join(cell["source"]).split("\n")
        for before, line in zip(lines, lines[1:]):
            if re.match(r"^\s*1[.)]\s", line) and before.strip() and not list_item.match(before):
                bad.append(f"{before[-40:]!r} / {line[:40]!r}")
    assert not bad, bad
