"""The translated editions: extract messages, update catalogues, measure coverage, build.

The English book is the source. Sphinx's gettext builder extracts every sentence of every page
and of every notebook's markdown cells into one ``.pot`` file per page; translations live in
``locale/<language>/LC_MESSAGES/<page>.po``. Code cells are never extracted, so code, figures
and numbers are the same in every edition. The notebooks execute once: the English build fills
Jupyter Book's execution cache and the translated build reads it.

    python tools/i18n.py extract        # .pot files into _build/i18n/gettext, coverage.json
    python tools/i18n.py update         # extract, then merge into the .po files (make pot)
    python tools/i18n.py check          # extract; fail unless every page is 100% translated
    python tools/i18n.py build zh_CN    # the edition into _build/html/zh_CN (make book-zh)
    python tools/i18n.py notebooks zh_CN --out DIR   # the chapters as Chinese notebooks

Pages listed in ``locale/<language>/pending.txt`` are not translated yet: they are reported,
and English is shown in their place, but they do not fail the check.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "_build" / "i18n"
GETTEXT = BUILD / "pot" / "_build" / "gettext"
LOCALE = ROOT / "locale"
CACHE = "_build/.jupyter_cache"  # shared by every edition: notebooks execute once
BIN = Path(sys.executable).parent

# What differs per edition besides the language; links between editions use the prefixes.
EDITIONS = {
    "en": {"label": "English", "prefix": ""},
    "zh_CN": {
        "label": "中文",
        "prefix": "zh_CN/",
        "title": "多模态与跨模态深度学习",
        "search_bar_text": "搜索本书……",
    },
}
TRANSLATED = [language for language in EDITIONS if language != "en"]
# Pages every edition shows in English: the API reference is generated from the docstrings.
ENGLISH_ONLY = {"book/api"}


def base_config() -> dict:
    config = yaml.safe_load((ROOT / "_config.yml").read_text("utf8"))
    config = copy.deepcopy(config)
    sphinx = config.setdefault("sphinx", {})
    # the configuration file is written under _build: extension folders become absolute
    sphinx["local_extensions"] = {
        name: str((ROOT / folder).resolve()) for name, folder in sphinx.get("local_extensions", {}).items()
    }
    sphinx.setdefault("config", {}).update(
        locale_dirs=["locale"], gettext_compact=False, gettext_location=False, gettext_uuid=False
    )
    return config


def write_config(name: str, config: dict) -> Path:
    BUILD.mkdir(parents=True, exist_ok=True)
    path = BUILD / f"_config.{name}.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), "utf8")
    return path


def jupyter_book(config: Path, output: Path, *extra: str) -> None:
    command = [str(BIN / "jupyter-book"), "build", str(ROOT), "--config", str(config)]
    command += ["--path-output", str(output), *extra]
    subprocess.run(command, check=True, cwd=ROOT)


def extract() -> dict:
    """Write one .pot file per page (notebooks are read, not executed) and measure coverage."""
    config = base_config()
    config["execute"]["execute_notebooks"] = "off"
    # glue roles have no data without execution; only the text of the sentences matters here
    config["sphinx"]["config"]["nb_execution_raise_on_error"] = False
    shutil.rmtree(BUILD / "pot", ignore_errors=True)
    jupyter_book(
        write_config("pot", config),
        BUILD / "pot",
        "--builder",
        "custom",
        "--custom-builder",
        "gettext",
        "-qq",
    )
    report = coverage()
    (BUILD / "coverage.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), "utf8")
    return report


def pages() -> list[str]:
    return sorted(str(p.relative_to(GETTEXT).with_suffix("")) for p in GETTEXT.rglob("*.pot"))


def pending(language: str) -> set[str]:
    path = LOCALE / language / "pending.txt"
    if not path.exists():
        return set()
    lines = (line.split("#")[0].strip() for line in path.read_text("utf8").splitlines())
    return {line for line in lines if line}


def messages(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, fuzzy) of a .pot or .po file."""
    with open(path, "rb") as handle:
        catalog = read_po(handle)
    return {m.id: (m.string or "", m.fuzzy) for m in catalog if m.id and isinstance(m.id, str)}


