"""The simulator on any instrument: latents for scales it has no model for, and what it refuses.

The detailed models of :mod:`toolkit.simulate.people`, :mod:`.items` and
:mod:`.background` describe the bundled instruments: four competence domains
(``people.DOMAINS``) and the access, help and background items of
``dis-full``. Any other valid instrument is simulated generically:

* **One latent per scale.** Every domain that is not one of ``people.DOMAINS``
  gets a latent, and so does every scale without a domain (keyed by the scale
  id). The latent is ``LATENT_MODEL["g"] * g + LATENT_MODEL["noise_sd"] * z``
  with ``g`` the person's mean competence latent (so it still varies with age,
  education and language, and two such latents correlate) and ``z`` standard
  normal. Its items follow the graded-response model on it (knowledge items
  the 2PL model), as the competence items do on theirs, without the
  self-report overstatement (a property of self-rated digital skills).
* **Other items** (no scale, no domain) are graded-response items on ``g``,
  select-multiple and numeric items as in :mod:`.items`. An item keeps a
  detailed model of :data:`toolkit.simulate.background.ITEM_MODELS` only when
  it is the ``dis-full`` item of that id: same type and same codes
  (:func:`known_model`); an item that merely shares an id (``gender`` with
  other codes) is simulated generically.
* **Missing codes** come from the item's response set, so an instrument's own
  codes and kinds (ESS: 77 refused, 88 don't know, 99 no answer) are what the
  messy export holds; kinds without a rate in ``messiness.RATES`` (no answer,
  not applicable) are drawn at ``EXTRA_MISSING_RATE``.
* **Routing** (skip rules) and the metadata columns are those of every
  simulation.

Truth for such an instrument holds the latents' means (``latent_mean``) and
``models["scale_latents"]``; the bundled instruments' files do not change.

Examples
--------
>>> from toolkit.instrument import load_instrument
>>> latent_names(load_instrument("dis-full"))
[]
"""

from __future__ import annotations

import functools

import numpy as np

from toolkit.errors import DesignError
from toolkit.simulate.background import ITEM_MODELS
from toolkit.simulate.people import DOMAINS

#: The latent of a scale the detailed model does not know: loading on g, and the SD of its own part.
LATENT_MODEL = {"g": 0.5, "noise_sd": 0.85}
#: Rate of a missing-code kind that ``messiness.RATES`` has no rate for (no answer, not applicable).
EXTRA_MISSING_RATE = 0.005
#: Columns every simulation writes itself: an item cannot have one of these names.
RESERVED_COLUMNS = ("respondent_id", "stratum", "design_weight", "duration_sec")
_PREFIX = "latent:"


def latent_names(instrument) -> list[str]:
    """The latents a generic simulation of ``instrument`` adds, in questionnaire order.

    Each custom domain (not one of ``people.DOMAINS``) and each scale without
    a domain has one. Empty for the bundled instruments.

    Parameters
    ----------
    instrument : Instrument

    Returns
    -------
    list of str
        Domain ids and (for scales without a domain) scale ids.

    Examples
    --------
    >>> from toolkit.instrument import parse_instrument
    >>> latent_names(parse_instrument(_EXAMPLE))
    ['trust']
    """
    names = [d for d in instrument.domains if d not in DOMAINS]
    names += [sid for sid, sc in instrument.scales.items() if not getattr(sc, "domain", None)]
    return names


def driver_of(item, instrument) -> str | None:
    """The key of the latent an item's answers follow: ``"latent:<name>"``, a domain, or None (use ``g``).

    Examples
    --------
    >>> from toolkit.instrument import parse_instrument
    >>> inst = parse_instrument(_EXAMPLE)
    >>> driver_of(inst.item("trust_police"), inst), driver_of(inst.item("voted"), inst)
    ('latent:trust', None)
    """
    if item.domain:
        return item.domain if item.domain in DOMAINS else _PREFIX + item.domain
    scale = getattr(item, "scale", None)
    if scale and scale in instrument.scales and not getattr(instrument.scales[scale], "domain", None):
        return _PREFIX + scale
    return None


