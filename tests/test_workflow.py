"""The GitHub Actions workflow parses and has the jobs and steps publishing needs."""

from pathlib import Path

import yaml

WORKFLOW = Path(__file__).resolve().parent.parent / ".github" / "workflows" / "book.yml"


def load():
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def steps(job):
    return [s.get("uses", "") + " " + s.get("run", "") for s in job["steps"]]


def test_triggers():
    on = load()["on"]
    assert on["push"]["branches"] == ["main"]
    assert "pull_request" in on


def test_pull_requests_run_make_test_with_pip_cache():
    job = load()["jobs"]["test"]
    assert "pull_request" in job["if"]
    assert any("make test" in s for s in steps(job))
    setup = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["python-version"] == "3.11" and setup["with"]["cache"] == "pip"
    assert any("chromium" in s for s in steps(job))


def test_main_builds_and_deploys_pages():
    jobs = load()["jobs"]
    build, deploy = jobs["build"], jobs["deploy"]
    assert any("make book" in s for s in steps(build))
    upload = next(s for s in build["steps"] if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert any("deploy-pages" in s for s in steps(deploy))
    assert "refs/heads/main" in deploy["if"]
