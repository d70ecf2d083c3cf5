"""The built book in a real headless Chromium: what a reader sees, checked page by page."""

import json
import re

import pytest
import yaml
from conftest import HTML, ROOT

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
SHOTS = ROOT / "_build" / "screenshots"


def _open(browser, server, page_path):
    """Load one page; return (page, problems) where problems lists console errors and failures."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    def on_console(message):
        # An error about a blocked external resource (the Colab badge image) is not the book's.
        where = (message.location or {}).get("url", "")
        if message.type == "error" and not (where and not where.startswith(server)):
            problems.append(f"console: {message.text} ({where})")

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: r.url.startswith(server)
            and problems.append(f"failed request: {r.url}"))
    page.on("response", lambda r: r.url.startswith(server) and r.status >= 400
            and problems.append(f"HTTP {r.status}: {r.url}"))
    # Nothing outside localhost is fetched: the book must work offline.
    page.route(re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: route.abort())
    url = f"{server}/{page_path.relative_to(HTML).as_posix()}"
    page.goto(url, wait_until="load")
    return page, problems


def _chapters(pages):
    return [p for p in pages if p.parent.name == "notebooks"]


def test_every_page_loads_cleanly_and_is_screenshotted(browser, server, pages):
    SHOTS.mkdir(parents=True, exist_ok=True)
    report = {}
    for path in pages:
        page, problems = _open(browser, server, path)
        broken_images = page.evaluate(
            "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
            ".map(i => i.src)"
        )
        broken_images = [src for src in broken_images if src.startswith(server)]  # offline test
        n_math = page.locator(".math").count()
        if n_math:
            page.wait_for_function(
                "window.MathJax && MathJax.startup && MathJax.startup.promise"
                " && document.querySelectorAll('.math mjx-container').length >= "
                f"{n_math}",
                timeout=20000,
            )
            assert page.locator("mjx-merror, .merror").count() == 0, f"{path.name}: TeX error"
        name = path.relative_to(HTML).with_suffix("").as_posix().replace("/", "__")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)
        report[path.name] = {"problems": problems, "broken_images": broken_images, "math": n_math}
        page.close()
    (SHOTS / "report.json").write_text(json.dumps(report, indent=1))
    bad = {k: v for k, v in report.items() if v["problems"] or v["broken_images"]}
    assert not bad, json.dumps(bad, indent=1)


def test_navigation_lists_every_chapter_in_order(browser, server, pages):
    chapters = _chapters(pages)
    page, _ = _open(browser, server, pages[0])
    hrefs = page.eval_on_selector_all(
        "nav.bd-docs-nav a.reference.internal", "els => els.map(e => e.getAttribute('href'))"
    )
    listed = [h.split("#")[0].split("/")[-1] for h in hrefs if "notebooks/" in h]
    assert listed == [p.name for p in chapters]
    page.close()


def test_chapters_have_colab_and_download_buttons(browser, server, pages):
    repo = CONFIG["repository"]["url"].removeprefix("https://github.com/")
    branch = CONFIG["repository"]["branch"]
    for path in _chapters(pages):
        page, _ = _open(browser, server, path)
        notebook = f"notebooks/{path.stem}.ipynb"
        colab = f"https://colab.research.google.com/github/{repo}/blob/{branch}/{notebook}"
        assert page.locator(f'a[href="{colab}"]').count() >= 2, f"{path.name}: badge + launch button"
        download = page.locator(".btn-download-source-button")
        assert download.count() == 1, f"{path.name}: download button"
        href = download.get_attribute("href") or page.evaluate(
            "() => document.querySelector('.btn-download-source-button').getAttribute('onclick')"
        )
        assert href and href.rstrip("')\"").endswith(f"{path.stem}.ipynb"), href
        page.close()


def test_solutions_are_hidden_until_clicked(browser, server, pages):
    for path in _chapters(pages):
        page, _ = _open(browser, server, path)
        solutions = page.locator("div.solution.dropdown")
        assert solutions.count() >= 3, f"{path.name}: solutions"
        for i in range(solutions.count()):
            solution = solutions.nth(i)
            body = solution.locator("> :not(.admonition-title)").first
            assert not body.is_visible(), f"{path.name}: solution {i} is visible before a click"
            solution.locator("button.toggle-button").first.click()
            body.wait_for(state="visible", timeout=5000)
            assert solution.locator("pre").first.is_visible() or "solution" not in body.inner_html()
        page.close()


def test_audio_players_where_chapters_play_sound(browser, server, pages):
    for path in _chapters(pages):
        notebook = ROOT / "notebooks" / f"{path.stem}.ipynb"
        plays = "plotting.play(" in notebook.read_text(encoding="utf-8")
        page, _ = _open(browser, server, path)
        players = page.locator("audio")
        if plays:
            assert players.count() >= 1, f"{path.name}: no audio player"
            duration = page.evaluate(
                """() => new Promise(resolve => {
                    const a = document.querySelector('audio');
                    if (a.readyState >= 1) return resolve(a.duration);
                    a.addEventListener('loadedmetadata', () => resolve(a.duration));
                    a.load();
                })"""
            )
            assert duration > 0.1, f"{path.name}: audio does not load ({duration})"
        page.close()


@pytest.mark.parametrize("name", ["book/preface.html"])
def test_home_page_has_title(browser, server, name):
    page, _ = _open(browser, server, HTML / name)
    assert CONFIG["title"] in page.title()
    page.close()
