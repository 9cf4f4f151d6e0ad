"""Item responses from the latents: graded-response and 2PL models.

* Self-report (likert) items with a domain follow a graded-response model
  (GRM): ``P(Y >= k) = expit(a * (theta_sr - b_k))`` with
  ``theta_sr = theta + overstatement``; the overstatement rises with education
  and falls with age (FIELD-NOTES, Palczynska & Rynko 2021). A reverse-keyed
  item is generated as a difficulty statement: its code is ``min + max - Y``
  (so its parameters describe the reverse-scored item).
* Knowledge items follow a 2PL model ``P(correct) = expit(a * (theta - b))``;
  a wrong answer is one of the other substantive options, uniformly.
* Other coded items follow from the person's states and drivers (see
  ``ITEM_MODELS``); items the simulator has no model for are GRM items on the
  mean latent ``g`` (documented as ``driver: g`` in the item parameters).
* Items of a scale the detailed model does not know (a custom domain, or a
  scale without one) follow a latent of their own (``driver: latent:<name>``,
  see :mod:`toolkit.simulate.generic`), so any valid instrument simulates.

Item parameters are fixed per item id (drawn from a generator seeded with the
CRC-32 of the id), so they do not change with the seed and are the same in
every instrument that shares the item. ``truth["item_parameters"]`` holds them.
"""

from __future__ import annotations

import zlib

import numpy as np
import pandas as pd
from scipy.special import expit

from toolkit._validation import renamed_keywords
from toolkit.instrument.derived import AGE_BANDS
from toolkit.instrument.outcomes import rule_frame
from toolkit.simulate.background import custom
from toolkit.simulate.draws import exclusive_choices, grm_draw, multiple_strings
from toolkit.simulate.generic import draw_latents, driver_of, known_model, latent_names
from toolkit.simulate.people import DOMAINS, DRIVER_MODELS

OVERSTATEMENT = {"education": (-0.15, 0.0, 0.2), "age_band": (0.15, 0.08, 0.0, -0.1, -0.2)}

# Non-domain items with a known meaning (kinds: state, grm on a driver with a
# sign, demographic, custom, design) are modelled in toolkit.simulate.background.


def _item_rng(item_id: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(item_id.encode("utf-8")))


@renamed_keywords(inst="instrument")
def item_parameters(instrument) -> dict[str, dict]:
    """Model and parameters of every coded/numeric item, in questionnaire order.

    Parameters
    ----------
    instrument : Instrument

    Returns
    -------
    dict of item id -> dict
        ``kind`` (grm, 2pl, check, state, demographic, custom, multiple,
        numeric, design) and its parameters; ``truth["item_parameters"]``.

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> params = item_parameters(load_instrument("dis-full"))
    >>> params["prac_k1"]["kind"], params["prac_05"]["kind"], len(params["prac_05"]["b"])
    ('2pl', 'grm', 4)
    """
    out: dict[str, dict] = {}
    for item in instrument.items:
        r = _item_rng(item.id)
        rs = instrument.response_sets.get(item.response_set) if item.response_set else None
        spec = known_model(item, rs)
        if spec is not None:
            params = dict(spec)
            if params.get("kind") == "grm":
                k = len(rs.codes)
                params.setdefault("a", round(float(r.uniform(1.2, 2.2)), 3))
                params.setdefault("b", _thresholds(r, k, params.pop("location", 0.0)))
            out[item.id] = params
        elif item.type == "knowledge" and rs is not None:
            out[item.id] = {"kind": "2pl", "driver": driver_of(item, instrument) or "g",
                            "a": round(float(r.uniform(0.9, 1.9)), 3),
                            "b": round(float(r.uniform(-2.3, -0.7)), 3)}
        elif item.type == "likert" and item.check is not None:
            out[item.id] = {"kind": "check", "expected": item.check["expected"]}
        elif item.type in ("likert", "single") and rs is not None:
            driver = driver_of(item, instrument) or "g"
            loc = float(r.uniform(-1.1, -0.1)) if item.domain else float(r.uniform(-0.6, 0.6))
            out[item.id] = {"kind": "grm", "driver": driver, "sign": 1, "self_report": item.domain in DOMAINS,
                            "a": round(float(r.uniform(1.3, 2.5)), 3), "b": _thresholds(r, len(rs.codes), loc)}
        elif item.type == "multiple" and rs is not None:
            out[item.id] = {"kind": "multiple", "driver": "g",
                            "intercepts": [round(float(x), 3) for x in r.uniform(-1.5, 1.0, len(rs.codes))],
                            "slope": 0.6}
        elif item.type == "numeric":
            out[item.id] = {"kind": "numeric", "driver": "g", "min": item.min, "max": item.max}
    return out


