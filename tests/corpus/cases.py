"""Expected outcome of every corpus case (files from make_corpus.py).

Each case names its file, the entry point, and what must happen:

- ``result``: the call returns; every name in ``problems`` is either a cleaning-log
  rule that must have logged at least one change, or a fragment of one of the
  read notes (``Cleaned.read["notes"]``, each also a DataQualityWarning);
- an error class: that :class:`toolkit.errors.ToolkitError` subclass, whose message
  holds the file name and ``fragment`` (where and what to fix).

Entry points and the command each is also run through:

=============== ============================================ ==================================================
entry           API                                          command line
=============== ============================================ ==================================================
clean           read_responses + clean                       ditk clean FILE --out ... --log ... --flags ...
load_instrument load_instrument(FILE)                        ditk clean SAMPLE --instrument FILE
config          Config.from_toml(FILE)                       ditk report SAMPLE --config FILE
geojson         plots.maps.read_districts(FILE)              ditk report SAMPLE --geojson FILE
=============== ============================================ ==================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    id: str
    file: str
    entry: str
    expected: str  # "result" or the name of a ToolkitError subclass
    fragment: str = ""
    problems: tuple[str, ...] = ()
    instrument: str = "dis-screener"
    rows: int | None = None
    needs: str = ""  # a toolkit module the case needs ("toolkit.instrument.xlsform")
    extra: dict = field(default_factory=dict)


CASES = (
    # empty and truncated
    Case("empty", "empty.csv", "clean", "InputFileError", "the file is empty"),
    Case("header_only", "header_only.csv", "clean", "result", rows=0),
    Case("truncated_last_line", "truncated.csv", "clean", "result", problems=("missing_code",), rows=20),
    # encodings and delimiters
    Case("utf8_bom", "utf8_bom.csv", "clean", "result", problems=("missing_code",), rows=49),
    Case("mixed_line_endings", "mixed_line_endings.csv", "clean", "result", problems=("missing_code",), rows=49),
    Case("cp1252", "cp1252.csv", "clean", "result", problems=("invalid_value",), rows=49,
         extra={"encoding": "cp1252", "text": "Ærø Østerbro Århus æøå"}),
    Case("wrong_delimiter", "wrong_delimiter.csv", "clean", "ResponseError", "another version of the form"),
    # headers
    Case("duplicate_columns", "duplicate_columns.csv", "clean", "ResponseError",
         "duplicate column header(s): net_use_3m"),
    Case("title_row", "title_row.csv", "clean", "result", problems=("title row",), rows=49),
    # cell contents
    Case("decimal_comma", "decimal_comma.csv", "clean", "result", problems=("decimal_comma",), rows=30),
    Case("thousands_separator", "thousands_separator.csv", "clean", "result",
         problems=("decimal_comma", "invalid_value"), rows=30),
    Case("xlsx_formulas_merged_dates", "formulas.xlsx", "clean", "result",
         problems=("hold formulas", "merged cell", "invalid_value"), rows=30),
    # size
    Case("million_columns", "million_columns.csv", "clean", "InputFileError", "more than 20,000 columns"),
    Case("cell_10mb", "cell_10mb.csv", "clean", "result", problems=("invalid_value",), rows=2),
    Case("binary_as_csv", "binary.csv", "clean", "InputFileError", "binary content"),
    Case("zip_as_csv", "zip_named.csv", "clean", "InputFileError", "a ZIP file"),
    # format-specific
    Case("xlsx_zip_bomb", "zip_bomb.xlsx", "clean", "InputFileError", "zip bomb"),
    Case("xlsx_truncated", "truncated.xlsx", "clean", "InputFileError", "not a readable XLSX"),
    Case("sav_labels_disagree", "labels_disagree.sav", "clean", "result",
         problems=("value labels of help_any disagree",), rows=30),
    Case("sav_truncated", "truncated.sav", "clean", "InputFileError", "not a readable SAV file"),
    Case("kobo_other_version", "kobo_other_version.csv", "clean", "ResponseError", "net_use_3m; is the export from "
         "another version of the form", instrument="dis-full"),
    Case("kobo_new_choice", "kobo_new_choice.csv", "clean", "result", problems=("out_of_range",),
         instrument="dis-full", rows=201),
    # instrument YAML
    Case("yaml_billion_laughs", "billion_laughs.yaml", "load_instrument", "InstrumentError", "aliases"),
    Case("yaml_python_tag", "python_tag.yaml", "load_instrument", "InstrumentError", "python/object/apply"),
    # report config
    Case("toml_unknown_key", "unknown_key.toml", "config", "OptionError", "unknown setting(s) min_cel"),
    Case("toml_wrong_type", "wrong_type.toml", "config", "OptionError", "min_cell = 'ten' must be an integer"),
    Case("toml_invalid", "invalid.toml", "config", "OptionError", "not valid TOML"),
    # district GeoJSON
    Case("geojson_malformed", "malformed.geojson", "geojson", "InputFileError", "cannot read district boundaries"),
    Case("geojson_not_features", "not_features.geojson", "geojson", "InputFileError", "expected a FeatureCollection"),
    Case("geojson_unknown_district", "unknown_district.geojson", "geojson", "ResponseError",
         "is not a district of dis-full"),
    Case("geojson_enormous", "enormous.geojson", "geojson", "InputFileError", "simplify the polygons"),
    Case("geojson_deep", "deep.geojson", "geojson", "InputFileError", "nested too deeply"),
    # imported XLSForm
    Case("xlsform_formulas", "form_formulas.xlsx", "load_instrument", "result",
         problems=("3 cell(s) hold formulas", "link(s) to other workbooks"), needs="toolkit.instrument.xlsform"),
    Case("xlsform_zip_bomb", "form_zip_bomb.xlsx", "load_instrument", "InputFileError", "zip bomb",
         needs="toolkit.instrument.xlsform"),
    Case("xlsform_many_choices", "form_many_choices.xlsx", "load_instrument", "result",
         needs="toolkit.instrument.xlsform"),
)

BY_ID = {case.id: case for case in CASES}
