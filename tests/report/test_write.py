"""write_report: the files, a self-contained and escaped page, CIs, markers, languages, safe writes, a browser."""

from __future__ import annotations

import dataclasses
import html
import os
import re
import shutil
import subprocess
from types import SimpleNamespace

import pytest

from tests.report.conftest import HOSTILE, figure
from toolkit.errors import OptionError, OutputError
from toolkit.report import FILES, render_html, write_report
from toolkit.report import _format as fmt


@pytest.fixture(scope="module")
def written(hostile, tmp_path_factory):
    """The hostile results written in both languages, with two dummy figures."""
    out = {}
    for lang in ("en", "da"):
        folder = tmp_path_factory.mktemp(f"report-{lang}")
        figures = {"prevalence": figure(), "district_map": figure("Districts")}
        out[lang] = write_report(hostile, folder, instrument="dis-full", figures=figures, lang=lang,
                                 geojson_name="/some/where/districts.geojson")
    return out


@pytest.fixture(scope="module")
def page(written):
    return written["en"]["report"].read_text(encoding="utf-8")


def test_every_output_is_written(written):
    paths = written["en"]
    assert {k: p.name for k, p in paths.items()} == FILES
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths.values())
    assert not [p for p in paths["report"].parent.iterdir() if "partial" in p.name]


def test_the_page_is_self_contained(page):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.I)
    assert "<script" not in page.lower() and "<link" not in page.lower() and "@import" not in page
    assert re.findall(r'<img src="([^"]{0,22})', page) == ["data:image/png;base64,"] * 2
    assert "Content-Security-Policy" in page


def test_text_is_escaped(page):
    assert HOSTILE not in page
    assert html.escape(HOSTILE, quote=False) in page


def test_key_figures_carry_their_ci(page, results):
    overall = results.summary().set_index("outcome")
    for outcome in ("needs_help", "offline"):
        low, high = overall.loc[outcome, ["ci_low", "ci_high"]]
        assert f"(95% CI {fmt.pct_range(low, high, 'en', digits=0)})" in page
        assert fmt.pct_range(low, high, "en") in page
    assert "About 24% of residents (95% CI 22–26%) needed help with digital public services" in page


def test_versions_and_the_input_hash_close_the_report(page, results):
    about = page[page.index('id="about"'):]
    for key in ("toolkit_version", "instrument_version", "input_sha256"):
        assert str(results.meta[key]) in about
    assert len(results.meta["input_sha256"]) == 64


def test_unreliable_figures_carry_a_dagger_and_a_footnote(page, results):
    est = results.estimates
    unreliable = est[~est["reliable"] & ~est["suppressed"]]
    assert not unreliable.empty
    assert page.count(">†</span>") >= len(unreliable)
    assert "† Unreliable: the coefficient of variation is above 30%" in page


def test_suppressed_cells_show_words_not_numbers(page, results):
    assert "suppressed (n\xa0&lt;\xa05)" in page
    assert page.count('<span class="suppressed">') == int(results.estimates["suppressed"].sum())


def test_no_respondent_level_data(page, results):
    assert not any(pid in page for pid in results.cleaned.data["respondent_id"].head(200))
    assert "ps-" not in page


def test_danish_throughout(written):
    da = written["da"]["report"].read_text(encoding="utf-8")
    assert '<html lang="da">' in da and "Sammenfatning" in da and "Fremskrivning til bydele" in da
    assert "Omkring 24 % af borgerne (95 %-KI 22–26 %)" in da
    assert "skjult (n\xa0&lt;\xa05)" in da and "Kvinde" in da
    before, _, rest = da.partition('<div class="model-card"')
    outside_card = before + rest.split("</div>", 1)[-1]
    for english in ("Summary", "Estimates by group", "suppressed (", "residents", "Woman"):
        assert english not in outside_card, english
    if '<div class="model-card"' in da:  # the model card is in English so far, and the Danish report says so
        assert "Modelkortet nedenfor findes indtil videre kun på engelsk." in da


def test_unstable_pseudonyms_are_said(page, results):
    assert results.meta["pseudonyms_stable"] is False
    assert "Pseudonyms are not stable across runs" in page
    stable = dataclasses.replace(results, meta={**results.meta, "pseudonyms_stable": True})
    assert "not stable across runs" not in render_html(stable, instrument="dis-full", figures={})