def coverage() -> dict:
    """For each language and page: messages in the English page, and how many are translated."""
    report = {}
    for language in TRANSLATED:
        waiting = pending(language)
        rows = {}
        for page in pages():
            wanted = messages(GETTEXT / f"{page}.pot")
            po = LOCALE / language / "LC_MESSAGES" / f"{page}.po"
            have = messages(po) if po.exists() else {}
            done = sum(1 for m in wanted if have.get(m, ("", True))[0] and not have[m][1])
            rows[page] = {
                "messages": len(wanted),
                "translated": done,
                "pending": page in waiting,
                "english": page in ENGLISH_ONLY,
            }
        report[language] = rows
    return report


def check() -> int:
    report = extract()
    failures = []
    for language, rows in report.items():
        for page, row in rows.items():
            share = row["translated"] / row["messages"] if row["messages"] else 1.0
            state = "English" if row["english"] else "pending" if row["pending"] else f"{share:.0%}"
            print(f"{language} {page}: {row['translated']}/{row['messages']} {state}")
            if not row["pending"] and not row["english"] and row["translated"] < row["messages"]:
                failures.append(f"{language}/{page} ({row['translated']}/{row['messages']})")
    if failures:
        print(
            "Not fully translated (run `make pot`, translate the new or changed messages in "
            "locale/, or list the page in locale/<language>/pending.txt): " + ", ".join(failures)
        )
        return 1
    return 0


def update() -> None:
    extract()
    for language in TRANSLATED:
        subprocess.run(
            [
                str(BIN / "sphinx-intl"),
                "update",
                "-p",
                str(GETTEXT),
                "-l",
                language,
                "-d",
                str(LOCALE),
                "-w",
                "0",
            ],
            check=True,
            cwd=ROOT,
        )
        for page in ENGLISH_ONLY:
            (LOCALE / language / "LC_MESSAGES" / f"{page}.po").unlink(missing_ok=True)


def catalogue(language: str, page: str) -> dict[str, str]:
    """msgid -> msgstr of one page's checked translations (whitespace-normalised msgids)."""
    po = LOCALE / language / "LC_MESSAGES" / f"{page}.po"
    if not po.exists():
        return {}
    return {" ".join(k.split()): v for k, (v, fuzzy) in messages(po).items() if v and not fuzzy}


_MARKER = re.compile(r"^(\s*(?:[-*+]|\d+[.)])\s+|\s*)(.*)$")
_HEADING = re.compile(r"^(#{1,6}\s+)(.*)$")
_FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\{(\w[\w:-]*)\}\s*(.*)$")


def translate_markdown(text: str, table: dict[str, str]) -> tuple[str, int, int]:
    """Translate one markdown cell block by block; return (text, blocks found, translated).

    A block is what Sphinx extracts as one message: a heading, a paragraph, a list item's
    paragraph, a directive's title. Blocks without a translation stay in English.
    """
    lines, out, found, done = text.split("\n"), [], 0, 0
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence and fence.group(4):  # ```{exercise} Title: the title is a message
            found += 1
            title = table.get(" ".join(fence.group(4).split()))
            done += title is not None
            out.append(line if title is None else line[: fence.end(3) + 1] + " " + title)
            i += 1
            continue
        if line.lstrip().startswith("|") and not set(line) <= set("|-: "):
            cells = line.strip().strip("|").split("|")
            found += len(cells)
            translated = [table.get(" ".join(c.split())) for c in cells]
            done += sum(t is not None for t in translated)
            row = [f" {t} " if t is not None else c for c, t in zip(cells, translated)]
            out.append("|" + "|".join(row) + "|")
            i += 1
            continue
        if not line.strip() or line.lstrip().startswith((":", "```", "~~~", "$$", "<", "|")):
            out.append(line)
            i += 1
            continue
        heading = _HEADING.match(line)
        if heading:
            found += 1
            translated = table.get(" ".join(heading.group(2).split()))
            done += translated is not None
            out.append(line if translated is None else heading.group(1) + translated)
            i += 1
            continue
        # a paragraph or a list item: this line and its continuation lines
        prefix, first = _MARKER.match(line).groups()
        block = [first]
        j = i + 1
        while j < len(lines) and lines[j].strip():
            marker = _MARKER.match(lines[j]).group(1).strip()
            # an ordered item interrupts a paragraph only when it starts at 1 (CommonMark)
            if marker and (marker[0] in "-*+" or prefix.strip() or marker[:-1] == "1"):
                break
            if _HEADING.match(lines[j]) or lines[j].lstrip().startswith(("```", "~~~", "$$")):
                break
            block.append(lines[j].strip())
            j += 1
        found += 1
        translated = table.get(" ".join(" ".join(block).split()))
        if translated is None:
            out.extend(lines[i:j])
        else:
            done += 1
            out.append(prefix + translated)
        i = j
    return "\n".join(out), found, done


