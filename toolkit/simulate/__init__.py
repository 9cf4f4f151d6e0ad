"""Realistic synthetic surveys with known truth.

:func:`survey` builds a fictional municipality (:mod:`.population`), draws
every resident's latent competences and states (:mod:`.people`), their
answers to every item (:mod:`.items`, :mod:`.background`), a stratified
sample with nonresponse (:mod:`.design`), and makes the respondents' file
misbehave like a real export (:mod:`.messiness`). :mod:`.export` writes CSV,
XLSX, SPSS .sav and a KoboToolbox-style export, byte for byte the same for
the same seed.

Truth is defined on the finite population that is generated: every
resident answers every item without error, the instrument's scales and
outcome rules are applied, and ``truth["prevalence"][outcome][district]`` is
the share among all residents of the district. A census with
``nonresponse=False`` and ``clean=True`` reproduces it exactly.

The detailed models describe the bundled instruments; any other instrument
is simulated generically, with one latent per scale the models do not know
(:mod:`.generic`).
"""

from __future__ import annotations

import importlib
import multiprocessing as mp
import os
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from toolkit._validation import as_instrument, check_option, renamed_keywords
from toolkit.errors import DesignError
from toolkit.instrument.derived import AGE_BANDS
from toolkit.instrument.outcomes import evaluate_outcomes
from toolkit.instrument.vocabulary import METADATA_COLUMNS
from toolkit.simulate import background, design, generic, items, messiness, people, population

CHUNK = 200_000  # residents generated at a time (bounds memory for large populations)
FIELDWORK_START = pd.Timestamp("2026-03-02 08:00:00")
METADATA = METADATA_COLUMNS
#: population.csv columns a planted DIF effect can depend on
DIF_GROUPS = ("age_band", "district", "gender", "education", "home_lang")


@dataclass(frozen=True)
class Simulation:
    """A simulated survey: respondents (messy and clean), population, truth (read-only).

    Attributes
    ----------
    responses : DataFrame
        What is exported: metadata columns ``respondent_id, district, stratum,
        design_weight, mode, duration_sec`` then one column per item id (the
        free-text item is ``comment``). With ``clean=False`` columns that
        received text (labels, "3,5") are object columns of str, codes
        written as in the CSV ("3"); duplicate submissions repeat a
        respondent_id.
    clean_responses : DataFrame
        The same respondents without corruptions or duplicates (canonical
        clean data: codes as float, NaN = not asked).
    artefacts : DataFrame
        row, respondent_id, column, kind, clean, messy - one row per
        corrupted cell (row = position in ``responses``; column "" for a
        duplicate row). Empty with ``clean=True``.
    population : DataFrame
        population.csv: district, age_band, gender, education, home_lang, count.
    truth : dict
        See :func:`survey`.

    Examples
    --------
    >>> sim = survey("dis-screener", n=40, seed=2, clean=True)
    >>> sim.responses is sim.clean_responses, sim.artefacts.empty, sim.truth["n"]
    (True, True, 40)
    """

    instrument: object
    seed: int
    responses: pd.DataFrame
    clean_responses: pd.DataFrame
    artefacts: pd.DataFrame
    population: pd.DataFrame
    truth: dict
    rates: dict[str, float]
    fieldwork: pd.DataFrame = field(repr=False)  # respondent_id, submitted (for the Kobo export)

    def summary(self) -> pd.DataFrame:
        """One row per outcome: its population prevalence (truth) and its unweighted share among respondents.

        The gap between the two is what nonresponse does to a naive estimate.

        Examples
        --------
        >>> sim = survey("dis-screener", n=300, seed=1)
        >>> table = sim.summary()
        >>> table.columns.tolist(), table["outcome"].tolist()[:2]
        (['outcome', 'truth', 'respondents', 'n'], ['offline', 'exempt'])
        """
        data = self.clean_responses
        outs = evaluate_outcomes(data, items.score(self.instrument, data), self.instrument)
        return pd.DataFrame({
            "outcome": list(self.instrument.outcomes),
            "truth": [self.truth["prevalence"][o]["overall"] for o in self.instrument.outcomes],
            "respondents": outs.mean().round(6).to_numpy(),
            "n": len(data),
        })

    def write(self, path, *, format: str | None = None) -> Path:
        """Write the responses as csv, xlsx, sav or kobo (default: from the suffix).

        Examples
        --------
        >>> import tempfile
        >>> sim = survey("dis-screener", n=50, seed=1)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = sim.write(Path(tmp) / "kobo.csv", format="kobo")
        ...     pd.read_csv(path).columns[:3].tolist()
        ['start', 'end', 'use/net_use_3m']
        """
        from toolkit.simulate.export import write_responses

        return write_responses(self, path, format)

    def write_population(self, path) -> Path:
        """Write ``population`` (population.csv: the register totals) as CSV.

        Examples
        --------
        >>> import tempfile
        >>> sim = survey("dis-screener", n=30, seed=1)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     int(pd.read_csv(sim.write_population(Path(tmp) / "p.csv"))["count"].sum())
        60000
        """
        from toolkit.simulate.export import write_csv

        return write_csv(self.population, path)

    def write_truth(self, path) -> Path:
        """Write ``truth`` as JSON (truth.json).

        Examples
        --------
        >>> import json, tempfile
        >>> sim = survey("dis-screener", n=30, seed=1)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     json.loads(sim.write_truth(Path(tmp) / "t.json").read_text())["instrument"]
        'dis-screener'
        """
        from toolkit.simulate.export import write_json

        return write_json(self.truth, path)

    def write_artefacts(self, path) -> Path:
        """Write ``artefacts`` (every corrupted cell and duplicate row) as CSV.

        Examples
        --------
        >>> import tempfile
        >>> sim = survey("dis-screener", n=100, seed=1, rates={"duplicate": 0.5})
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     pd.read_csv(sim.write_artefacts(Path(tmp) / "a.csv")).columns.tolist()[:3]
        ['row', 'respondent_id', 'column']
        """
        from toolkit.simulate.export import write_csv

        return write_csv(self.artefacts, path)


