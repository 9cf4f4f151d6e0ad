"""build(): every format, all or nothing, instruments as objects or ids; the CLI; committed forms are current."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from toolkit import forms, load_instrument
from toolkit.errors import OptionError, OutputError

INSTRUMENTS = ["dis-full", "dis-screener"]


def test_build_rejects_unknown_format_and_language(tmp_path):
    with pytest.raises(OptionError, match="form format must be one of 'xlsform', 'html', 'codebook', 'all'; got 'pdf'"):
        forms.build("dis-full", formats="pdf", languages=None, out=tmp_path)
    with pytest.raises(OptionError, match="language of instrument 'dis-full' must be one of 'en', 'da'; got 'de'"):
        forms.build("dis-full", formats="html", languages=["de"], out=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_failed_build_leaves_nothing_behind(tmp_path, monkeypatch):
    def broken(instrument, path, *, default_language="en"):
        path.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(forms, "write_xlsform", broken)
    out = tmp_path / "new"
    with pytest.raises(OutputError, match="No space left on device"):
        forms.build("all", formats="all", languages=None, out=out)
    assert not out.exists()
    existing = tmp_path / "existing"
    existing.mkdir()
    with pytest.raises(OutputError):
        forms.build("dis-screener", formats="all", languages=None, out=existing)
    assert list(existing.iterdir()) == []


def test_build_takes_instrument_objects_and_ids(tmp_path):
    paths = forms.build([load_instrument("dis-screener"), "dis-full"], formats="codebook", languages=["da"],
                        out=tmp_path)
    assert [p.name for p in paths] == ["dis-screener.codebook.csv", "dis-screener.codebook.da.md",
                                       "dis-full.codebook.csv", "dis-full.codebook.da.md"]
    with pytest.raises(OptionError, match="form format must be one of"):
        forms.build("dis-full", formats=[], languages=None, out=tmp_path / "none")


SCREENER = load_instrument("dis-screener")


BUILDERS = {  # name -> call with the instrument given as an object, as an id, and with the old keyword
    "check_languages": (lambda: forms.check_languages(SCREENER, None),
                        lambda: forms.check_languages("dis-screener", None),
                        lambda: forms.check_languages(inst=SCREENER, languages=None)),
    "xlsform_sheets": (lambda: forms.xlsform_sheets(SCREENER)["survey"],
                       lambda: forms.xlsform_sheets("dis-screener")["survey"],
                       lambda: forms.xlsform_sheets(inst=SCREENER)["survey"]),
    "question_numbers": (lambda: forms.question_numbers(SCREENER), lambda: forms.question_numbers("dis-screener"),
                         lambda: forms.question_numbers(inst=SCREENER)),
    "paper_html": (lambda: forms.paper_html(SCREENER, lang="da"), lambda: forms.paper_html("dis-screener", lang="da"),
                   lambda: forms.paper_html(inst=SCREENER, lang="da")),
    "codebook_markdown": (lambda: forms.codebook_markdown(SCREENER), lambda: forms.codebook_markdown("dis-screener"),
                          lambda: forms.codebook_markdown(inst=SCREENER)),
    "codebook_csv": (lambda: forms.codebook_csv(SCREENER), lambda: forms.codebook_csv("dis-screener"),
                     lambda: forms.codebook_csv(inst=SCREENER)),
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_instrument_as_object_or_id_and_the_old_keyword(name):
    by_object, by_id, old_keyword = BUILDERS[name]
    expected = by_object()
    assert _equal(by_id(), expected)
    with pytest.warns(FutureWarning, match="inst= is now instrument="):
        assert _equal(old_keyword(), expected)


def _equal(a, b) -> bool:
    return a.equals(b) if isinstance(a, pd.DataFrame) else a == b


def test_committed_built_forms_are_up_to_date(built):
    committed = Path(__file__).resolve().parents[2] / "questionnaires" / "built"
    fresh = sorted(p.name for p in built.iterdir())
    assert sorted(p.name for p in committed.iterdir()) == fresh, (
        "rebuild: ditk questionnaire build all --out questionnaires/built")
    for name in fresh:
        if name.endswith(".xlsx"):
            old = pd.read_excel(committed / name, engine="calamine", sheet_name=None, dtype=str, keep_default_na=False)
            new = pd.read_excel(built / name, engine="calamine", sheet_name=None, dtype=str, keep_default_na=False)
            assert old.keys() == new.keys() and all(old[k].equals(new[k]) for k in new), name
        else:
            assert (committed / name).read_text(encoding="utf-8") == (built / name).read_text(encoding="utf-8"), (
                f"{name} is stale: ditk questionnaire build all --out questionnaires/built")
