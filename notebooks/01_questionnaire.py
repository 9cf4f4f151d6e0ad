# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1. The questionnaire: one definition, many forms
#
# **What you will learn**
#
# * how a questionnaire is defined once, in YAML, and what it contains: items,
#   response sets with missing codes, the four competence domains, scales and
#   outcome rules;
# * how the same definition becomes a KoboToolbox/ODK XLSForm, a printable paper
#   form and a codebook, in Danish and English;
# * how the skip rules of the web form read as plain words on paper.
#
# Everything here runs on the two bundled instruments: `dis-full`, the municipal
# citizen survey, and `dis-screener`, the short form NGOs use for triage.

# %%
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # the notebooks also run headless in the test suite

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

import toolkit
from toolkit import forms

sns.set_theme(style="whitegrid", palette="colorblind")

# %% [markdown]
# ## The instrument and its codebook
#
# `load_instrument` validates the YAML on load: a broken file raises one error
# that lists every problem with its file, item and field. The codebook has one
# row per variable.

# %%
inst = toolkit.load_instrument("dis-full")
screener = toolkit.load_instrument("dis-screener")
print(inst)
print(screener)
codebook = inst.codebook()
codebook[["variable", "section", "domain", "type", "reverse", "scale", "label_en"]].head(12)

# %% [markdown]
# The questionnaire moves from access and use, through Digital Post, to the
# competence items, knowledge questions, help-seeking, attitudes and
# background. The four competence domains each have self-report items
# (a 5-point scale, some reverse-keyed) and knowledge items with a keyed
# correct answer. Knowledge items exist because self-report overstates skill,
# most among the more educated.

# %%
sections = codebook.pivot_table(index="section", columns="type", values="variable", aggfunc="count",
                                fill_value=0)
sections.loc[[s.id for s in inst.sections]]

# %%
domains = codebook[codebook["domain"].notna()]
counts = domains.groupby(["domain", "type"]).size().rename("items").reset_index()
fig, ax = plt.subplots(figsize=(7, 3))
sns.barplot(data=counts, y="domain", x="items", hue="type", ax=ax)
ax.set(xlabel="number of items", ylabel="", title="Items per competence domain")
plt.show()

# %% [markdown]
# Every response set carries the same missing codes: 66 "don't understand the
# question", 88 "don't know" and 99 "prefer not to say". Keeping them apart
# matters: on a knowledge item "don't know" is an answer (not correct), while a
# refusal is missing.

# %%
pd.DataFrame([{"code": c.code, "kind": c.kind, "en": c.label["en"], "da": c.label["da"]} for c in inst.missing])

# %% [markdown]
# ## Scales and outcomes
#
# Scales say which items are scored together, how, and from which score a
# respondent counts as `low`, `basic` or `above_basic`. Outcomes are rules over
# answers and scale levels, in a small rule language; the same rules drive the
# estimates, the simulator's truth and the report.

# %%
pd.DataFrame([{"scale": s.id, "domain": s.domain, "kind": s.kind, "items": len(s.items), "min_valid": s.min_valid,
               "levels": dict(s.levels)} for s in inst.scales.values()])

# %%
pd.DataFrame([{"outcome": o.id, "rule": o.rule, "label": o.label["en"]} for o in inst.outcomes.values()])

# %% [markdown]
# ## Building the forms
#
# `forms.build` writes every format for one or more instruments, all or
# nothing. The XLSForm converts with pyxform without warnings, so it can be
# uploaded to KoboToolbox or ODK Central as it is.

# %%
out = Path(tempfile.mkdtemp())
paths = forms.build(["dis-full", "dis-screener"], formats="all", out=out)
pd.DataFrame({"file": [p.name for p in paths], "kB": [round(p.stat().st_size / 1024, 1) for p in paths]})

# %% [markdown]
# The XLSForm's survey sheet holds the skip rules as ODK `relevant`
# expressions; the paper form says the same in words, in each language.

# %%
sheets = forms.xlsform_sheets(inst)
sheets["survey"][["type", "name", "relevant"]].dropna(subset=["relevant"]).head(6)

# %%
rule = inst.item("mobile_data").rule
print("ODK:    ", rule.xlsform())
print("English:", rule.words(lang="en"))
print("Danish: ", rule.words(lang="da"))

# %% [markdown]
# ## The screener is a subset
#
# The NGO screener reuses items of the full survey with the same ids, codes
# and wording, so its answers can be compared with the full questionnaire
# (notebook 6 validates the screener's triage that way).

# %%
shared = [i for i in screener.item_ids if i in inst.item_ids]
print(f"{len(shared)} of the screener's {len(screener.item_ids)} items are in dis-full with the same id")
same_wording = all(screener.item(i).text == inst.item(i).text for i in shared)
print("same wording in both languages:", same_wording)
