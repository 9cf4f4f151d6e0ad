"""The change log (toolkit.cleaning.log): one row per changed cell, sorted by row, old values kept."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.cleaning._helpers import INST, frame, run
from toolkit import privacy
from toolkit.cleaning.coding import decode_number_column
from toolkit.cleaning.log import LOG_COLUMNS, PRIVACY_RULES, RULES, LogBuilder


def test_rules_are_value_rules_then_privacy_rules_then_dropping():
    from toolkit.cleaning.coding import VALUE_RULES

    assert RULES == (*VALUE_RULES, "pii_cpr", "pii_email", "pii_phone", "pseudonymise", "drop_flagged")
    assert set(PRIVACY_RULES) == {"pii_cpr", "pii_email", "pii_phone", "pseudonymise"}


def test_the_log_is_sorted_by_row_stably_across_columns():
    log = LogBuilder()
    log.add(np.array([3, 1]), "b", np.array(["x", "y"], object), np.array([1.0, 2.0]), "label_to_code")
    log.add(np.array([1]), "a", np.array(["z"], object), np.array([np.nan]), "out_of_range")
    built = log.build(np.array(["p0", "p1", "p2", "p3"], object))
    assert tuple(built.columns) == LOG_COLUMNS
    assert built[["row", "column", "respondent_id"]].values.tolist() == [[1, "b", "p1"], [1, "a", "p1"],
                                                                          [3, "b", "p3"]]
    assert list(built["rule"].cat.categories) == list(RULES)
    assert built["position"].isna().all()


def test_an_empty_log_has_the_columns_and_types_of_a_full_one():
    empty, full = LogBuilder().build(None), run(frame(INST, 1, net_use_3m=["Yes"]), INST).log
    assert empty.empty and tuple(empty.columns) == LOG_COLUMNS
    assert empty["row"].dtype == full["row"].dtype and empty["rule"].dtype == full["rule"].dtype


def test_value_changes_point_at_distinct_values_and_free_the_bookkeeping():
    decoded = decode_number_column(pd.Series(["7,5", "60", "7,5", "x"]), lower=0.0)
    log = LogBuilder()
    log.add_values("duration_sec", decoded, redact=lambda values: np.array(["<" + str(v) + ">" for v in values],
                                                                             object))
    built = log.build(None)
    assert built[["row", "old", "rule"]].values.tolist() == [[0, "<7,5>", "decimal_comma"],
                                                            [2, "<7,5>", "decimal_comma"],
                                                            [3, "<x>", "invalid_value"]]
    assert decoded.rule.size == 0 and decoded.codes.size == 0
    untouched = decode_number_column(pd.Series(["1"]))
    LogBuilder().add_values("x", untouched, redact=lambda _v: (_ for _ in ()).throw(AssertionError))
    assert untouched.rule.size == 1  # nothing changed: nothing redacted, nothing freed


def test_pii_rows_one_per_cell_and_kind_without_old_values():
    new, found = privacy.redact(pd.Series(["a@b.dk ring 20 30 40 50", "intet", "c@d.dk"]))
    log = LogBuilder()
    log.add_pii("note", found, new.to_numpy(object))
    built = log.build(None)
    assert built[["row", "rule"]].values.tolist() == [[0, "pii_email"], [0, "pii_phone"], [2, "pii_email"]]
    assert built["old"].isna().all() and built["new"].tolist()[0] == "[EMAIL] ring [PHONE]"
    assert built["position"].tolist() == ["0-6", "12-23", "0-6"]


def test_dropped_rows_are_logged_under_row():
    log = LogBuilder()
    log.add_dropped(np.array([0, 2]), np.array(["speeder", "", "failed_check"], object))
    built = log.build(None)
    assert built[["row", "column", "old", "new", "rule", "position"]].values.tolist() == [
        [0, "<row>", "kept", "dropped", "drop_flagged", "speeder"],
        [2, "<row>", "kept", "dropped", "drop_flagged", "failed_check"]]