def _thresholds(r: np.random.Generator, k: int, location: float) -> list[float]:
    """k-1 ordered GRM thresholds centred on ``location``."""
    steps = np.linspace(-1.6, 1.3, k - 1) + r.uniform(-0.15, 0.15, k - 1)
    return [round(float(x), 3) for x in np.sort(steps + location)]


def _drivers(people: dict[str, np.ndarray], domains) -> dict[str, np.ndarray]:
    out = {d: people["theta"][:, k] for k, d in enumerate(domains)}
    out["g"] = people["theta"].mean(axis=1)
    for name in DRIVER_MODELS:
        out[name] = people[name]
    out.update({k: v for k, v in people.items() if k.startswith("latent:")})  # see toolkit.simulate.generic
    return out


@renamed_keywords(inst="instrument")
def generate(instrument, people: dict[str, np.ndarray], params: dict[str, dict], rng: np.random.Generator, *,
             dif: dict | None = None) -> dict[str, np.ndarray]:
    """Clean answers for these people: item id -> array (codes as float, NaN where not asked).

    Arrays rather than a DataFrame, so that millions of residents are cheap;
    select_multiple and text items are object arrays of str.

    ``dif`` plants differential item functioning: ``{item: {"group": col,
    "level": value, "shift": s}}`` makes the item harder by ``s`` logits (its
    difficulty / thresholds move up by ``s``) for people whose ``col`` equals
    ``value``, at the same latent. ``col`` is a population.csv column:
    ``age_band`` (a label such as "75+"), ``district``, ``gender``,
    ``education`` or ``home_lang`` (instrument codes).

    The latents of scales the detailed model does not know
    (``people["latent:<name>"]``, :func:`toolkit.simulate.generic.draw_latents`)
    are drawn from ``rng`` first when ``people`` lacks them.

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> from toolkit.simulate.people import draw_people
    >>> inst, n = load_instrument("dis-screener"), 500
    >>> cells = {"age_band": np.full(n, 1), "edu3": np.ones(n, dtype=int), "lang_w": np.zeros(n),
    ...          "gender": np.ones(n), "education": np.full(n, 2), "home_lang": np.ones(n), "district": np.ones(n)}
    >>> folk = draw_people(cells, np.random.default_rng(0))
    >>> answers = generate(inst, folk, item_parameters(inst), np.random.default_rng(1))
    >>> np.unique(answers["prac_02"][~np.isnan(answers["prac_02"])]).tolist()
    [1.0, 2.0, 3.0, 4.0, 5.0]
    """
    n = people["theta"].shape[0]
    if any(f"latent:{name}" not in people for name in latent_names(instrument)):
        people = {**people, **draw_latents(instrument, people, rng)}
    drivers = _drivers(people, DOMAINS)
    over = np.asarray(OVERSTATEMENT["education"])[people["edu3"]] + np.asarray(
        OVERSTATEMENT["age_band"])[people["age_band"]]
    cols: dict[str, np.ndarray] = {}
    for item in instrument.items:
        p = params.get(item.id)
        rs = instrument.response_sets.get(item.response_set) if item.response_set else None
        codes = np.array([c.code for c in rs.codes], dtype=float) if rs else None
        shift = dif_shift(dif, item.id, people)
        kind = p["kind"] if p else None
        if kind == "grm":
            theta = p.get("sign", 1) * drivers[p["driver"]] - shift
            if p.get("self_report"):
                theta = theta + over
            idx = grm_draw(theta, p["a"], p["b"], rng)
            if item.reverse:
                idx = len(codes) - 1 - idx
            cols[item.id] = codes[idx]
        elif kind == "2pl":
            right = rng.random(n) < expit(p["a"] * (drivers[p["driver"]] - shift - p["b"]))
            wrong_codes = codes[codes != item.correct]
            wrong = wrong_codes[rng.integers(0, len(wrong_codes), n)] if wrong_codes.size else codes[np.zeros(n, int)]
            cols[item.id] = np.where(right, float(item.correct), wrong)
        elif kind == "check":
            cols[item.id] = np.full(n, float(p["expected"]))
        elif kind == "state":
            cols[item.id] = np.where(people[p["state"]], float(p["yes"]), float(p["no"]))
        elif kind == "demographic":
            cols[item.id] = people[p["column"]].astype(float)
        elif kind == "custom":
            cols[item.id] = custom(item.id, people, codes, rng)
        elif kind == "multiple":
            logits = np.asarray(p["intercepts"]) + p["slope"] * drivers[p["driver"]][:, None]
            chosen = exclusive_choices(rng.random((n, len(codes))) < expit(logits), codes, item.exclusive)
            cols[item.id] = multiple_strings(chosen, codes)
        elif kind == "numeric":
            lo = 0.0 if p["min"] is None else p["min"]
            hi = lo + 40.0 if p["max"] is None else p["max"]
            frac = expit(0.8 * drivers[p["driver"]] + rng.standard_normal(n))
            cols[item.id] = np.round(lo + frac * (hi - lo) * 0.6)  # numeric items are whole numbers
        else:  # text, and design columns (mode), are filled in for respondents only
            cols[item.id] = np.full(n, np.nan)
    return apply_skips(instrument, cols)