def _rates(clean: bool, rates: dict | None, instrument) -> dict[str, float]:
    out = dict(messiness.RATES)
    for rs in instrument.response_sets.values():  # kinds of missing code only some instruments have
        for kind in rs.missing_codes.values():
            out.setdefault(kind, generic.EXTRA_MISSING_RATE)
    if clean:
        return {k: 0.0 for k in out}
    for key, value in (rates or {}).items():
        check_option(key, "messiness rate", out)
        if not 0 <= float(value) <= 1:
            raise DesignError(f"rate {key!r} must be between 0 and 1, got {value!r}")
        out[key] = float(value)
    return out


def _district_codes(instrument) -> tuple[list[int], list[str]]:
    """Codes and labels of the districts: the ``district`` item's answers, else the default municipality's."""
    name = instrument.item("district").response_set if "district" in instrument.item_ids else "district"
    rs = instrument.response_sets.get(name) if name else None
    if rs is not None:
        return [c.code for c in rs.codes], [c.label[instrument.languages[0]] for c in rs.codes]
    names = population.DEFAULT_DISTRICTS
    return list(range(1, len(names) + 1)), list(names)


def _residents(table: pd.DataFrame, codes: list[int]) -> dict[str, np.ndarray]:
    """One entry per resident, in cell order."""
    cell = np.repeat(np.arange(len(table)), table["count"].to_numpy())
    edu3 = np.zeros(7, dtype=np.int8)
    for level, group in enumerate(population.EDUCATION_CODES):
        edu3[list(group)] = level
    lang_w = np.array([0.0, 0.0, 0.5, 1.0])
    district = table["district"].to_numpy()[cell]
    return {
        "district": district,
        "district_idx": np.searchsorted(np.asarray(codes), district),
        "age_band": pd.Categorical(table["age_band"], categories=AGE_BANDS).codes.astype(np.int8)[cell],
        "gender": table["gender"].to_numpy()[cell],
        "education": table["education"].to_numpy()[cell],
        "home_lang": table["home_lang"].to_numpy()[cell],
        "edu3": edu3[table["education"].to_numpy()][cell],
        "lang_w": lang_w[table["home_lang"].to_numpy()][cell],
    }


