"""Store notebooks clean: no outputs, no execution counts, stable metadata.

Usage: python tools/nbclean.py [--check] notebooks/*.ipynb   (`make clean-notebooks`)
"""

import json
import sys

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
KEEP_CELL_METADATA = ("tags", "cellView", "jupyter", "id")


def clean(path: str, write: bool = True) -> bool:
    with open(path, encoding="utf-8") as f:
        before = f.read()
    nb = json.loads(before)
    nb["metadata"] = {
        "colab": {"provenance": []},
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
    }
    for cell in nb["cells"]:
        cell["metadata"] = {k: v for k, v in cell.get("metadata", {}).items() if k in KEEP_CELL_METADATA}
        cell.pop("id", None)
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        elif "outputs" in cell or "execution_count" in cell:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    nb["nbformat"], nb["nbformat_minor"] = 4, 4
    after = json.dumps(nb, indent=1, ensure_ascii=False) + "\n"
    if after != before and write:
        with open(path, "w", encoding="utf-8") as f:
            f.write(after)
        return True
    return False


if __name__ == "__main__":
    check = "--check" in sys.argv[1:]
    paths = [p for p in sys.argv[1:] if p != "--check"]
    changed = [p for p in paths if clean(p, write=not check)]
    for p in changed:
        print(f"{'not clean' if check else 'cleaned'}: {p}")
    sys.exit(1 if check and changed else 0)
