"""Privacy: PII detection and redaction, pseudonyms, formula injection, small cells."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import privacy
from toolkit.errors import PrivacyError


@pytest.mark.parametrize(("text", "kinds"), [
    ("010190-1234", ["cpr"]),
    ("0101901234", ["cpr"]),
    ("born 290200-4123 ok", ["cpr"]),          # 29 Feb 2000 (7th digit 4, year 00 -> 2000, a leap year)
    ("290201-4123", []),                          # 29 Feb 2001 does not exist ...
    ("320190-1234", []),                          # ... nor does day 32
    ("011390-1234", []),                          # ... nor month 13
    ("12345678901", []),                          # too long to be either
    ("ole.hansen@example.dk", ["email"]),
    ("Mail: A_B+c@sub.example.co.uk.", ["email"]),
    ("20304050", ["phone"]),
    ("+45 20 30 40 50", ["phone"]),
    ("+4520304050", ["phone"]),
    ("0045 2030 4050", ["phone"]),
    ("2030 4050", ["phone"]),
    ("2026-01-01T10:00:00", []),                  # timestamps are not phone numbers
    ("1234567", []),
    ("beløb 12345678,50 kr", []),                 # amounts with decimals are not phone numbers ...
    ("12345678.25", []),
    ("0.20304050", []),                           # ... nor is the fraction of a number
    ("10000000", []),                             # Danish numbers start with 2-9 ...
    ("id 00012345", []),
    ("19900101", []),
    ("år 1990 2020", []),
    ("0045 12345678", ["phone"]),                 # ... unless the country code says it is one
    ("+45 10 20 30 40", ["phone"]),
    ("tlf. 20304050.", ["phone"]),                # a full stop ends a sentence, not an amount
    ("20304050.0", ["phone"]),                    # a phone number that went through a float
    ("ring 20304050,30405060", ["phone", "phone"]),
    ("cpr 010190-1234, mail a@b.dk, tlf 20 30 40 50", ["cpr", "email", "phone"]),
])
def test_find_pii(text, kinds):
    found = privacy.find_pii(pd.Series([text]))
    assert found["kind"].tolist() == kinds
    assert set(found.columns) == {"row", "kind", "start", "end"}


def test_redact_positions_refer_to_the_original_text():
    text = "tlf 20 30 40 50 eller a@b.dk"
    out, found = privacy.redact(pd.Series([text, None, 5]))
    assert out.tolist()[0] == "tlf [PHONE] eller [EMAIL]"
    assert out.tolist()[2] == 5 and pd.isna(out.iloc[1])
    spans = [text[s:e] for s, e in zip(found["start"], found["end"], strict=True)]
    assert spans == ["20 30 40 50", "a@b.dk"]


def test_cpr_century_rules():
    # 7th digit 4-9 with years 00-36 / 00-57 are 2000s: 29 Feb 2036 exists; 1900 is no leap year
    assert privacy.contains_pii(pd.Series(["290236-4000", "290200-0000", "290200-5000"])).tolist() == [
        True, False, True]


cpr_dates = st.dates(dt.date(1900, 1, 1), dt.date(1999, 12, 31))


@settings(max_examples=60, deadline=None)
@given(cpr_dates, st.integers(0, 3999), st.sampled_from(["", "-", " "]), st.text(alphabet="abc ,.", max_size=10),
       st.integers(20_000_000, 99_999_999), st.sampled_from(["", "+45 ", "0045"]), st.booleans())
def test_redaction_removes_every_identifier(date, serial, dash, filler, phone, prefix, grouped):
    cpr = date.strftime("%d%m%y") + dash + f"{serial:04d}"
    digits = str(phone)
    ph = prefix + (" ".join(digits[i:i + 2] for i in range(0, 8, 2)) if grouped else digits)
    email = f"x{serial}@example.org"
    text = f"{filler} {cpr} {filler} {ph} {filler} {email}"
    out, found = privacy.redact(pd.Series([text]))
    assert not any(ch.isdigit() for ch in out[0]) and "@" not in out[0]  # nothing but filler is left
    assert sorted(found["kind"]) == ["cpr", "email", "phone"]
    again, none = privacy.redact(out)
    assert again.equals(out) and none.empty


def _century_digits(year: int) -> tuple[int, ...]:
    """7th CPR digits that place a 2-digit year in ``year``'s century (CPR office rules)."""
    yy = year % 100
    if year < 1900:
        return (5, 6, 7, 8)
    if year < 2000:
        return (0, 1, 2, 3) + ((4, 9) if yy >= 37 else ())
    return ((4, 9) if yy <= 36 else ()) + (5, 6, 7, 8)


