"""Simulations and custom instruments shared by the simulator's test files (simulations made once per session)."""

from __future__ import annotations

import pytest

import toolkit

INST = toolkit.load_instrument("dis-full")


@pytest.fixture(scope="session")
def messy():
    return toolkit.simulate.survey(INST, n=3000, seed=11)


@pytest.fixture(scope="session")
def large_clean():
    return toolkit.simulate.survey(INST, n=20000, seed=5, clean=True)


# A custom instrument the bundled model knows nothing about: a domain of its own ("attitudes", which
# ended in KeyError: 'attitudes'), a 0-10 scale, a knowledge item, routing, an item that shares an id
# with dis-full but not its codes, numeric, select-multiple and text items.
CUSTOM = """
id: custom
version: "1"
languages: [en, da]
title: {en: Custom, da: Egen}
missing_codes:
  - {code: 66, kind: dont_understand, en: "?", da: "?"}
  - {code: 88, kind: dont_know, en: "Don't know", da: "Ved ikke"}
  - {code: 99, kind: refused, en: "Refused", da: "Vil ikke svare"}
domains:
  attitudes: {label: {en: Attitudes, da: Holdninger}, description: {en: A, da: H}}
  civics: {label: {en: Civics, da: Samfund}, description: {en: C, da: S}}
response_sets:
  zero_ten: [{code: 0, en: "0", da: "0"}, {code: 1, en: "1", da: "1"}, {code: 2, en: "2", da: "2"},
             {code: 3, en: "3", da: "3"}, {code: 4, en: "4", da: "4"}, {code: 5, en: "5", da: "5"},
             {code: 6, en: "6", da: "6"}, {code: 7, en: "7", da: "7"}, {code: 8, en: "8", da: "8"},
             {code: 9, en: "9", da: "9"}, {code: 10, en: "10", da: "10"}]
  yes_no: [{code: 1, en: "Yes", da: "Ja"}, {code: 2, en: "No", da: "Nej"}]
  gender4: [{code: 1, en: "Woman", da: "Kvinde"}, {code: 2, en: "Man", da: "Mand"}, {code: 3, en: "Other", da: "Andet"},
            {code: 4, en: "Self-described", da: "Beskriver selv"}]
  capital: [{code: 1, en: "Oslo", da: "Oslo"}, {code: 2, en: "Bergen", da: "Bergen"},
            {code: 3, en: "Tromsø", da: "Tromsø"}]
  media: [{code: 1, en: "TV", da: "TV"}, {code: 2, en: "Radio", da: "Radio"}, {code: 3, en: "Web", da: "Net"},
          {code: 4, en: "None of these", da: "Ingen af dem"}]
sections:
  - id: opinions
    label: {en: Opinions, da: Holdninger}
    items:
      - {id: att_1, type: likert, domain: attitudes, response_set: zero_ten, text: {en: A1, da: A1}}
      - {id: att_2, type: likert, domain: attitudes, response_set: zero_ten, text: {en: A2, da: A2}}
      - {id: att_3, type: likert, domain: attitudes, response_set: zero_ten, reverse: true, text: {en: A3, da: A3}}
      - {id: civ_k1, type: knowledge, domain: civics, response_set: capital, correct: 1, text: {en: K, da: K}}
      - {id: voted, type: single, response_set: yes_no, text: {en: Voted, da: Stemte}}
      - {id: voted_why, type: likert, response_set: zero_ten, relevant: voted == 1, text: {en: W, da: H}}
  - id: about
    label: {en: About you, da: Om dig}
    items:
      - {id: gender, type: single, response_set: gender4, text: {en: Gender, da: Køn}}
      - {id: children, type: numeric, min: 0, max: 12, text: {en: Children, da: Børn}}
      - {id: media, type: multiple, response_set: media, exclusive: [4], text: {en: Media, da: Medier}}
      - {id: remarks, type: text, text: {en: Remarks, da: Bemærkninger}}
scales:
  attitudes_sr:
    domain: attitudes
    kind: self_report
    method: mean
    items: [att_1, att_2, att_3]
    min_valid: 2
    levels: {basic: 2.5, above_basic: 4}
    label: {en: Attitudes, da: Holdninger}
  civics_kn:
    domain: civics
    kind: knowledge
    method: sum_correct
    items: [civ_k1]
    min_valid: 1
    levels: {basic: 1}
    label: {en: Civics, da: Samfund}
outcomes:
  offline: {label: {en: x, da: x}, rule: voted == 2}
  exempt: {label: {en: x, da: x}, rule: voted == 2}
  needs_help: {label: {en: x, da: x}, rule: voted == 2}
  low_attitudes: {label: {en: x, da: x}, rule: attitudes_sr_level == 'low'}
  low_civics: {label: {en: x, da: x}, rule: civics_kn_level == 'low'}
"""

TINY = """
id: tiny
version: "1"
languages: [en, da]
title: {en: T, da: T}
missing_codes:
  - {code: 66, kind: dont_understand, en: "?", da: "?"}
  - {code: 88, kind: dont_know, en: "Don't know", da: "Ved ikke"}
  - {code: 99, kind: refused, en: "Refused", da: "Vil ikke svare"}
domains: {}
response_sets:
  only: [{code: 1, en: "Only", da: "Kun"}]
  area: [{code: 10, en: "North", da: "Nord"}, {code: 20, en: "South", da: "Syd"}]
sections:
  - id: s
    label: {en: S, da: S}
    items:
      - {id: district, type: single, response_set: area, text: {en: Area, da: Område}}
      - {id: kids, type: numeric, text: {en: Kids, da: Børn}}
      - {id: agree, type: single, response_set: only, text: {en: Agree, da: Enig}}
      - {id: note, type: text, text: {en: Note, da: Note}}
scales: {}
outcomes:
  offline: {label: {en: x, da: x}, rule: agree == 1}
  exempt: {label: {en: x, da: x}, rule: agree == 1}
  needs_help: {label: {en: x, da: x}, rule: agree == 1}
"""
