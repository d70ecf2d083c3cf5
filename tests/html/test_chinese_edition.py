"""The Chinese edition (_build/html/zh_CN) in headless Chromium, beside the English one.

Built from the same notebooks and the same execution, so each chapter's glued numbers must
appear on both pages; every page links to its twin in the other edition; the Chinese pages
are in Chinese, rendered with a CJK font, and searchable by Chinese words.
"""

import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import HTML, ROOT
from test_browser import SHOTS, _open

sys.path.insert(0, str(ROOT / "tools"))
from i18n import ENGLISH_ONLY, pending  # noqa: E402

ZH = HTML / "zh_CN"
CJK = re.compile(r"[\u4e00-\u9fff]")
# Three pages whose screenshots are kept: the preface, the model chapter, the glossary.
SCREENSHOTS = ["book/preface", "notebooks/03_fusion", "book/glossary"]


@pytest.fixture(scope="module")
def zh_pages(pages):
    if not (ZH / "index.html").exists():
        pytest.fail(f"{ZH} has no Chinese edition: `make book` builds it")
    return [ZH / p.relative_to(HTML) for p in pages]


def _translated(path):
    page = path.relative_to(ZH).with_suffix("").as_posix()
    # the bibliography lists the works under their own (English) titles
    return page not in pending("zh_CN") | ENGLISH_ONLY | {"book/references"}


def _visible_text(html):
    main = html.split("<main", 1)[-1].split("</main>", 1)[0]
    main = re.sub(r"<(script|style|pre)[^>]*>.*?</\1>", " ", main, flags=re.S)
    return re.sub(r"<[^>]+>", " ", main)


def test_every_chinese_page_loads_cleanly(browser, server, zh_pages):
    SHOTS.mkdir(parents=True, exist_ok=True)
    report = {}
    for path in zh_pages:
        page, problems = _open(browser, server, path)
        name = path.relative_to(ZH).with_suffix("").as_posix()
        if name in SCREENSHOTS:
            page.wait_for_timeout(300)
            page.screenshot(path=str(SHOTS / f"zh_CN__{name.replace('/', '__')}.png"))
        if problems:
            report[name] = problems
        page.close()
    assert not report, json.dumps(report, indent=1, ensure_ascii=False)
    assert all((SHOTS / f"zh_CN__{n.replace('/', '__')}.png").exists() for n in SCREENSHOTS)


def test_translated_pages_read_in_chinese(zh_pages):
    for path in zh_pages:
        if not _translated(path):
            continue
        text = _visible_text(path.read_text("utf8"))
        letters = len(re.findall(r"[A-Za-z]", text))
        assert len(CJK.findall(text)) > 0.3 * letters, f"{path.relative_to(ZH)} reads as English"


def test_glued_numbers_are_the_same_in_both_editions(pages, zh_pages):
    pasted = re.compile(r'<span class="pasted-text">([^<]*)</span>')
    for english, chinese in zip(pages, zh_pages):
        en = pasted.findall(english.read_text("utf8"))
        zh = pasted.findall(chinese.read_text("utf8"))
        assert all(value.strip() for value in zh), f"{chinese.name}: an empty glued value"
        assert sorted(en) == sorted(zh), f"{chinese.name}: glued values differ from English"


def test_every_page_links_to_its_twin(browser, server, pages, zh_pages):
    for english, chinese in zip(pages, zh_pages):
        for here, there in ((english, chinese), (chinese, english)):
            page, _ = _open(browser, server, here)
            page.click("a.mmteach-edition-link")
            page.wait_for_load_state("load")
            assert page.url.endswith("/" + there.relative_to(HTML).as_posix()), page.url
            page.close()


def test_chinese_search_finds_a_chinese_word():
    text = (ZH / "searchindex.js").read_text("utf8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    assert "模态" in index["terms"], "jieba did not split Chinese words into the search index"


def test_a_cjk_font_is_installed():
    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig is not installed")
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    assert fonts.strip(), "no CJK font: apt-get install fonts-wqy-zenhei (make browser does)"


def test_status_page_shows_translation_coverage():
    for status in (HTML / "book" / "status.html", ZH / "book" / "status.html"):
        html = status.read_text("utf8")
        assert "translation-coverage" in html
        assert "notebooks/03_fusion" in html


def test_download_button_gives_the_chinese_notebook(zh_pages):
    for path in zh_pages:
        if path.parent.name != "notebooks" or not _translated(path):
            continue
        href = re.search(r'href="([^"]*_sources/notebooks/[^"]+\.ipynb)"', path.read_text("utf8"))
        assert href, f"{path.name}: no download link"
        notebook = json.loads((path.parent / href.group(1)).resolve().read_text("utf8"))
        prose = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
        setup = "".join(next(c for c in notebook["cells"] if c["cell_type"] == "code")["source"])
        assert len(CJK.findall(prose)) > 1000, f"{path.name}: the download is not in Chinese"
        assert 'os.environ["MMTEACH_LANGUAGE"] = "zh_CN"' in setup
