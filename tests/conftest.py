import os
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).parent))

# The tests of the built HTML (tests/html) run only after `make book`, from `make test-html`.
collect_ignore = [] if os.environ.get("MMTEACH_HTML_TESTS") else ["html"]
