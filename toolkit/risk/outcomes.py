"""The instrument's declared outcomes per respondent, with missing inputs kept missing.

The rules live in the questionnaire YAML (``outcomes:``), never in code; this is
the public face of :func:`toolkit.instrument.outcomes.evaluate_outcomes`, which
the simulator's truth uses too.

Examples
--------
>>> import pandas as pd
>>> from toolkit.instrument import load_instrument
>>> inst = load_instrument("dis-screener")
>>> answers = pd.DataFrame({"net_use_3m": [2, None], "dp_exempt": [2, 2], "help_any": [2, 2]})
>>> levels = pd.DataFrame({s.level_column: ["basic", "basic"] for s in inst.scales.values()})
>>> outcomes(answers, levels, inst)["offline"].tolist()
[True, <NA>]
"""

from __future__ import annotations

import pandas as pd

from toolkit._validation import as_instrument, check_frame
from toolkit.errors import ResponseError
from toolkit.instrument.outcomes import evaluate_outcomes


def outcomes(data: pd.DataFrame, scores: pd.DataFrame, instrument) -> pd.DataFrame:
    """Every outcome the instrument declares, per respondent, as nullable booleans.

    Each outcome is its YAML rule (``offline``, ``exempt``, ``needs_help``,
    ``low_<domain>``, ``excluded_any``, ...) applied to the answers and the
    scale scores in three-valued (Kleene) logic: a comparison with a missing
    value (blank, not asked, a missing code 66/88/99, no scale score) is
    unknown; ``or`` is True when any known part is True, False when every part
    is known False and missing otherwise; ``and`` likewise (False when any part
    is False). So an outcome is ``pd.NA`` exactly where its inputs do not
    decide it, never a silent False.

    Parameters
    ----------
    data : pd.DataFrame
        Answers, one row per respondent, e.g. ``toolkit.clean(...).data``.
    scores : pd.DataFrame
        The scale scores and levels of the same rows, from :func:`toolkit.score`
        (a column here wins over one of the same name in ``data``).
    instrument : Instrument, str or path
        The instrument whose outcomes are evaluated (an object, a bundled id
        such as ``"dis-full"`` or a path to a YAML file).

    Returns
    -------
    pd.DataFrame
        One ``"boolean"`` column per declared outcome, in the instrument's
        order, on the index of ``data``.

    Raises
    ------
    ResponseError
        If ``data`` or ``scores`` is not a DataFrame, if they have different
        numbers of rows, or if a column an outcome needs is in neither of them
        (the message names the outcome and the missing columns).

    Examples
    --------
    >>> import toolkit
    >>> data = toolkit.clean(toolkit.datasets.load("sample_survey.csv"), "dis-full", pseudonym_key="x").data
    >>> out = outcomes(data, toolkit.score(data, "dis-full"), "dis-full")
    >>> out.columns.tolist()[-2:], str(out["offline"].dtype)
    (['low_bureaucratic', 'excluded_any'], 'boolean')
    """
    instrument = as_instrument(instrument)
    check_frame(data, "data", error=ResponseError)
    check_frame(scores, "scores", error=ResponseError)
    if len(data) != len(scores):
        raise ResponseError(f"data has {len(data)} rows but scores has {len(scores)}; score the same data")
    return evaluate_outcomes(data, scores.set_axis(data.index), instrument)


__all__ = ["outcomes"]
