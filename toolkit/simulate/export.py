"""Write simulated surveys: CSV, XLSX, SPSS .sav, KoboToolbox-style CSV, truth JSON.

Every writer is byte-stable: the same simulation gives the same bytes on any
machine. Floats are written with ``%.10g``; XLSX zip entries and document
properties carry a fixed date; the .sav header's creation date and time are
set to a fixed value; Kobo ``_uuid`` and ``_submission_time`` derive from the
seed.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit._validation import check_option, renamed_keywords
from toolkit.errors import OutputError

FORMATS = ("csv", "xlsx", "sav", "kobo")
FIXED_DATE = (2026, 1, 1, 0, 0, 0)
_FIXED_ISO = "2026-01-01T00:00:00Z"
FLOAT_FORMAT = "%.10g"


def _target(path) -> Path:
    path = Path(path)
    if not path.parent.exists():
        raise OutputError(f"cannot write {path}: folder {path.parent} does not exist")
    return path


@renamed_keywords(df="data")
def write_csv(data: pd.DataFrame, path) -> Path:
    """UTF-8 CSV, '\\n' line ends, floats as %.10g (codes appear as 3, not 3.0).

    Parameters
    ----------
    data : pd.DataFrame
    path : str or path-like
        The file; its folder must exist.

    Returns
    -------
    Path
        The CSV file.

    Examples
    --------
    >>> from tempfile import TemporaryDirectory
    >>> with TemporaryDirectory() as tmp:
    ...     write_csv(pd.DataFrame({"x": [3.0, 0.5]}), Path(tmp) / "x.csv").read_text()
    'x\\n3\\n0.5\\n'
    """
    path = _target(path)
    data.to_csv(path, index=False, lineterminator="\n", float_format=FLOAT_FORMAT, encoding="utf-8")
    return path


def write_json(obj: dict, path) -> Path:
    """JSON with one-space indents, UTF-8 text and NaN written as null (truth.json).

    Parameters
    ----------
    obj : dict
        Tuples become lists, numpy scalars plain numbers.
    path : str or path-like

    Returns
    -------
    Path
        ``path``, once written.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_json({"p": (np.float64(0.5), float("nan"))}, Path(tmp) / "t.json").read_text()
    '{\\n "p": [\\n  0.5,\\n  null\\n ]\\n}\\n'
    """
    path = _target(path)
    path.write_text(json.dumps(_plain(obj), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def _plain(obj):
    """JSON-safe copy: tuples -> lists, numpy scalars -> Python numbers, NaN -> None."""
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | np.ndarray):
        return [_plain(v) for v in obj]
    if isinstance(obj, np.integer | np.bool_):
        return obj.item()
    if isinstance(obj, float | np.floating):
        return None if np.isnan(obj) else float(obj)
    return obj


def write_responses(sim, path, format: str | None = None) -> Path:
    """Write ``sim.responses`` as csv, xlsx, sav or kobo (default: from the suffix).

    Parameters
    ----------
    sim : Simulation
    path : str or path-like
    format : {"csv", "xlsx", "sav", "kobo"}, optional
        Default: the file's suffix.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, toolkit
    >>> sim = toolkit.simulate.survey("dis-screener", n=20, seed=1)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_responses(sim, Path(tmp) / "r.sav").suffix
    '.sav'
    """
    fmt = check_option((format or Path(path).suffix.lstrip(".")).lower(), "format", FORMATS)
    if fmt == "csv":
        return write_csv(sim.responses, path)
    if fmt == "xlsx":
        return write_xlsx(sim.responses, path)
    if fmt == "sav":
        return write_sav(sim.responses, sim.instrument, path)
    return write_csv(kobo_frame(sim), path)


@renamed_keywords(df="data")
def write_xlsx(data: pd.DataFrame, path, *, sheet: str = "responses") -> Path:
    """XLSX with fixed zip timestamps and document dates (byte-stable).

    Parameters
    ----------
    data : pd.DataFrame
    path : str or path-like
    sheet : str
        The sheet's name.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_xlsx(pd.DataFrame({"x": [1, 2]}), Path(tmp) / "x.xlsx")
    ...     pd.read_excel(path, engine="calamine")["x"].tolist()
    [1, 2]
    """
    import openpyxl

    path = _target(path)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append([str(c) for c in data.columns])
    for row in data.astype(object).where(data.notna(), None).to_numpy().tolist():
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    _stable_zip(buf.getvalue(), path)
    return path


def _stable_zip(data: bytes, path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*", rf"\g<1>{_FIXED_ISO}", text)
                body = text.encode("utf-8")
            out = zipfile.ZipInfo(info.filename, date_time=FIXED_DATE)
            out.compress_type = zipfile.ZIP_DEFLATED
            out.external_attr = 0o600 << 16
            dst.writestr(out, body)


@renamed_keywords(df="data", inst="instrument")
def write_sav(data: pd.DataFrame, instrument, path) -> Path:
    """SPSS .sav with variable labels and value labels (numeric coded columns).

    Parameters
    ----------
    data : pd.DataFrame
        Responses to ``instrument``.
    instrument : Instrument
        Gives the labels (in its first language).
    path : str or path-like

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pyreadstat, toolkit
    >>> inst = toolkit.load_instrument("dis-screener")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write_sav(pd.DataFrame({"net_use_3m": [1.0, 2.0]}), inst, Path(tmp) / "r.sav")
    ...     pyreadstat.read_sav(str(path))[1].variable_value_labels["net_use_3m"][2.0]
    'No'
    """
    import pyreadstat

    path = _target(path)
    out = data.copy()
    labels, value_labels = {}, {}
    for item in instrument.items:
        if item.id not in out:
            continue
        labels[item.id] = item.text[instrument.languages[0]][:250]
        rs = instrument.response_sets.get(item.response_set) if item.response_set else None
        if rs is not None and pd.api.types.is_numeric_dtype(out[item.id]):
            value_labels[item.id] = {float(c.code): c.label[instrument.languages[0]] for c in (*rs.codes, *rs.missing)}
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].astype(object).where(out[col].notna(), None)
    pyreadstat.write_sav(out, str(path), column_labels=[labels.get(c, c) for c in out.columns],
                         variable_value_labels=value_labels, file_label=f"Synthetic {instrument.id} survey")
    _fix_sav_header(path)
    return path


def _fix_sav_header(path: Path) -> None:
    """Overwrite the creation date/time in the .sav header (bytes 84-100) with a fixed value."""
    raw = bytearray(path.read_bytes())
    # header: rec_type(4) prod_name(60) layout(4) nominal_case_size(4) compression(4)
    # weight_index(4) ncases(4) bias(8) -> creation_date(9) at 92, creation_time(8) at 101
    raw[92:101] = b"01 Jan 26"
    raw[101:109] = b"00:00:00"
    path.write_bytes(bytes(raw))


def _kobo_time(times: pd.DatetimeIndex) -> np.ndarray:
    """Kobo's ``start``/``end`` text: ``2026-03-02T14:12:58.000+01:00``."""
    text = pd.Series(times.strftime("%Y-%m-%dT%H:%M:%S.000%z"))
    return text.str.replace(r"([+-]\d{2})(\d{2})$", r"\1:\2", regex=True).to_numpy()


