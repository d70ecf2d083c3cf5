"""tools/sphinx_i18n.py, the extension behind the translated editions, on a two-page book.

Each gap it closes is checked on a real Jupyter Book build: a glued number inside a translated
sentence, an exercise title translated in the exercise and in its solution's header, a heading
that starts with a number, a part caption of the table of contents, the links between editions,
and the extraction of exercise titles into the message catalogue.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx_exercise")
nbformat = pytest.importorskip("nbformat")

TOOLS = Path(__file__).resolve().parent.parent / "tools"
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"

CONFIG = f"""
title: Tiny
execute:
  execute_notebooks: force
sphinx:
  local_extensions:
    sphinx_i18n: {TOOLS}
  extra_extensions:
    - sphinx_exercise
  config:
    language: LANGUAGE
    locale_dirs: [locale]
    gettext_compact: false
    mmteach_editions:
      en: [English, ""]
      zh_CN: [中文, zh_CN/]
"""
TOC = """
format: jb-book
root: intro
parts:
  - caption: Foundations
    chapters:
      - file: notebooks/one
"""
CHAPTER_PO = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"

msgid "1. One"
msgstr "1\\. 第一"

msgid "The answer is {glue:text}`answer:.1f` here."
msgstr "答案是 {glue:text}`answer:.1f`。"

msgid "Find the bug"
msgstr "找出错误"
"""
INTRO_PO = r"""msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"

msgid "Foundations"
msgstr "基础"
"""


def _book(root: Path, language: str) -> Path:
    (root / "notebooks").mkdir(parents=True)
    (root / "_config.yml").write_text(CONFIG.replace("LANGUAGE", language), "utf8")
    (root / "_toc.yml").write_text(TOC, "utf8")
    (root / "intro.md").write_text("# Intro\n\nHello.\n", "utf8")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 1. One\n\nThe answer is {glue:text}`answer:.1f` here."),
        nbformat.v4.new_code_cell("from myst_nb import glue\nglue('answer', 41.95, display=False)"),
        nbformat.v4.new_markdown_cell("```{exercise} Find the bug\n:label: ex-one\n\nDo it.\n```"),
        nbformat.v4.new_markdown_cell("```{solution-start} ex-one\n```"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("```{solution-end}\n```"),
    ]
    nbformat.write(nb, root / "notebooks" / "one.ipynb")
    messages = root / "locale" / "zh_CN" / "LC_MESSAGES"
    (messages / "notebooks").mkdir(parents=True)
    (messages / "notebooks" / "one.po").write_text(CHAPTER_PO, "utf8")
    (messages / "intro.po").write_text(INTRO_PO, "utf8")
    return root


def _build(root: Path, *extra: str) -> None:
    done = subprocess.run(
        [str(JUPYTER_BOOK), "build", str(root), "-W", "-n", "--keep-going", *extra],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def chinese(tmp_path_factory):
    root = _book(tmp_path_factory.mktemp("zh") / "book", "zh_CN")
    _build(root)
    return root / "_build" / "html"


def test_a_glued_number_inside_a_translated_sentence(chinese):
    page = (chinese / "notebooks" / "one.html").read_text("utf8")
    assert re.search(r"答案是 <span class=\"pasted-text\">42\.0</span>", page)


def test_a_numbered_heading_stays_a_heading(chinese):
    page = (chinese / "notebooks" / "one.html").read_text("utf8")
    assert re.search(r"<h1>1\. 第一", page)


def test_exercise_title_translated_in_exercise_and_solution(chinese):
    text = _text((chinese / "notebooks" / "one.html").read_text("utf8"))
    assert "(找出错误)" in text
    assert "Find the bug" not in text
    assert re.search(r"解答 练习 1 \(找出错误\)", text)


def test_part_caption_translated(chinese):
    assert "基础" in (chinese / "intro.html").read_text("utf8")


def test_link_to_the_other_edition(chinese):
    page = (chinese / "notebooks" / "one.html").read_text("utf8")
    assert 'class="mmteach-edition-link" href="../../notebooks/one.html" hreflang="en"' in page


def test_english_edition_links_to_chinese_and_extracts_exercise_titles(tmp_path):
    root = _book(tmp_path / "book", "en")
    _build(root)
    page = (root / "_build" / "html" / "notebooks" / "one.html").read_text("utf8")
    assert 'href="../zh_CN/notebooks/one.html" hreflang="zh-CN"' in page
    assert "Find the bug" in _text(page)
    shutil.rmtree(root / "_build")
    _build(root, "--builder", "custom", "--custom-builder", "gettext")
    catalogue = (root / "_build" / "gettext" / "notebooks" / "one.pot").read_text("utf8")
    assert 'msgid "Find the bug"' in catalogue
    assert 'msgid "The answer is {glue:text}`answer:.1f` here."' in catalogue
