"""Codebooks: CSV and Markdown list every item, with the instrument and its version."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit import load_instrument

INSTRUMENTS = ["dis-full", "dis-screener"]


@pytest.mark.parametrize("inst_id", INSTRUMENTS)
def test_codebook_lists_every_item(built, inst_id):
    inst = load_instrument(inst_id)
    cb = pd.read_csv(built / f"{inst_id}.codebook.csv", dtype={"instrument_version": str})
    assert cb["variable"].tolist() == inst.item_ids
    assert (cb["instrument"] == inst.id).all() and (cb["instrument_version"] == inst.version).all()
    for lang in inst.languages:
        md = (built / f"{inst_id}.codebook.{lang}.md").read_text(encoding="utf-8")
        for iid in inst.item_ids:
            assert f"| {iid} |" in md
        assert f"`{inst.version}`" in md
