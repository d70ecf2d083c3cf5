"""Grade submitted notebooks: ``python -m mmteach.grade SUBMISSIONS... --out grades.csv``.

Each notebook runs in a fresh kernel with a time limit per cell; each exercise of its chapter
is checked by mmteach's own checkers inside that kernel (see :mod:`mmteach.classroom`). Writes
one row per submission to ``--out`` and prints a summary per exercise (also written to
``--summary`` when given). Introduced in the instructor guide.
"""

from __future__ import annotations

import argparse
import sys

from mmteach.classroom import grade


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="mmteach-grade", description=__doc__.splitlines()[0])
    parser.add_argument("submissions", nargs="+", help="submitted .ipynb files")
    parser.add_argument("--out", default="grades.csv", help="CSV, one row per submission")
    parser.add_argument("--summary", default=None, help="CSV, one row per exercise (optional)")
    parser.add_argument("--timeout", type=int, default=120, help="seconds allowed for each cell")
    parser.add_argument("--kernel", default="python3", help="Jupyter kernel name")
    args = parser.parse_args(argv)
    rows, summary = grade(args.submissions, timeout=args.timeout, kernel_name=args.kernel)
    rows.to_csv(args.out, index=False)
    if args.summary:
        summary.to_csv(args.summary)
    print(rows.drop(columns=["detail"]).to_string(index=False))
    print()
    print(summary.to_string())
    print(f"\nwrote {args.out}" + (f" and {args.summary}" if args.summary else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