def test_without_a_population_raking_and_projection_are_said_to_be_skipped(unraked):
    page = render_html(unraked, instrument="dis-full", figures={})
    assert "Raking and projection were skipped: no population table" in page
    assert "No map: no district GeoJSON was given." in page


def test_the_map_names_its_geojson_file_only(page):
    assert "District boundaries from districts.geojson." in page and "/some/where" not in page


def test_a_model_card_is_embedded_when_the_model_has_one(unraked):
    card = '<!DOCTYPE html><html><head><style>body{}</style></head><body><h1>Model card</h1></body></html>'
    model = SimpleNamespace(outcome="needs_help", predictors=["gender"], card_html=lambda *, lang="en": card)
    page = render_html(dataclasses.replace(unraked, model=model), instrument="dis-full", figures={})
    assert '<div class="model-card" lang="en"><h1>Model card</h1></div>' in page and "body{}" not in page


def test_a_triage_gets_its_distribution(unraked, tmp_path):
    import openpyxl
    import pandas as pd

    triage = pd.DataFrame({"category": ["independent"] * 40 + ["skills_training"] * 3 + ["assisted_digital"] * 9})
    paths = write_report(dataclasses.replace(unraked, triage=triage), tmp_path, instrument="dis-full", figures={})
    page = paths["report"].read_text(encoding="utf-8")
    assert 'id="triage"' in page and "Manages alone" in page
    assert "triage" in openpyxl.load_workbook(paths["tables"]).sheetnames


def test_an_interrupted_write_leaves_no_half_written_report(unraked, tmp_path):
    class Broken:
        def savefig(self, *args, **kwargs):
            raise RuntimeError("rendering failed")

    with pytest.raises(RuntimeError):
        write_report(unraked, tmp_path / "fresh", instrument="dis-full", figures={"a": figure(), "b": Broken()})
    assert not any((tmp_path / "fresh").iterdir())
    write_report(unraked, tmp_path, instrument="dis-full", figures={})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()}
    with pytest.raises(RuntimeError):
        write_report(unraked, tmp_path, instrument="dis-full", figures={"a": figure(), "b": Broken()})
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.is_file()} == before


def test_user_mistakes(unraked, tmp_path):
    with pytest.raises(OptionError, match="lang"):
        write_report(unraked, tmp_path, instrument="dis-full", figures={}, lang="fr")
    (tmp_path / "taken").write_text("x")
    with pytest.raises(OutputError):
        write_report(unraked, tmp_path / "taken", instrument="dis-full", figures={})


# --------------------------------------------------------------------------- in a browser

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                                    reason="Debian's chromium is not installed (on CI it is, and this runs)")


def chromium(*args: str) -> subprocess.CompletedProcess:
    assert CHROMIUM, "chromium is required on CI (.ci/run installs it)"
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                           "--enable-logging=stderr", "--v=0", *args], capture_output=True, text=True, timeout=180)


def console_problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines()
            if ":CONSOLE" in line or "Failed to load resource" in line or "net::ERR_" in line]


@needs_chromium
@pytest.mark.parametrize("lang", ["en", "da"])
def test_the_report_loads_in_a_browser_without_errors(written, lang):
    report = written[lang]["report"]
    dom = chromium("--dump-dom", report.as_uri())
    assert 'id="about"' in dom.stdout and "</main>" in dom.stdout
    assert console_problems(dom.stderr) == []
    shot = report.with_name(f"screenshot-{lang}.png")
    result = chromium(f"--screenshot={shot}", "--window-size=1280,4000", report.as_uri())
    assert shot.stat().st_size > 50_000, result.stderr
    assert console_problems(result.stderr) == []


@needs_chromium
def test_the_browser_check_sees_a_missing_resource(written, tmp_path):
    page = written["en"]["report"].read_text(encoding="utf-8").replace(
        "</main>", '<img src="https://example.invalid/x.png" alt=""></main>')
    bad = tmp_path / "bad.html"
    bad.write_text(page, encoding="utf-8")
    assert console_problems(chromium("--dump-dom", bad.as_uri()).stderr)
