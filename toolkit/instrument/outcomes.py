"""Respondent-level outcomes from the instrument's outcome rules.

An outcome (``offline``, ``exempt``, ``low_<domain>``, ...) is a rule over item
answers and scale columns (``<scale>`` and ``<scale>_level``). The scale scores
come from the caller - :func:`toolkit.score` for survey data, the simulator's own
scorer for its truth - and this module applies the rules to both in one way.

Examples
--------
>>> import pandas as pd
>>> data = pd.DataFrame({"net_use_3m": [1, 2], "dp_exempt": [2, 1]})
>>> rule_frame(data, {"dp_exempt"}).columns.tolist()
['dp_exempt']
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from toolkit.instrument.schema import Instrument


def rule_frame(data: Mapping, names) -> pd.DataFrame:
    """A small DataFrame of just the columns ``names`` (text stays object dtype, not Arrow strings).

    Parameters
    ----------
    data : DataFrame or mapping of column -> array
        Where the columns are found.
    names : iterable of str
        The columns a rule needs (``Rule.variables()``).

    Returns
    -------
    pd.DataFrame
        The columns in sorted order, with a fresh RangeIndex.

    Examples
    --------
    >>> import numpy as np
    >>> small = rule_frame({"b": np.array(["1 3", "2"], dtype=object), "a": np.array([1.0, 2.0])}, {"a", "b"})
    >>> small.columns.tolist(), str(small["b"].dtype)
    (['a', 'b'], 'object')
    """
    return pd.DataFrame({v: pd.Series(np.asarray(data[v]), dtype=object) if np.asarray(data[v]).dtype == object
                         else np.asarray(data[v]) for v in sorted(names)})


def evaluate_outcomes(data, scores: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Every outcome the instrument declares, as one bool column per outcome.

    Parameters
    ----------
    data : DataFrame or mapping of item id -> array
        Answers, one row per respondent (missing codes count as missing).
    scores : pd.DataFrame
        Scale scores and levels for the same rows (``<scale>``, ``<scale>_level``),
        e.g. from :func:`toolkit.score`. A rule's name is looked up here first.
    instrument : Instrument
        Whose ``outcomes`` are evaluated.

    Returns
    -------
    pd.DataFrame
        One bool column per outcome, in the instrument's order, on the index of
        ``data`` (of ``scores`` when ``data`` is a mapping).

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> inst = load_instrument("dis-screener")
    >>> answers = pd.DataFrame({"net_use_3m": [1, 2], "dp_exempt": [2, 1], "help_any": [2, 1]})
    >>> levels = {f"{s}_level": ["basic", "low"] for s in inst.scales}
    >>> out = evaluate_outcomes(answers, pd.DataFrame(levels), inst)
    >>> out[["offline", "exempt"]].to_numpy().tolist()
    [[False, False], [True, True]]
    """
    index = data.index if isinstance(data, pd.DataFrame) else scores.index
    out = {}
    for oid, outcome in instrument.outcomes.items():
        names = outcome.parsed.variables()
        small = rule_frame({**{k: data[k] for k in names if k not in scores},
                            **{k: scores[k].to_numpy() for k in names if k in scores}}, names)
        out[oid] = instrument.evaluate(outcome.parsed, small).to_numpy()
    return pd.DataFrame(out, index=index)


__all__ = ["evaluate_outcomes", "rule_frame"]