@renamed_keywords(inst="instrument")
def survey(instrument, *, n: int = 2000, seed: int = 1, clean: bool = False, rates: dict | None = None,
           modes: bool = True, dif_items: dict | None = None, nonresponse: bool = True,
           population_size: int | None = None) -> Simulation:
    """Simulate a survey of ``n`` respondents with known truth.

    Parameters
    ----------
    instrument : Instrument, str or path
        The questionnaire: an Instrument, a bundled id or a YAML path. Any
        valid instrument simulates: scales the detailed model does not know
        follow a latent of their own, items their own response sets and
        missing codes, and the skip rules hold (:mod:`toolkit.simulate.generic`).
        An item named like a metadata column (``respondent_id``, ``stratum``,
        ``design_weight``, ``duration_sec``) is refused with a DesignError.
    n : int
        Respondents (before duplicate submissions are added).
    seed : int
        Same seed, same respondents, same files.
    clean : bool
        True: no corruption at all (``responses`` equals ``clean_responses``).
    rates : dict, optional
        Override messiness rates (keys of ``messiness.RATES``).
    modes : bool
        Mixed mode: paper for many older people, paper/telephone for everyone
        offline. False: everyone answers on the web.
    dif_items : dict, optional
        Plant differential item functioning, e.g.
        ``{"navi_k2": {"group": "age_band", "level": "75+", "shift": 1.0}}``:
        the item is 1 logit harder for the 75+ at the same latent.
    nonresponse : bool
        False: everyone sampled responds (with ``n`` equal to the population
        size this is a census).
    population_size : int, optional
        Residents aged 18+; default 60,000, or more when ``n`` needs it.

    Returns
    -------
    Simulation
        ``truth`` holds: ``instrument`` and ``instrument_version``,
        ``prevalence`` (outcome -> {"overall", district code
        as str -> share}), ``prevalence_by_age_band``, ``latent_mean``
        (domain -> {...}), ``scale_mean`` (scale -> {...}), ``districts``
        (code -> label), ``item_parameters``, ``models`` (coefficients of
        every model), ``design`` (allocation and response), ``rates``.

    Examples
    --------
    >>> import toolkit
    >>> sim = toolkit.simulate.survey("dis-screener", n=200, seed=3)
    >>> len(sim.clean_responses), sim.responses.columns[:4].tolist()
    (200, ['respondent_id', 'district', 'stratum', 'design_weight'])
    >>> round(sim.truth["prevalence"]["exempt"]["overall"], 2)
    0.06
    """
    instrument = as_instrument(instrument)
    if not isinstance(n, int | np.integer) or n < 1:
        raise DesignError(f"n must be a positive whole number, got {n!r}")
    generic.check_simulable(instrument)
    used_rates = _rates(clean, rates, instrument)
    _check_dif(dif_items, instrument)
    codes, labels = _district_codes(instrument)
    if population_size is None:
        shares = population.fine_shares(len(codes)).sum(axis=(1, 2, 3, 4))
        rr = _district_response(codes) if nonresponse else np.ones(len(codes))
        population_size = max(population.DEFAULT_SIZE, design.needed_population(n, shares, rr))
    table = population.population_table(int(population_size), codes)
    res = _residents(table, codes)
    frame = {"district": res["district_idx"], "age_band": res["age_band"], "edu3": res["edu3"],
             "lang_w": res["lang_w"]}
    sample = design.draw_sample(frame, int(n), np.random.default_rng([seed, 1]), nonresponse=nonresponse)
    chosen = np.sort(sample["index"])
    params = items.item_parameters(instrument)
    rows, truth_parts = _generate(instrument, res, chosen, params, seed, dif_items)
    clean_df, fieldwork = _respondents(instrument, rows, res, chosen, sample, seed, modes, codes)
    truth = _truth(instrument, truth_parts, res, codes, labels, params, sample, used_rates, seed, n, dif_items)
    if clean:
        messy, artefacts = clean_df, pd.DataFrame(columns=["row", "respondent_id", "column", "kind", "clean",
                                                           "messy"])
    else:
        comment = "comment" if "comment" in instrument.item_ids else None
        messy, artefacts = messiness.corrupt(instrument, clean_df, used_rates, np.random.default_rng([seed, 5]),
                                             comment_col=comment)
    return Simulation(instrument, seed, messy, clean_df, artefacts, table, truth, used_rates, fieldwork)


def _check_dif(dif: dict | None, instrument) -> None:
    for item_id, spec in (dif or {}).items():
        if item_id not in instrument.item_ids:  # a typo would otherwise plant nothing, silently
            raise DesignError(f"dif_items: instrument {instrument.id!r} has no item {item_id!r}")
        missing = {"group", "level", "shift"} - set(spec)
        if missing:
            raise DesignError(f"dif_items[{item_id!r}] needs {', '.join(sorted(missing))}")
        check_option(spec["group"], f"dif_items[{item_id!r}] group", DIF_GROUPS)
        if spec["group"] == "age_band":
            check_option(spec["level"], f"dif_items[{item_id!r}] level", AGE_BANDS)


