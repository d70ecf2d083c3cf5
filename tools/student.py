"""Write the student edition of every chapter: solutions removed, everything else kept.

Usage: python tools/student.py [--out _build/student] [notebooks ...]   (`make student`)
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from toc import toc_notebooks  # noqa: E402

from mmteach.classroom import student_notebook  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*")
    parser.add_argument("--out", default=str(ROOT / "_build" / "student"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for path in args.notebooks or [str(ROOT / p) for p in toc_notebooks()]:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
        target = out / Path(path).name
        text = json.dumps(student_notebook(nb), indent=1, ensure_ascii=False) + "\n"
        target.write_text(text, encoding="utf-8")
        print(f"{target}")


if __name__ == "__main__":
    main()
