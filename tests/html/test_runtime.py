"""Every chapter ran cleanly in the build, and states its run time.

No test here compares a time with anything: a reader's machine may be faster or slower than
ours. `make bench` measures each chapter and warns in `_build/bench.md` when a stated time is
far from the measurement; the status page of the book shows the build's own run times.
"""

import json
import re
from html.parser import HTMLParser

from conftest import HTML, ROOT

STATED = re.compile(r"\*\*Expected run time:\*\* about (\d+) seconds")


class _Table(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def execution_table():
    """{'notebooks/01_modalities': (seconds, status)} from the status page's execution table."""
    table = _Table()
    html = (HTML / "book" / "status.html").read_text(encoding="utf-8")
    table.feed(html[: html.index("</table>")])  # the first table; translation coverage follows
    header, *rows = table.rows
    doc, runtime, status = (header.index(k) for k in ("Document", "Run Time (s)", "Status"))
    return {r[doc]: (float(r[runtime]), r[status]) for r in rows}


def test_every_chapter_ran_cleanly_and_states_its_run_time():
    table = execution_table()
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert {f"notebooks/{p.stem}" for p in notebooks} <= set(table)
    report = {}
    for path in notebooks:
        seconds, status = table[f"notebooks/{path.stem}"]
        assert status == "✅", f"{path.name} did not run cleanly: {status}"
        first = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])
        stated = STATED.search(first)
        assert stated, f"{path.name} does not state its expected run time in its first cell"
        report[path.stem] = {"stated_s": int(stated.group(1)), "build_s": seconds}
    # for the record (and for tools/bench.py's comparison); nothing is asserted about time
    (HTML.parent / "run_times.json").write_text(json.dumps(report, indent=1))