def _district_response(codes) -> np.ndarray:
    """Expected response rate per district (from the cell structure)."""
    table = population.population_table(population.DEFAULT_SIZE, codes)
    res = _residents(table, codes)
    p = design.response_propensity(res["age_band"], res["edu3"], res["lang_w"])
    return np.bincount(res["district_idx"], weights=p) / np.bincount(res["district_idx"])


def _generate(instrument, res, chosen, params, seed, dif):
    """Answers of every resident, chunk by chunk: respondents' rows and truth sums.

    Each chunk has its own random stream (seeded by its index), so results do
    not depend on how chunks are scheduled; large populations use two
    processes (fork, Linux) when the machine has them.
    """
    global _WORK
    total = res["district"].shape[0]
    starts = list(range(0, total, CHUNK))
    _WORK = (instrument, res, chosen, params, seed, dif)
    try:
        if len(starts) > 2 and (os.cpu_count() or 1) > 1 and "fork" in mp.get_all_start_methods():
            with ProcessPoolExecutor(2, mp_context=mp.get_context("fork")) as pool:
                done = list(pool.map(_chunk, enumerate(starts)))
        else:
            done = [_chunk(job) for job in enumerate(starts)]
    finally:
        _WORK = None
    parts = [d[1] for d in done]
    rows = {}
    for k in list(done[0][0]):  # column by column, freeing the pieces as we go
        rows[k] = np.concatenate([d[0].pop(k) for d in done])
    return pd.DataFrame({k: pd.Series(v, dtype=object, copy=False) if v.dtype == object else v
                         for k, v in rows.items()}, copy=False), parts


_WORK = None  # the arguments of _chunk, inherited by forked workers instead of pickled


def _chunk(job):
    c, start = job
    instrument, res, chosen, params, seed, dif = _WORK
    stop = min(start + CHUNK, res["district"].shape[0])
    n_d = int(res["district_idx"].max()) + 1
    cells = {k: v[start:stop] for k, v in res.items()}
    folk = people.draw_people(cells, np.random.default_rng([seed, 2, c]))
    folk.update(generic.draw_latents(instrument, folk, np.random.default_rng([seed, 7, c])))
    data = items.generate(instrument, folk, params, np.random.default_rng([seed, 3, c]), dif=dif)
    scores = items.score(instrument, data)
    outs = evaluate_outcomes(data, scores, instrument)
    group = np.concatenate([cells["district_idx"], n_d + cells["age_band"].astype(np.int64)])
    sums = {"n": _bincount2(group, np.ones(stop - start), n_d)}
    for oid in instrument.outcomes:
        sums[f"o:{oid}"] = _bincount2(group, outs[oid].to_numpy(dtype=float), n_d)
    for k, dom in enumerate(people.DOMAINS):
        sums[f"t:{dom}"] = _bincount2(group, folk["theta"][:, k], n_d)
    for name in generic.latent_names(instrument):
        sums[f"t:{name}"] = _bincount2(group, folk[f"latent:{name}"], n_d)
    for sid in instrument.scales:
        x = scores[sid].to_numpy(dtype=float)
        ok = ~np.isnan(x)
        sums[f"s:{sid}"] = _bincount2(group, np.where(ok, x, 0.0), n_d)
        sums[f"c:{sid}"] = _bincount2(group, ok.astype(float), n_d)
    local = chosen[(chosen >= start) & (chosen < stop)] - start
    sub = {k: v[local] for k, v in data.items()}
    for name in ("online", "age_band", "edu3"):
        sub[f"_{name}"] = folk[name][local]
    return sub, sums


def _bincount2(group, weights, n_d):
    """Sums by district (first n_d) and by age band (next 5), of persons listed twice."""
    w = np.concatenate([weights, weights])
    return np.bincount(group, weights=w, minlength=n_d + len(AGE_BANDS))