def dif_shift(dif, item_id, people) -> np.ndarray:
    """Difficulty shift (logits) of ``item_id`` for each person (see :func:`generate`).

    Examples
    --------
    >>> folk = {"theta": np.zeros((3, 4)), "age_band": np.array([0, 4, 4])}
    >>> dif_shift({"navi_k2": {"group": "age_band", "level": "75+", "shift": 1.5}}, "navi_k2", folk).tolist()
    [0.0, 1.5, 1.5]
    """
    n = people["theta"].shape[0]
    if not dif or item_id not in dif:
        return np.zeros(n)
    spec = dif[item_id]
    group, level = spec["group"], spec["level"]
    if group == "age_band":
        member = people["age_band"] == (AGE_BANDS.index(level) if level in AGE_BANDS else int(level))
    else:
        member = people[group] == float(level)
    return float(spec["shift"]) * member


@renamed_keywords(inst="instrument")
def apply_skips(instrument, cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Blank every item that its skip rule says is not asked (in questionnaire order).

    Parameters
    ----------
    instrument : Instrument
    cols : dict of item id -> array
        Answers of every item; changed in place and returned.

    Returns
    -------
    dict of item id -> array

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> inst = load_instrument("dis-full")
    >>> cols = {i: np.ones(2) for i in inst.item_ids} | {"net_use_3m": np.array([1.0, 2.0])}
    >>> apply_skips(inst, cols)["net_freq"].tolist()
    [1.0, nan]
    """
    for item in instrument.items:
        if item.rule is not None:
            asked = instrument.relevant(rule_frame(cols, item.rule.variables()), item.id).to_numpy()
            if not asked.all():
                col = cols[item.id].copy()
                col[~asked] = np.nan
                cols[item.id] = col
    return cols


def _missing_masks(instrument, items, block) -> tuple[np.ndarray, np.ndarray]:
    """Where each cell holds a missing code of its item's response set, and where its "don't know" code."""
    missing, dont_know = np.zeros(block.shape, bool), np.zeros(block.shape, bool)
    for j, item in enumerate(items):
        rs = instrument.response_sets.get(item.response_set) if item.response_set else None
        codes = rs.missing_codes if rs is not None else instrument.missing_codes
        missing[:, j] = np.isin(block[:, j], list(codes))
        dont_know[:, j] = np.isin(block[:, j], [c for c, kind in codes.items() if kind == "dont_know"])
    return missing, dont_know


@renamed_keywords(inst="instrument")
def score(instrument, data) -> pd.DataFrame:
    """Scale scores and levels of clean data (a DataFrame or item -> array); the scoring the truth uses.

    self_report / mean: mean of the substantive answers, reverse-keyed items
    recoded ``min + max - x``, when at least ``min_valid`` are answered.
    knowledge / sum_correct: number of items answered correctly, when at least
    ``min_valid`` items were asked (don't know counts as not correct).

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> inst = load_instrument("dis-screener")
    >>> scores = score(inst, pd.DataFrame({i: [5.0, 1.0] for i in inst.item_ids}))
    >>> scores["practical_sr"].tolist()[0] > scores["practical_sr"].tolist()[1]
    True
    """
    if isinstance(data, pd.DataFrame):
        index = data.index
    else:  # item -> array: as many rows as the arrays, even when there is no scale to score
        index = pd.RangeIndex(len(next(iter(data.values()))) if len(data) else 0)
    out = {}
    for scale in instrument.scales.values():
        items = [instrument.item(i) for i in scale.items]
        block = np.column_stack([pd.to_numeric(pd.Series(np.asarray(data[i])), errors="coerce").to_numpy(float)
                                 for i in scale.items])
        missing, dont_know = _missing_masks(instrument, items, block)
        if scale.method == "sum_correct":
            correct = np.array([it.correct for it in items], dtype=float)
            asked = ~np.isnan(block) & (~missing | dont_know)  # "don't know" is asked, and not correct
            value = np.where(asked.sum(1) >= scale.min_valid, (block == correct).sum(1), np.nan)
        else:
            x = np.where(missing, np.nan, block)
            for j, it in enumerate(items):
                if it.reverse:
                    rs = instrument.response_sets[it.response_set]
                    x[:, j] = rs.min + rs.max - x[:, j]
            valid = (~np.isnan(x)).sum(1)
            total = np.nansum(x, axis=1)
            value = np.where(valid >= max(scale.min_valid, 1), total / np.maximum(valid, 1), np.nan)
        s = pd.Series(value, index=index, name=scale.id)
        out[scale.id] = s
        out[scale.level_column] = scale.classify(s)
    return pd.DataFrame(out, index=index)