@settings(max_examples=80, deadline=None)
@given(st.dates(dt.date(1858, 1, 1), dt.date(2057, 12, 31)), st.integers(0, 999), st.integers(0, 99),
       st.sampled_from(["", "-", " "]))
def test_every_valid_cpr_is_found_in_every_century(date, serial, pick, dash):
    cpr = date.strftime("%d%m") + f"{date.year % 100:02d}" + dash + \
        f"{_century_digits(date.year)[pick % len(_century_digits(date.year))]}{serial:03d}"
    assert privacy.find_pii(pd.Series([f"nr {cpr}."]))["kind"].tolist() == ["cpr"]


@settings(max_examples=80, deadline=None)
@given(st.integers(0, 99), st.integers(0, 99), st.integers(0, 99), st.integers(0, 9999),
       st.sampled_from(["", "-", " "]))
def test_impossible_dates_are_not_cpr_numbers(dd, mm, yy, seq, dash):
    # only days and months no calendar has (day 00 or 32+, month 00 or 13+); 10 digits are never a phone
    if 1 <= dd <= 31 and 1 <= mm <= 12:
        dd = 0 if dd % 2 else 32 + dd
    text = f"{dd:02d}{mm:02d}{yy:02d}" + dash + f"{seq:04d}"
    assert privacy.find_pii(pd.Series([text])).empty


ordinary_numbers = st.one_of(
    st.integers(0, 9_999_999).map(str),                                       # counts, amounts, years
    st.integers(0, 19_999_999).map(lambda v: f"{v:08d}"),                     # zero-padded ids, 19xx dates
    st.tuples(st.integers(0, 10**9), st.integers(0, 99), st.sampled_from(",.")).map(
        lambda t: f"{t[0]}{t[2]}{t[1]:02d}"),                                 # amounts with decimals
    st.floats(0, 1, allow_nan=False).map(repr),                               # fractions
    st.tuples(st.integers(1900, 2099), st.integers(1900, 2099)).map(lambda t: f"{t[0]}-{t[1]}"),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(ordinary_numbers, min_size=1, max_size=4))
def test_ordinary_numbers_are_left_alone(numbers):
    text = "kr " + " og ".join(numbers)
    out, found = privacy.redact(pd.Series([text]))
    assert found.empty and out[0] == text


def test_pseudonymise_is_hmac_sha256():
    ids = pd.Series(["r1", "r2", "r1", None])
    p = privacy.pseudonymise(ids, "key")
    want = "ps-" + hmac.new(b"key", b"r1", hashlib.sha256).hexdigest()[:20]
    assert p[0] == want == p[2] and p[1] != p[0] and pd.isna(p[3])
    assert privacy.is_pseudonym(p).tolist() == [True, True, True, False]
    assert privacy.pseudonymise(p, "key").equals(p)
    assert (privacy.pseudonymise(ids, "other").dropna() != p.dropna()).all()


def test_same_id_same_pseudonym_whatever_the_export_typed():
    text = privacy.pseudonymise(pd.Series(["1001", "1002", "r7"]), "key")
    for typed in (pd.Series([1001.0, 1002.0, "r7"], dtype=object), pd.Series([1001, 1002, " r7 "], dtype=object)):
        assert privacy.pseudonymise(typed, "key").tolist() == text.tolist()
    assert privacy.pseudonymise(pd.Series([1001.5]), "key")[0] != privacy.pseudonymise(pd.Series([1001]), "key")[0]


def test_resolve_key(monkeypatch):
    monkeypatch.delenv("X_KEY", raising=False)
    with pytest.raises(PrivacyError, match="X_KEY"):
        privacy.resolve_key(None, env="X_KEY")
    monkeypatch.setenv("X_KEY", "abc")
    assert privacy.resolve_key(None, env="X_KEY") == b"abc"
    assert privacy.resolve_key(b"raw", env="X_KEY") == b"raw"
    with pytest.raises(PrivacyError, match="DITK_PSEUDONYM_KEY.*--pseudonym-key-env.*pseudonym_key=.*--keep-ids"):
        privacy.resolve_key("", env=None)  # the command line's flag and variable, not only the Python argument