def _respondents(instrument, rows, res, chosen, sample, seed, modes, codes):
    """The clean respondents' file in submission order, and the fieldwork times."""
    rng = np.random.default_rng([seed, 4])
    online = rows.pop("_online").to_numpy(dtype=bool)
    age = rows.pop("_age_band").to_numpy(dtype=np.int64)
    edu3 = rows.pop("_edu3").to_numpy(dtype=np.int64)
    fw = design.draw_mode_and_time(age, edu3, online, rng, modes=modes)
    if "comment" in rows:
        rows["comment"] = pd.Series(messiness.comments(len(rows), rng), dtype=object)
    if "mode" in rows:
        rows["mode"] = fw["mode"]
    weight = pd.Series(sample["design_weight"], index=sample["index"]).loc[chosen].to_numpy()
    district = res["district"][chosen].astype(float)
    order = np.lexsort((np.arange(len(rows)), fw["offset_sec"]))
    width = max(5, len(str(len(rows))))
    meta = pd.DataFrame({
        "respondent_id": pd.Series([f"R{i:0{width}d}" for i in range(1, len(rows) + 1)], dtype="str"),
        "district": district[order],
        "stratum": district[order].astype(np.int64),
        "design_weight": np.round(weight[order], 6),
        "mode": fw["mode"][order],
        "duration_sec": fw["duration_sec"][order],
    })
    body = rows.iloc[order].reset_index(drop=True).drop(columns=[c for c in ("district", "mode") if c in rows])
    clean_df = pd.concat([meta, body], axis=1)
    submitted = FIELDWORK_START + pd.to_timedelta(fw["offset_sec"][order], unit="s")
    return clean_df, pd.DataFrame({"respondent_id": meta["respondent_id"], "submitted": submitted})


def _r(x: float) -> float:
    return round(float(x), 6)


def _truth(instrument, parts, res, codes, labels, params, sample, rates, seed, n, dif) -> dict:
    tot = {k: sum(p[k] for p in parts) for k in parts[0]}
    n_d = len(codes)
    count = tot["n"]
    keys = [str(c) for c in codes]

    def by(key, denom):
        d = {"overall": _r(tot[key][:n_d].sum() / denom[:n_d].sum())}
        d.update({k: _r(tot[key][i] / denom[i]) for i, k in enumerate(keys)})
        return d

    def by_age(key):
        return {band: _r(tot[key][n_d + j] / count[n_d + j]) for j, band in enumerate(AGE_BANDS)}

    return {
        "definition": ("Finite-population truth: every resident of the generated municipality answers every "
                       "item without error; scales and outcome rules of the instrument are applied; shares "
                       "and means are over all residents (aged 18+) of each district and overall."),
        "instrument": instrument.id,
        "instrument_version": instrument.version,
        "seed": int(seed),
        "n": int(n),
        "population_size": int(count[:n_d].sum()),
        "districts": dict(zip(keys, labels, strict=True)),
        "prevalence": {oid: by(f"o:{oid}", count) for oid in instrument.outcomes},
        "prevalence_by_age_band": {oid: by_age(f"o:{oid}") for oid in instrument.outcomes},
        "latent_mean": {dom: by(f"t:{dom}", count) for dom in (*people.DOMAINS, *generic.latent_names(instrument))},
        "scale_mean": {sid: by(f"s:{sid}", tot[f"c:{sid}"]) for sid in instrument.scales},
        "item_parameters": params,
        "models": {
            "latent": people.LATENT_MODEL,
            "health_by_age_band": people.HEALTH_BY_AGE,
            "states": people.STATE_MODELS,
            "drivers": people.DRIVER_MODELS,
            "overstatement": items.OVERSTATEMENT,
            "response": design.RESPONSE_MODEL,
            "paper_mode": design.PAPER_MODEL,
            "dif": dif or {},
            **({"scale_latents": generic.model_summary(instrument)} if generic.latent_names(instrument) else {}),
            "background_tables": {"employment": background.EMPLOYMENT.tolist(),
                                  "household": background.HOUSEHOLD.tolist(),
                                  "help_who": background.HELPERS.tolist()},
        },
        "design": {
            "strata": keys,
            "population": dict(zip(keys, sample["district_size"].tolist(), strict=True)),
            "released": dict(zip(keys, sample["released"].tolist(), strict=True)),
            "respondents": dict(zip(keys, sample["respondents"].tolist(), strict=True)),
        },
        "rates": rates,
    }


# old name -> (new home, attribute): they work, with a FutureWarning, for one release
_MOVED = {"age_band": ("toolkit.instrument.derived", "age_band")}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        module_name, attr = _MOVED[name]
        warnings.warn(f"toolkit.simulate.{name} is now {module_name}.{attr} (analysis does not need the "
                      "simulator); the old name goes in the next release", FutureWarning, stacklevel=2)
        return getattr(importlib.import_module(module_name), attr)
    raise AttributeError(f"module 'toolkit.simulate' has no attribute {name!r}")


__all__ = ["survey", "Simulation", "AGE_BANDS", "METADATA", "DIF_GROUPS"]
