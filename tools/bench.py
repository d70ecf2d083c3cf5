"""Run every chapter in a fresh kernel; record wall time, peak memory and every glued figure.

Usage: python tools/bench.py [notebooks ...]   (`make bench`; default: every chapter in _toc.yml)
Writes _build/bench.json and _build/bench.md (a Markdown table).
"""

import json
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))


def _glued(nb):
    """The values a notebook glued with myst-nb, as their text/plain form."""
    values = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook", {})
            if "name" in meta:
                prefix = meta.get("mime_prefix", "")
                text = out.get("data", {}).get(prefix + "text/plain")
                values[meta["name"]] = text
    return values


def run_one(path: str) -> dict:
    """Execute one notebook here (called in a child process, so the kernel's peak is ours)."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(Path(path).parent)}}).execute()
    wall = time.perf_counter() - start
    # the kernel has exited and been waited for: its peak memory is in RUSAGE_CHILDREN (KiB on Linux)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # CPU seconds of the kernel: on a busy machine they say more than the wall time does
    cpu = usage.ru_utime + usage.ru_stime
    return {"notebook": path, "wall_s": round(wall, 2), "cpu_s": round(cpu, 1),
            "peak_mib": round(usage.ru_maxrss / 1024, 1), "glued": _glued(nb)}


STATED = re.compile(r"\*\*Expected run time:\*\* about (\d+) seconds")
FACTOR = 1.5  # a stated time further off than this from the measurement gets a warning line


def stated_seconds(path) -> int | None:
    """The run time a chapter's first cell states, or None."""
    import nbformat

    first = nbformat.read(path, as_version=4).cells[0].source
    found = STATED.search(first)
    return int(found.group(1)) if found else None


def run_time_warnings(results) -> list[str]:
    """One line per chapter whose stated run time is more than FACTOR off its measurement,
    or that states none, or that exceeds the book's one-minute promise."""
    lines = []
    for r in results:
        name, stated, wall = Path(r["notebook"]).stem, r.get("stated_s"), r["wall_s"]
        if stated is None:
            lines.append(f"WARNING: {name} states no expected run time in its first cell")
        elif not stated / FACTOR <= wall <= stated * FACTOR:
            lines.append(f"WARNING: {name} states about {stated} s but ran in {wall:.1f} s here: "
                         "update its header (or measure on an idle machine)")
        if wall > 60:
            lines.append(f"WARNING: {name} ran in {wall:.1f} s, over the one-minute promise")
    return lines


def time_shapes_world(n=10_000, repeats=3):
    """Best-of-three time to generate ``n`` Shapes-world scenes (the issue asks for < 2 s)."""
    from mmteach.datasets import make_scenes

    make_scenes(10)  # warm up imports
    best = float("inf")
    for seed in range(repeats):
        start = time.perf_counter()
        make_scenes(n, seed=seed)
        best = min(best, time.perf_counter() - start)
    return {"scenes": n, "best_of": repeats, "seconds": round(best, 3)}


def main(paths):
    shapes = time_shapes_world()
    print(f"make_scenes({shapes['scenes']}): {shapes['seconds']:.2f} s (best of {shapes['best_of']})")
    if not paths:
        from toc import toc_notebooks

        paths = toc_notebooks()
    results = []
    for path in paths:
        out = subprocess.run([sys.executable, __file__, "--one", path], capture_output=True,
                             text=True, cwd=ROOT)
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"{path} failed")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["stated_s"] = stated_seconds(path)
        print(f"{path}: {result['wall_s']:.1f} s, {result['cpu_s']:.0f} CPU s, "
              f"peak {result['peak_mib']:.0f} MiB", flush=True)
        results.append(result)
    build = ROOT / "_build"
    build.mkdir(exist_ok=True)
    (build / "bench.json").write_text(
        json.dumps({"shapes_world": shapes, "chapters": results}, indent=1) + "\n"
    )
    lines = ["| chapter | stated (s) | wall time (s) | CPU time (s) | peak memory (MiB) | glued figures |",
             "|---|---|---|---|---|---|"]
    for r in results:
        glued = "; ".join(f"{k} = {v}" for k, v in r["glued"].items())
        lines.append(f"| {Path(r['notebook']).stem} | {r['stated_s']} | {r['wall_s']:.1f} | "
                     f"{r['cpu_s']:.0f} | {r['peak_mib']:.0f} | {glued} |")
    warnings = run_time_warnings(results)
    lines += [""] + (warnings or ["Every stated run time is within a factor 1.5 of its measurement."])
    lines += ["", f"Generating {shapes['scenes']:,} Shapes-world scenes: {shapes['seconds']:.2f} s "
              f"(best of {shapes['best_of']})."]
    (build / "bench.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        print(json.dumps(run_one(sys.argv[2])))
    else:
        main(sys.argv[1:])
