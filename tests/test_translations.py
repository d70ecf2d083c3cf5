"""The translated editions' catalogues (locale/<language>/LC_MESSAGES/<page>.po).

A translation may reword a sentence but never its machinery: every role (`{glue:text}`,
`{cite:p}`, `{ref}` ...), code span, formula and link target of the English message appears in
its translation, so the numbers glued from the run, the citations and the cross-references are
the same in every edition. Terms follow the glossary's Chinese column (the term base). Coverage
(every page 100% translated) is checked by `python tools/i18n.py check` in `make test`, against
messages freshly extracted from the English pages.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

read_po = pytest.importorskip("babel.messages.pofile").read_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/**/*.po"))

ROLE = re.compile(r"\{[a-z][a-z:-]*\}`[^`]*`")
CODE = re.compile(r"(`+)(.+?)\1")
MATH = re.compile(r"\$\$.+?\$\$|\$[^$\s][^$]*?\$")
LINK_TARGET = re.compile(r"\]\(([^)\s]+)\)")
BARE_NUMBER = re.compile(r"^\d+\.\s")  # Markdown reads "1. " as a list: write "1\. "


def _messages(path):
    with open(path, "rb") as handle:
        return [m for m in read_po(handle) if m.id and isinstance(m.id, str)]


def _role_key(role: str) -> str:
    """A role as it must survive translation: the explicit title of a cross-reference
    ({ref}`the exercise <ch2-ex-fuse>`) is prose and may be translated; its target may not."""
    titled = re.match(r"(\{(?:ref|doc|numref|term)\}`)[^`<]*(<[^>]+>)`$", role)
    return titled.group(1) + titled.group(2) + "`" if titled else role


def machinery(text: str) -> Counter:
    """The parts of a message a translation must keep verbatim."""
    found = Counter(_role_key(role) for role in ROLE.findall(text))
    rest = ROLE.sub(" ", text)
    found.update(f"code:{m.group(2)}" for m in CODE.finditer(rest))
    rest = CODE.sub(" ", rest)
    found.update(f"math:{m}" for m in MATH.findall(rest))
    found.update(f"link:{m}" for m in LINK_TARGET.findall(text))
    return found


def test_machinery_of_a_message():
    english = "After {glue:text}`n:.1%` steps, `fit` gives $x^2$ ([docs](https://a.b/c))."
    assert machinery(english) == Counter(
        ["{glue:text}`n:.1%`", "code:fit", "math:$x^2$", "link:https://a.b/c"]
    )
    # a translation that drops a glued number or renames code is caught
    assert machinery("经过若干步，`fit` 给出 $x^2$（[文档](https://a.b/c)）。") != machinery(english)
    # the title of a cross-reference is prose; its target is not
    assert machinery("{ref}`an exercise <ex-a>`") == machinery("{ref}`一道练习 <ex-a>`")
    assert machinery("{ref}`an exercise <ex-a>`") != machinery("{ref}`一道练习 <ex-b>`")


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(LOCALE)))
def test_translations_keep_roles_code_math_and_links(path):
    broken = []
    for message in _messages(path):
        if message.string and machinery(message.string) != machinery(message.id):
            lost = machinery(message.id) - machinery(message.string)
            added = machinery(message.string) - machinery(message.id)
            broken.append(f"{message.id[:60]!r}: lost {dict(lost)}, added {dict(added)}")
    assert not broken, "\n".join(broken)


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(LOCALE)))
def test_no_translation_starts_with_a_bare_number(path):
    bare = [m.string[:40] for m in _messages(path) if BARE_NUMBER.match(m.string or "")]
    assert not bare, f"write 'N\\. ' at the start of: {bare}"


def glossary_terms() -> list[tuple[str, str]]:
    """(English term, Chinese term) from the glossary table; parentheses dropped, pairs split."""
    terms = []
    for line in (ROOT / "book" / "glossary.md").read_text("utf8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("English", "---"):
            continue
        english = re.sub(r"\s*\([^)]*\)", "", cells[0])
        chinese = re.sub(r"\s*[（(][^）)]*[）)]", "", cells[1])
        en_parts, zh_parts = english.split(" / "), chinese.split(" / ")
        if len(en_parts) != len(zh_parts):
            en_parts, zh_parts = [english], [chinese]
        tail = en_parts[-1].split()[1:]  # "word / digit error rate": "word error rate"
        for i, (en, zh) in enumerate(zip(en_parts, zh_parts)):
            if i < len(en_parts) - 1 and len(en.split()) == 1 and tail:
                en = " ".join([en, *tail])
            terms.append((en.strip(), zh.strip()))
    return terms


def _term_pattern(term: str) -> re.Pattern:
    plural = r"(?:ies)" if term.endswith("y") else r"(?:s|es)?"
    stem = re.escape(term[:-1]) + r"(?:y|ies)" if term.endswith("y") else re.escape(term) + plural
    return re.compile(r"(?<![\w-])" + stem + r"(?![\w-])", re.IGNORECASE)


def test_glossary_terms_parse():
    terms = dict(glossary_terms())
    assert terms["modality"] == "模态"
    assert terms["word error rate"] == "词错误率"
    assert terms["decoder"] == "解码器"
    assert _term_pattern("modality").search("two modalities")


# Everyday words that are also glossary terms: "recall that ...", "float precision".
AMBIGUOUS = {"recall", "precision", "stacking"}
TERMS = [(en, zh) for en, zh in glossary_terms() if en not in AMBIGUOUS]


def used_terms(english: str) -> list[tuple[str, str]]:
    """The glossary terms an English message uses, outside code, roles and formulas; a term
    inside a longer one ("token" in "out-of-vocabulary token") counts as the longer one."""
    text = MATH.sub(" ", ROLE.sub(" ", CODE.sub(" ", english)))
    found = []
    for en, zh in TERMS:
        found += [(m.start(), m.end(), en, zh) for m in _term_pattern(en).finditer(text)]
    return sorted(
        {
            (en, zh)
            for start, end, en, zh in found
            if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, *_ in found)
        }
    )


def test_used_terms():
    assert used_terms("the out-of-vocabulary token") == [("out-of-vocabulary token", "未登录词标记")]
    assert used_terms("a token, $g(\\text{caption})$") == [("token", "词元")]


@pytest.mark.parametrize(
    "path",
    [p for p in CATALOGUES if "zh_CN" in p.relative_to(LOCALE).parts[:1]],
    ids=lambda p: str(p.relative_to(LOCALE)),
)
def test_chinese_translations_use_the_glossary_terms(path):
    if path.stem in ("glossary", "api"):
        pytest.skip("the glossary defines the terms; the API reference stays English")
    misses = []
    for message in _messages(path):
        if message.string:
            for en, zh in used_terms(message.id):
                if zh not in message.string:
                    misses.append(f"{en!r} -> {zh!r} in {message.string[:50]!r}")
    assert not misses, "\n".join(misses)
