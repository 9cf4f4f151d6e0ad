"""Property-based fuzzing of the readers and clean: only ToolkitErrors, rows kept, the log explains every change.

The ``ci`` profile (tests/conftest.py) runs a few examples per property;
``HYPOTHESIS_PROFILE=fuzz`` runs thousands.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit
from toolkit import privacy
from toolkit.cleaning.log import PRIVACY_RULES
from toolkit.errors import ToolkitError, ToolkitWarning

INSTRUMENT = toolkit.load_instrument("dis-screener")
ITEMS = INSTRUMENT.item_ids
SUFFIXES = [".csv", ".tsv", ".xlsx", ".sav", ".dta", ".parquet"]
#: answers as exports hold them: codes, labels, missing codes, decimal commas, junk, PII, formulas
CELLS = st.one_of(
    st.sampled_from(["1", "2", "3", "4", "5", "88", "99", "66", "", "3,0", "2.0", " 4 ", "Yes", "Nej", "ja", "7",
                     "-1", "1e3", "nan", "NULL", "=1+1", "ole@example.dk", "311285-1237", "0", "1 2"]),
    st.text(max_size=12),
    st.integers(-1000, 1000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
quiet = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _read(path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ToolkitWarning)
        return toolkit.read_responses(path, INSTRUMENT)


@quiet
@given(content=st.binary(max_size=4096), suffix=st.sampled_from(SUFFIXES))
def test_random_bytes_only_toolkit_errors(content: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(content)
        try:
            _read(path)
        except ToolkitError:
            pass
        assert path.read_bytes() == content


@quiet
@given(rows=st.lists(st.lists(CELLS, min_size=len(ITEMS) + 1, max_size=len(ITEMS) + 1), max_size=12),
       delimiter=st.sampled_from([",", ";", "\t"]), encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]))
def test_random_csv_text(rows: list[list[str]], delimiter: str, encoding: str) -> None:
    header = ["respondent_id", *ITEMS]
    text = "\n".join(delimiter.join(_quote(c, delimiter) for c in row) for row in [header, *rows]) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.csv"
        try:
            path.write_bytes(text.encode(encoding))
        except UnicodeEncodeError:
            return
        try:
            data = _read(path)
            cleaned = toolkit.clean(data, INSTRUMENT, pseudonym_key="fuzz")
        except ToolkitError:
            return
        assert len(cleaned.data) + int((cleaned.log["rule"] == "drop_flagged").sum()) == len(rows)


def _quote(cell: str, delimiter: str) -> str:
    if any(c in cell for c in (delimiter, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def _redacted(value) -> str:
    """The raw value as the log may hold it: personal data replaced by markers ([EMAIL])."""
    return str(privacy.redact(pd.Series([str(value)], dtype=object))[0].iloc[0])


def _same(raw, new) -> bool:
    """The cleaned value is the raw one, as a number (clean turns "3" into 3.0 without logging it)."""
    if raw is None or (isinstance(raw, float) and np.isnan(raw)) or str(raw).strip() == "":
        return pd.isna(new)
    try:
        return float(str(raw).strip()) == float(new)
    except (TypeError, ValueError):
        return False


@quiet
@given(data=st.data(), n=st.integers(0, 15))
def test_clean_random_frames(data, n: int) -> None:
    raw = pd.DataFrame({item: data.draw(st.lists(st.one_of(CELLS, st.none(), st.integers(-5, 100)),
                                                 min_size=n, max_size=n), label=item) for item in ITEMS},
                       dtype=object)
    raw.insert(0, "respondent_id", [f"r{k}" for k in range(n)])
    before = raw.copy()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ToolkitWarning)
            cleaned = toolkit.clean(raw, INSTRUMENT, pseudonym_key="fuzz", drop_flagged=())
    except ToolkitError:
        return
    pd.testing.assert_frame_equal(raw, before)  # the input is never modified
    assert len(cleaned.data) == n  # rows preserved
    log = cleaned.log[~cleaned.log["rule"].isin(PRIVACY_RULES)]
    logged = {(int(r), c): old for r, c, old in zip(log["row"], log["column"], log["old"], strict=True)}
    for item in ITEMS:
        for row in range(n):
            value, new = raw.at[row, item], cleaned.data[item].iloc[row]
            if (row, item) in logged:  # the log holds the raw value
                old = logged[(row, item)]
                assert str(old) in (str(value), _redacted(value)) or _same(value, old), (item, row, value, old)
            elif not cleaned.log[(cleaned.log["row"] == row) & (cleaned.log["column"] == item)].empty:
                continue  # a privacy rule changed it, without recording the personal data
            else:  # unlogged cells are unchanged
                assert _same(value, new), (item, row, value, new)