def translate_notebooks(language: str, out: Path, notebooks=None) -> dict[str, float]:
    """Write each chapter with its markdown in `language` and its hints in that language.

    Code cells are copied unchanged; the setup cell sets ``MMTEACH_LANGUAGE`` so that the
    exercise checkers answer in the same language. Returns the share of blocks translated.
    """
    import nbformat

    out.mkdir(parents=True, exist_ok=True)
    shares = {}
    for path in notebooks or sorted((ROOT / "notebooks").glob("*.ipynb")):
        path = Path(path)
        table = catalogue(language, f"notebooks/{path.stem}")
        nb = nbformat.read(path, as_version=4)
        found = done = 0
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source, f, d = translate_markdown(cell.source, table)
                found, done = found + f, done + d
        setup = next(c for c in nb.cells if c.cell_type == "code")
        first, _, rest = setup.source.partition("\n")
        setup.source = f'{first}\nimport os\n\nos.environ["MMTEACH_LANGUAGE"] = "{language}"\n{rest}'
        nb.metadata.setdefault("language_info", {})
        nb.metadata["mmteach"] = {"language": language}
        nbformat.write(nb, out / path.name)
        shares[path.stem] = done / found if found else 1.0
    return shares


def build(language: str) -> None:
    """Build an edition from the English build's execution cache into _build/html/<language>."""
    edition = EDITIONS[language]
    config = base_config()
    config["title"] = edition.get("title", config["title"])
    config["execute"]["execute_notebooks"] = "cache"
    config["execute"]["cache"] = str(ROOT / CACHE)
    config["sphinx"]["config"]["language"] = language
    theme = config["sphinx"]["config"].setdefault("html_theme_options", {})
    if "search_bar_text" in edition:
        theme["search_bar_text"] = edition["search_bar_text"]
    output = ROOT / "_build" / language
    shutil.rmtree(output, ignore_errors=True)
    jupyter_book(write_config(language, config), output, "-W", "-n", "--keep-going")
    target = ROOT / "_build" / "html" / language
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(output / "_build" / "html", target)
    # the page's download button gives the chapter in this language
    translate_notebooks(language, target / "_sources" / "notebooks")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["extract", "update", "check", "build", "notebooks"])
    parser.add_argument("language", nargs="?", default="zh_CN", choices=TRANSLATED)
    parser.add_argument("--out", type=Path, help="notebooks: the folder to write them to")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    if args.command == "extract":
        extract()
    elif args.command == "update":
        update()
    elif args.command == "check":
        return check()
    elif args.command == "notebooks":
        out = args.out or ROOT / "_build" / f"notebooks-{args.language}"
        for name, share in translate_notebooks(args.language, out).items():
            print(f"{out / name}.ipynb: {share:.0%} of the prose in {args.language}")
    else:
        build(args.language)
    return 0


if __name__ == "__main__":
    sys.exit(main())