def kobo_frame(sim) -> pd.DataFrame:
    """KoboToolbox-style export of ``sim.responses``.

    Group paths ``<section>/<item>`` (e.g. ``skills/prac_03``); select_multiple
    both as one space-separated column and as 0/1 columns
    (``access/devices/1``); ``start``/``end`` (local ISO timestamps with their
    UTC offset, as Kobo writes them; no ``duration_sec``, which Kobo lacks), ``_id``,
    ``_uuid``, ``_submission_time`` (UTC), ``_index``. Design columns (stratum,
    design_weight, respondent_id) are kept ungrouped.

    Parameters
    ----------
    sim : Simulation

    Returns
    -------
    pd.DataFrame

    Examples
    --------
    >>> import toolkit
    >>> kobo = kobo_frame(toolkit.simulate.survey("dis-full", n=30, seed=1))
    >>> "access/devices/1" in kobo and kobo["_index"].tolist()[:3]
    [1, 2, 3]
    """
    instrument, df = sim.instrument, sim.responses
    n = len(df)
    submitted = sim.fieldwork.set_index("respondent_id")["submitted"].reindex(df["respondent_id"]).to_numpy()
    # a duplicate submission arrives a few minutes after the first
    dup_rank = df.groupby("respondent_id").cumcount().to_numpy()
    submitted = pd.to_datetime(submitted) + pd.to_timedelta(dup_rank * 180, unit="s")
    duration = pd.to_numeric(df["duration_sec"].astype(str).str.replace(",", "."), errors="coerce").fillna(900)
    local = submitted.tz_localize("Europe/Copenhagen", ambiguous=np.zeros(n, bool), nonexistent="shift_forward")
    start = local - pd.to_timedelta(duration.to_numpy(), unit="s")
    cols: dict[str, object] = {"start": _kobo_time(start), "end": _kobo_time(local)}
    for item in instrument.items:
        path = f"{item.section}/{item.id}"
        cols[path] = df[item.id].to_numpy()
        if item.type == "multiple":
            rs = instrument.response_sets[item.response_set]
            text = df[item.id].astype("str")
            asked = df[item.id].notna().to_numpy()
            for c in rs.codes:  # the code as a whole space-separated token
                has = text.str.contains(rf"(?:^| ){c.code}(?:$| )", regex=True, na=False).to_numpy()
                cols[f"{path}/{c.code}"] = np.where(asked, has.astype(float), np.nan)
    for meta in ("respondent_id", "district", "stratum", "design_weight", "mode"):
        if meta not in instrument.item_ids:
            cols[meta] = df[meta].to_numpy()
    rng = np.random.default_rng([sim.seed, 6])
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    cols["_id"] = np.arange(1, n + 1) + 40_000_000
    cols["_uuid"] = [str(uuid.UUID(bytes=bytes(b), version=4)) for b in raw]
    cols["_submission_time"] = local.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S")
    cols["_index"] = np.arange(1, n + 1)
    return pd.DataFrame(cols)
