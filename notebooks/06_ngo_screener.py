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
# # 6. The NGO screener: triage for the person in front of you
#
# **What you will learn**
#
# * how the 15-question screener turns one person's answers into one support
#   recommendation (an offline alternative, assisted digital, training in a
#   named domain, occasional advice, or none needed), with the reasons;
# * how to print a short summary for the person, in Danish or English;
# * how well the short screener agrees with the full questionnaire.
#
# Triage is person-level output, so it is only for the person being helped, with
# their consent, and it is never linked to other records. The rules are plain
# YAML (`toolkit/risk/data/triage.yaml`, documented in `toolkit/risk/TRIAGE.md`);
# an NGO can adapt them without writing code.

# %%
import matplotlib

matplotlib.use("Agg")  # the notebooks also run headless in the test suite

import matplotlib.pyplot as plt
import toolkit
from toolkit import datasets, plots, risk

screener = toolkit.load_instrument("dis-screener")
raw = toolkit.read_responses(datasets.path("sample_screener.csv"), screener)
cleaned = toolkit.clean(raw, screener, pseudonym_key="notebook-demo-key")
scores = toolkit.score(cleaned.data, screener)

# %% [markdown]
# ## One recommendation per person
#
# Every respondent gets exactly one category, in priority order, and the
# reasons that led to it. Missing answers make a rule undecided rather than
# false: someone who skipped too much is asked in person instead of being
# called independent.

# %%
tri = risk.triage(cleaned.data, scores, screener)
print(f"{len(tri)} respondents, {tri['category'].notna().sum()} with a category")
tri["category"].value_counts().reindex(tri["category"].cat.categories).rename("respondents").to_frame()

# %%
tri[["category", "domain", "reasons"]].head(8)

# %%
fig = plots.triage_distribution(plots.data.triage_shares(tri), lang="en")  # unweighted: these are the people seen
plt.show()

# %% [markdown]
# ## A printable page for the person
#
# The summary speaks to the respondent, in their language, and names them only
# if the helper types a name in.

# %%
first_training = tri.index[tri["category"] == "skills_training"][0]
print(risk.triage_summary(tri.loc[first_training], screener, lang="da"))

# %%
print(risk.triage_summary(tri.loc[first_training], screener, lang="en"))

# %% [markdown]
# ## Does the screener agree with the full questionnaire?
#
# The screener's questions are a subset of the full survey's, with the same
# wording and codes. So the screener's triage can be applied to respondents of
# the full survey and compared with the full triage, design-based. Sensitivity
# is the share of those whom the full questionnaire sends to real support
# (an offline alternative, assisted digital or training) that the screener
# also sends there; specificity is the same for those it does not.

# %%
full = toolkit.load_instrument("dis-full")
raw_full = toolkit.read_responses(datasets.path("sample_survey.csv"), full)
data_full = toolkit.clean(raw_full, full, pseudonym_key="notebook-demo-key").data
check = risk.validate_screener(data_full, toolkit.score(data_full, full), full, screener)
check.summary()

# %% [markdown]
# The screener finds most people who need real support and rarely sends someone
# who does not; it agrees on the exact category less often, mainly because the
# full questionnaire sees signs of needing occasional advice (missed digital
# post, not finishing tasks alone) that five minutes of questions do not ask
# about. For an NGO that is the right way round: the screener is a door-opener,
# and the conversation that follows does the rest.
