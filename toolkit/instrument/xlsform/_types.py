"""XLSForm question types: which become items, which are skipped (and why), which are refused.

Examples
--------
>>> classify("select one from yes_no or specify other")
('select', 'single', 'yes_no', True)
>>> classify("select_multiple  happy_sad")
('select', 'multiple', 'happy_sad', False)
>>> classify("begin_repeat")[0], classify("start")[0], classify("int")[:2], classify("osm building")[0]
('repeat', 'skip', ('item', 'numeric'), 'skip')
"""

from __future__ import annotations

import re

_SELECT = re.compile(
    r"^(?:(select_one|select one|select one from|select_multiple|select all that apply|"
    r"select all that apply from|select_multiple from|select_one from)\s+)([A-Za-z0-9_.:-]+)"
    r"(\s+(?:or_other|or specify other))?$", re.I)
_ITEMS = {"integer": "numeric", "int": "numeric", "decimal": "numeric", "range": "numeric",
          "text": "text", "string": "text"}
#: Metadata the device records on its own: kept out of the instrument (the reader takes start/end for durations).
METADATA = {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "phone number",
            "username", "email", "audit", "imei", "start-geopoint", "background-geopoint", "background-audio",
            "uri:deviceid", "uri:subscriberid", "uri:simserial", "uri:phonenumber", "uri:username",
            "uri:email", "get start time", "get end time", "get today", "get device id", "get subscriber id",
            "get sim id", "get phone number", "instanceid"}
#: Question types that hold no coded or numeric answer, with the reason they are not items.
_SKIPPED = {
    "note": "a note shows text and holds no answer",
    "calculate": "a calculation is computed by the form, not asked",
    "hidden": "a hidden field is not asked",
    "acknowledge": "an acknowledgement holds no coded answer",
    "trigger": "an acknowledgement holds no coded answer",
    "date": "dates are not items the toolkit scores or estimates; the reader keeps the column",
    "time": "times are not items the toolkit scores or estimates; the reader keeps the column",
    "datetime": "date-times are not items the toolkit scores or estimates; the reader keeps the column",
    "geopoint": "locations are not items; the reader keeps the column (mind the privacy of exact places)",
    "gps": "locations are not items; the reader keeps the column (mind the privacy of exact places)",
    "geotrace": "locations are not items", "geoshape": "locations are not items",
    "image": "media answers are not items", "photo": "media answers are not items",
    "audio": "media answers are not items", "video": "media answers are not items",
    "file": "file answers are not items", "barcode": "barcodes are not items", "rank": "ranking is not an item type",
    "xml-external": "external data is not a question", "csv-external": "external data is not a question",
    "add text prompt": "an old-style prompt is not a question", "include": "includes of other forms are not read",
    "set form id": "a form setting, not a question", "set form title": "a form setting, not a question",
}


def _key(xls_type: str) -> str:
    return re.sub(r"\s+", " ", xls_type.strip().lower())


def classify(xls_type: str) -> tuple[str, str | None, str | None, bool]:
    """(what, detail, list name, or_other) of a ``type`` cell.

    ``what`` is ``select`` (detail: single or multiple), ``item`` (detail: the
    item type), ``begin_group``, ``end_group``, ``repeat`` (a repeat or loop
    begins), ``end_repeat``, ``skip`` (detail: the reason), or ``unknown``.
    """
    key = _key(xls_type)
    m = _SELECT.match(re.sub(r"\s+", " ", xls_type.strip()))
    if m:
        multiple = "multiple" in m.group(1).lower() or "all" in m.group(1).lower()
        return "select", "multiple" if multiple else "single", m.group(2), m.group(3) is not None
    if key in _ITEMS:
        return "item", _ITEMS[key], None, False
    if key in ("begin group", "begin_group"):
        return "begin_group", None, None, False
    if key in ("end group", "end_group"):
        return "end_group", None, None, False
    if key in ("begin repeat", "begin_repeat") or key.startswith("begin loop"):
        return "repeat", None, None, False
    if key in ("end repeat", "end_repeat", "end loop", "end_loop"):
        return "end_repeat", None, None, False
    if key in METADATA or key.startswith("uri:"):
        return "skip", "metadata the device records, not a question (the reader keeps the column)", None, False
    if key.split(" ")[0] in ("select_one_from_file", "select_multiple_from_file", "select_one_external"):
        return "skip", "its choices come from an external file the form does not hold", None, False
    if key.split(" ")[0] == "osm":
        return "skip", "an OpenStreetMap feature is not an item", None, False
    if key in _SKIPPED:
        return "skip", _SKIPPED[key], None, False
    return "unknown", None, None, False


__all__ = ["classify", "METADATA"]
