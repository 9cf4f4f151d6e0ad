"""``ditk demo``: the whole report on the bundled sample, once per session (about 10 s)."""

from __future__ import annotations


import pytest
from typer.testing import CliRunner

from toolkit.cli import app


@pytest.fixture(scope="module")
def demo(tmp_path_factory, monkeypatch_module):
    monkeypatch_module.delenv("DITK_PSEUDONYM_KEY", raising=False)
    out = tmp_path_factory.mktemp("demo") / "demo-report"
    return CliRunner().invoke(app, ["demo", "--out", str(out)]), out


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_the_demo_runs_end_to_end(demo):
    result, out = demo
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == str(out / "report.html")
    for name in ("report.html", "tables.xlsx", "cleaned.parquet", "cleaning_log.csv", "flags.csv"):
        assert (out / name).is_file(), name
    assert "Traceback" not in result.output


def test_the_demo_report_is_raked_and_projected(demo):
    _, out = demo
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Projection to districts" in page and "Fay–Herriot" in page
    assert "raking and projection were skipped" not in page.lower()
    assert "About 24% of residents (95% CI 22–26%) needed help with digital public services" in page


def test_the_screener_triage_is_written_or_its_absence_explained(demo):
    result, out = demo
    triage = out / "screener_triage.csv"
    try:
        import toolkit.risk.triage  # noqa: F401
    except ImportError:
        assert not triage.exists()
        return
    assert triage.exists() or "screener triage skipped" in result.stderr


def test_a_wrong_language_is_a_user_mistake(runner, user_error, tmp_path):
    user_error(runner.invoke(app, ["demo", "--out", str(tmp_path), "--lang", "fr"]), "--lang must be one of")