def draw_latents(instrument, people: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The latents of :func:`latent_names` for these people, as ``{"latent:<name>": array}``.

    Nothing is drawn (and ``rng`` is untouched) when the instrument needs none.

    Parameters
    ----------
    instrument : Instrument
    people : dict of arrays
        From :func:`toolkit.simulate.people.draw_people` (``theta`` is used).
    rng : np.random.Generator

    Returns
    -------
    dict of str -> np.ndarray

    Examples
    --------
    >>> from toolkit.instrument import parse_instrument
    >>> folk = {"theta": np.zeros((4, 4))}
    >>> sorted(draw_latents(parse_instrument(_EXAMPLE), folk, np.random.default_rng(0)))
    ['latent:trust']
    """
    names = latent_names(instrument)
    if not names:
        return {}
    g = people["theta"].mean(axis=1)
    noise = rng.standard_normal((g.shape[0], len(names)))
    return {_PREFIX + name: LATENT_MODEL["g"] * g + LATENT_MODEL["noise_sd"] * noise[:, k]
            for k, name in enumerate(names)}


@functools.cache
def _reference():
    from toolkit.instrument import load_instrument

    return load_instrument("dis-full")


def known_model(item, response_set) -> dict | None:
    """The detailed model of ``item`` from ``ITEM_MODELS``, if it is the ``dis-full`` item of that id.

    Same id, same type and the same substantive codes; otherwise None (the
    item is simulated generically).

    Parameters
    ----------
    item : Item
    response_set : ResponseSet or None
        The item's response set.

    Returns
    -------
    dict or None

    Examples
    --------
    >>> from toolkit.instrument import load_instrument, parse_instrument
    >>> full = load_instrument("dis-full")
    >>> known_model(full.item("gender"), full.response_set_of("gender"))["kind"]
    'demographic'
    >>> known_model(parse_instrument(_EXAMPLE).item("voted"), None) is None
    True
    """
    spec = ITEM_MODELS.get(item.id)
    if spec is None:
        return None
    ref = _reference()
    if item.id not in ref.item_ids or ref.item(item.id).type != item.type:
        return None
    ref_rs = ref.response_set_of(item.id)
    ref_codes = ref_rs.valid_codes if ref_rs is not None else set()
    codes = response_set.valid_codes if response_set is not None else set()
    return dict(spec) if codes == ref_codes else None


def check_simulable(instrument) -> None:
    """Refuse, in one line, an instrument the simulator cannot write a file for.

    Raises
    ------
    DesignError
        An item has the name of a column every simulation writes
        (:data:`RESERVED_COLUMNS`).

    Examples
    --------
    >>> from toolkit.instrument import load_instrument
    >>> check_simulable(load_instrument("dis-screener")) is None
    True
    """
    clash = [i for i in instrument.item_ids if i in RESERVED_COLUMNS]
    if clash:
        raise DesignError(
            f"cannot simulate instrument {instrument.id!r}: item(s) {', '.join(clash)} have the name of a column "
            f"the simulator writes itself ({', '.join(RESERVED_COLUMNS)}); rename them in the instrument")


def model_summary(instrument) -> dict:
    """What truth.json records about the generic latents: ``{}`` when there are none.

    Examples
    --------
    >>> from toolkit.instrument import parse_instrument
    >>> model_summary(parse_instrument(_EXAMPLE))["latents"]
    ['trust']
    """
    names = latent_names(instrument)
    return {"latents": names, **LATENT_MODEL} if names else {}


# A small custom instrument (a 0-10 scale on a custom domain) for the examples above.
_EXAMPLE = """
id: example
version: "1"
languages: [en, da]
title: {en: Trust, da: Tillid}
missing_codes:
  - {code: 66, kind: dont_understand, en: "?", da: "?"}
  - {code: 88, kind: dont_know, en: "Don't know", da: "Ved ikke"}
  - {code: 99, kind: refused, en: "Refused", da: "Nægter"}
domains:
  trust: {label: {en: Trust, da: Tillid}, description: {en: Trust, da: Tillid}}
response_sets:
  zero_ten: [{code: 0, en: "0", da: "0"}, {code: 5, en: "5", da: "5"}, {code: 10, en: "10", da: "10"}]
  yes_no: [{code: 1, en: "Yes", da: "Ja"}, {code: 2, en: "No", da: "Nej"}]
sections:
  - id: s
    label: {en: S, da: S}
    items:
      - {id: trust_police, type: likert, domain: trust, response_set: zero_ten, text: {en: Police, da: Politi}}
      - {id: trust_courts, type: likert, domain: trust, response_set: zero_ten, text: {en: Courts, da: Domstole}}
      - {id: voted, type: single, response_set: yes_no, text: {en: Voted, da: Stemte}}
scales:
  trust_sr:
    domain: trust
    kind: self_report
    method: mean
    items: [trust_police, trust_courts]
    min_valid: 1
    levels: {basic: 2.5, above_basic: 4}
    label: {en: Trust, da: Tillid}
outcomes:
  offline: {label: {en: x, da: x}, rule: voted == 2}
  exempt: {label: {en: x, da: x}, rule: voted == 2}
  needs_help: {label: {en: x, da: x}, rule: voted == 2}
  low_trust: {label: {en: x, da: x}, rule: trust_sr_level == 'low'}
"""

__all__ = ["LATENT_MODEL", "EXTRA_MISSING_RATE", "RESERVED_COLUMNS", "latent_names", "driver_of", "draw_latents",
           "known_model", "check_simulable", "model_summary"]
