"""Every internal link and cross-reference of the built book resolves; external links are listed."""

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from conftest import HTML


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and "name" in attrs:
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key) and not (tag == "link" and attrs.get("rel") in ("preconnect",)):
                self.links.append((tag, attrs[key]))


def _parse(path, cache={}):  # noqa: B006 -- a deliberate per-run cache
    if path not in cache:
        parser = _Links()
        parser.feed(path.read_text(encoding="utf-8", errors="replace"))
        cache[path] = parser
    return cache[path]


def test_every_internal_link_resolves():
    broken, external = [], set()
    pages = sorted(p for p in HTML.rglob("*.html") if "_static" not in p.parts)
    assert len(pages) > 5
    for page in pages:
        for tag, link in _parse(page).links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                external.add(link)
                continue
            if parts.scheme == "data" or link.startswith("javascript:"):
                continue
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(HTML)}: <{tag}> {link}")
                continue
            if parts.fragment and target.suffix == ".html":
                if unquote(parts.fragment) not in _parse(target).ids:
                    broken.append(f"{page.relative_to(HTML)}: {link} (no such anchor)")
    (HTML.parent / "external_links.txt").write_text("\n".join(sorted(external)) + "\n")
    assert not broken, "broken links:\n" + "\n".join(broken[:50])


def test_external_links_are_listed_not_fetched():
    listed = (HTML.parent / "external_links.txt")
    if not listed.exists():
        test_every_internal_link_resolves()
    links = listed.read_text().split()
    assert any("colab.research.google.com" in link for link in links)
    assert all(urlsplit(link).scheme in ("http", "https", "mailto") for link in links)


def test_sitemap_has_every_toc_page(pages):
    for page in pages:
        assert page.exists(), f"{Path(page).relative_to(HTML)} was not built"
