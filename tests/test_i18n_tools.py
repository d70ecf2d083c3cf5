"""tools/i18n.py: coverage against the English messages, and chapters as translated notebooks."""

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("babel")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import i18n  # noqa: E402

TABLE = {
    "3. Fusion": "3\\. 融合",
    "Every model starts the same way: one input per modality.": "每个模型的开头都一样：每个模态一个输入。",
    "the four ways to **fuse** modalities;": "**融合**模态的四种方式；",
    "Find the bug: two inputs": "找出错误：两个输入",
    "Do it now.": "现在就做。",
    "modality": "模态",
    "Here batch 512 wins with 32. At equal examples it takes fewer steps.": "这里批量 512 胜出。",
}


def test_translate_markdown_blocks():
    text = "\n".join(
        [
            "# 3. Fusion",
            "",
            "Every model starts the same way:",
            "one input per modality.",
            "",
            "- the four ways to **fuse**",
            "  modalities;",
            "- an item nobody translated",
            "",
            "Here batch 512 wins with",
            "32. At equal examples it takes fewer steps.",
            "",
            "```{exercise} Find the bug: two inputs",
            ":label: ch3-ex-two-input",
            "",
            "Do it now.",
            "```",
            "",
            "| modality | shape |",
            "|---|---|",
        ]
    )
    out, found, done = i18n.translate_markdown(text, TABLE)
    lines = out.split("\n")
    assert lines[0] == "# 3\\. 融合"
    assert lines[2] == "每个模型的开头都一样：每个模态一个输入。"
    assert "- **融合**模态的四种方式；" in lines
    assert "- an item nobody translated" in lines  # English stays where no translation exists
    assert "这里批量 512 胜出。" in lines  # "32." inside a paragraph is not a list item
    assert "```{exercise} 找出错误：两个输入" in lines
    assert ":label: ch3-ex-two-input" in lines and "现在就做。" in lines and "```" in lines
    assert "| 模态 | shape |" in lines and "|---|---|" in lines
    assert (found, done) == (9, 7)


def test_translated_chapter_keeps_its_code(tmp_path):
    chapter = ROOT / "notebooks" / "01_modalities.ipynb"
    shares = i18n.translate_notebooks("zh_CN", tmp_path, [chapter])
    english = json.loads(chapter.read_text("utf8"))["cells"]
    chinese = json.loads((tmp_path / chapter.name).read_text("utf8"))["cells"]
    assert len(english) == len(chinese)
    code = [(e, c) for e, c in zip(english, chinese) if e["cell_type"] == "code"]
    setup_en, setup_zh = ("".join(c["source"]) for c in code[0])
    assert 'os.environ["MMTEACH_LANGUAGE"] = "zh_CN"' in setup_zh
    assert setup_zh.replace('import os\n\nos.environ["MMTEACH_LANGUAGE"] = "zh_CN"\n', "") == setup_en
    assert all(e["source"] == c["source"] for e, c in code[1:])
    if "notebooks/01_modalities" not in i18n.pending("zh_CN"):
        assert shares["01_modalities"] > 0.8
        assert "模态" in "".join(chinese[0]["source"])


def test_coverage_counts_checked_translations_only(tmp_path, monkeypatch):
    gettext = tmp_path / "gettext"
    (gettext / "book").mkdir(parents=True)
    (gettext / "book" / "page.pot").write_text(
        'msgid ""\nmsgstr ""\n\nmsgid "One."\nmsgstr ""\n\nmsgid "Two."\nmsgstr ""\n\n'
        'msgid "Three."\nmsgstr ""\n',
        "utf8",
    )
    locale = tmp_path / "locale"
    (locale / "zh_CN" / "LC_MESSAGES" / "book").mkdir(parents=True)
    (locale / "zh_CN" / "LC_MESSAGES" / "book" / "page.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "One."\nmsgstr "一。"\n\n#, fuzzy\nmsgid "Two."\nmsgstr "二？"\n',
        "utf8",
    )
    monkeypatch.setattr(i18n, "GETTEXT", gettext)
    monkeypatch.setattr(i18n, "LOCALE", locale)
    row = i18n.coverage()["zh_CN"]["book/page"]
    assert (row["messages"], row["translated"], row["pending"]) == (3, 1, False)