def test_protect_formulas():
    df = pd.DataFrame({"=a": ["=SUM(A1)", "+1", "-x", "@x", "\tx", "fine"], "n": [-1.0, 2, 3, 4, 5, 6]})
    out = privacy.protect_formulas(df)
    assert out["'=a"].tolist() == ["'=SUM(A1)", "'+1", "'-x", "'@x", "'\tx", "fine"]
    assert out["n"].tolist() == df["n"].tolist()
    assert df["=a"].iloc[0] == "=SUM(A1)"  # input untouched
    s = pd.Series(["=1", None], dtype="str")
    assert privacy.protect_formulas(s).tolist()[0] == "'=1"


@pytest.mark.parametrize("column", [
    pd.Series(["=1", None, "ok", "-2", "", "é", "@x"], dtype="str"),
    pd.Series(["=1", None, 1.5, -2.0, True, "ok", "+x"], dtype=object),
    pd.Series(pd.Categorical(["-1", "a", None, "-1", "=b"])),
    pd.Series(pd.Categorical(["-1", "'-1", "a"])),  # renaming would make two categories one
    pd.Series(["a", "b", None], dtype="str"),
    pd.Series(pd.Categorical([1.0, 2.0, None])),
], ids=["str", "object", "categorical", "clash", "safe", "numbers"])
def test_protect_formulas_is_the_cell_rule_on_every_cell(column):
    from toolkit.outputs import neutralise_cell

    out = privacy.protect_formulas(column)
    expected = [v if pd.isna(v) else neutralise_cell(v) for v in column.astype(object)]
    assert [None if pd.isna(v) else v for v in out.astype(object)] == [None if pd.isna(v) else v for v in expected]
    assert out is not column
    if not isinstance(column.dtype, pd.CategoricalDtype):
        assert out.dtype == column.dtype


def test_suppress_small_cells():
    t = pd.DataFrame({"g": ["a", "b", "c"], "estimate": [0.1, 0.2, 0.3], "se": [0.01, 0.02, 0.03],
                      "n": [4, 5, 100]})
    out = privacy.suppress_small_cells(t, min_cell=5)
    assert out["suppressed"].tolist() == [True, False, False]
    assert out.loc[0, ["estimate", "se"]].isna().all() and pd.isna(out.loc[0, "n"])
    assert out["note"].tolist() == ["n < 5: suppressed", "", ""]
    assert out.loc[1, "estimate"] == 0.2 and out.loc[1, "n"] == 5 and t.loc[0, "estimate"] == 0.1
    assert privacy.suppress_small_cells(t, min_cell=10)["suppressed"].tolist() == [True, True, False]


def test_suppress_small_cells_old_threshold_keyword_still_works_and_warns():
    t = pd.DataFrame({"estimate": [0.1, 0.3], "n": [4, 100]})
    with pytest.warns(FutureWarning, match="threshold= is now min_cell="):
        old = privacy.suppress_small_cells(t, threshold=5)
    pd.testing.assert_frame_equal(old, privacy.suppress_small_cells(t, min_cell=5))


@pytest.mark.parametrize("estimator", ["mean", "total", "ratio"])
def test_privacy_and_survey_tables_suppress_identically(estimator):
    from toolkit import survey

    rng = np.random.default_rng(3)
    df = pd.DataFrame({"y": rng.normal(size=40), "x": rng.uniform(1, 2, 40), "g": ["rare"] * 3 + ["common"] * 37})
    d = survey.Design(df)
    args = ("y", "x") if estimator == "ratio" else ("y",)
    published = getattr(d, estimator)(*args, by="g")
    unsuppressed = getattr(d, estimator)(*args, by="g", min_cell=0).drop(columns=["suppressed", "note"])
    assert published["suppressed"].tolist() == [False, True]
    pd.testing.assert_frame_equal(privacy.suppress_small_cells(unsuppressed), published)


@pytest.mark.parametrize("key", ["", "k", "x" * 64, "y" * 65, "æøå" * 40])
def test_pseudonyms_equal_hmac_for_every_key_length(key):
    ids = pd.Series(["r1", " r2 ", 1001.0, "ø-7"], dtype=object)
    want = ["ps-" + hmac.new(key.encode(), text.encode(), hashlib.sha256).hexdigest()[:20]
            for text in ("r1", "r2", "1001", "ø-7")]
    assert privacy.pseudonymise(ids, key=key).tolist() == want
