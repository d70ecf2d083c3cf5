"""The GitHub Actions workflows run what CI runs, publish the tested book, and try the newest releases."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"


def load(name):
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def runs(job):
    return [s.get("run", "") for s in job["steps"]]


def make_targets(text):
    return set(re.findall(r"\bmake ([a-z][a-z-]*)", text))


def test_pushes_and_pull_requests_run_everything_ci_runs():
    workflow = load("book.yml")
    assert workflow["on"]["push"]["branches"] == ["main"] and "pull_request" in workflow["on"]
    test = workflow["jobs"]["test"]
    assert "if" not in test, "the test job must run for pushes and pull requests alike"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert {"test", "test-colab"} <= make_targets(ci)
    assert any("bash .ci/run" in r for r in runs(test))
    setup = next(s for s in test["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "3.11"
    assert any("chromium" in r for r in runs(test))


def test_main_publishes_the_book_the_tests_built():
    jobs = load("book.yml")["jobs"]
    upload = next(s for s in jobs["test"]["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "_build/html" and "refs/heads/main" in upload["if"]
    deploy = jobs["deploy"]
    assert deploy["needs"] == "test" and "refs/heads/main" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}


def test_weekly_job_runs_the_newest_releases():
    workflow = load("latest.yml")
    assert "schedule" in workflow["on"] and workflow["on"]["schedule"][0]["cron"]
    job = workflow["jobs"]["latest"]
    assert any("make test-latest" in r for r in runs(job))
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest-latest:")[1].split("\n\n")[0]
    assert "requirements-latest.txt" in recipe and "--nbval-lax" in recipe and "pytest tests" in recipe
    latest = (ROOT / "requirements-latest.txt").read_text(encoding="utf-8")
    packages = [line.split(";")[0].strip() for line in latest.splitlines()
                if line.strip() and not line.startswith("#")]
    assert packages and not any(re.search(r"[=<>~]", p) for p in packages), packages
    for name in ("keras", "numpy", "pandas", "scikit-learn", "matplotlib"):
        assert name in packages
