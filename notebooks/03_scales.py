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
# # 3. Scales: scores, reliability, item analysis, DIF and the confidence gap
#
# **What you will learn**
#
# * how self-report and knowledge scales are scored, and how a respondent's
#   level (`low`, `basic`, `above_basic`) follows from the instrument's cut-offs;
# * how reliable each scale is (Cronbach's alpha with its interval, McDonald's
#   omega) and which items pull their weight (item-rest correlations);
# * how to check that a knowledge item is fair across groups (Mantel–Haenszel
#   DIF), and where confidence and performance part ways.
#
# The numbers agree with R's `psych` (`alpha`, `omega`, `scoreItems`) and
# `mantelhaen.test`; the test suite checks them against committed R output.

# %%
import matplotlib

matplotlib.use("Agg")  # the notebooks also run headless in the test suite

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

import toolkit
from toolkit import datasets, scales
from toolkit.instrument.derived import age_band

sns.set_theme(style="whitegrid", palette="colorblind")

inst = toolkit.load_instrument("dis-full")
raw = toolkit.read_responses(datasets.path("sample_survey.csv"), inst)
cleaned = toolkit.clean(raw, inst, pseudonym_key="notebook-demo-key")
data = cleaned.data.loc[~cleaned.flags["duplicate_id"].to_numpy()]

# %% [markdown]
# ## Scores and levels
#
# A self-report scale is the mean of its valid items after reverse keying
# (items phrased as difficulties are turned round), when at least `min_valid`
# items were answered. A knowledge scale counts correct answers, with "don't
# know" counted as not correct. The reason column says why a score is missing.

# %%
scores = toolkit.score(data, inst)
levels = [f"{s}_level" for s in inst.scales]
level_shares = (scores[levels].melt(var_name="scale", value_name="level").dropna()
                .assign(scale=lambda d: d["scale"].str.removesuffix("_level")))
table = pd.crosstab(level_shares["scale"], level_shares["level"], normalize="index").round(3)
table

# %%
fig, ax = plt.subplots(figsize=(8, 4))
table.plot.barh(stacked=True, ax=ax, width=0.8)
ax.set(xlabel="share of respondents (unweighted)", ylabel="", title="Competence levels by scale")
ax.legend(title="level", loc="upper left", bbox_to_anchor=(1.01, 1))
plt.show()

# %% [markdown]
# ## Reliability
#
# Alpha comes with a Feldt confidence interval; omega total is from a
# one-factor model. Knowledge scales have four dichotomous items each, so their
# alpha (KR-20) is modest: four items cannot measure a domain precisely, which
# is why the report never classifies a person on a knowledge scale alone.

# %%
rel = toolkit.reliability(data, inst)
rel[["scale", "kind", "n_items", "n", "alpha", "ci_low", "ci_high", "omega_total"]].round(3)

# %%
items = scales.item_statistics(data, inst)
fig, ax = plt.subplots(figsize=(8, 5))
sns.stripplot(data=items, y="scale", x="r_drop", hue="kind", dodge=False, size=7, ax=ax)
ax.axvline(0.2, color="grey", linestyle="--")
ax.set(xlabel="item-rest correlation (r.drop)", ylabel="", title="Every item correlates with the rest of its scale")
plt.show()

# %%
items.nsmallest(5, "r_drop")[["scale", "item", "reverse", "r_drop", "alpha_if_deleted"]].round(3)

# %% [markdown]
# ## Are the knowledge items fair across age groups?
#
# A knowledge item shows differential item functioning (DIF) when people of the
# same overall knowledge but different groups have different chances of
# getting it right. Mantel–Haenszel compares them within strata of the total
# score; ETS class A is negligible, B moderate and C large. Items need this
# check before groups are compared on them (FIELD-NOTES: older adults answer
# some items differently).

# %%
data_age = data.assign(age_band=age_band(data["age"]))
# with the instrument and no item list, every knowledge item is matched on its own scale's total
dif = toolkit.dif(data_age, by="age_band", instrument=inst, reference="30-44")
dif["ets"].value_counts()

# %%
dif[dif["ets"] != "A"][["item", "focal", "n_focal", "d_dif", "se_d", "p_value", "ets", "favours"]].round(3)

# %% [markdown]
# A flag is a reason to look at an item, not proof that it is biased: there are
# 64 comparisons here, so a few B flags are expected by chance, and the oldest
# group is the smallest. Items flagged C in a group should be read again (is the
# wording harder for that group for reasons unrelated to the skill?) before the
# group's knowledge score is compared with others. Matching on the scale's own
# total matters: pass the items of several scales in one list and their pooled
# total is used instead, which mistakes real differences between domains for
# DIF.

# %% [markdown]
# ## Confidence against performance
#
# The gap compares a respondent's self-report with their knowledge score on the
# same domain, both standardised. More than one standard deviation apart counts
# as over- or underconfident: the "blind spots" where people think they can do
# more than they can, and the reverse.

# %%
gap_columns = [f"{d}_confidence" for d in inst.domains]
confidence = (scores[gap_columns].melt(var_name="domain", value_name="confidence").dropna()
              .assign(domain=lambda d: d["domain"].str.removesuffix("_confidence")))
pd.crosstab(confidence["domain"], confidence["confidence"], normalize="index").round(3)

# %%
gaps = scores[[f"{d}_gap" for d in inst.domains]].melt(var_name="domain", value_name="gap").dropna()
gaps["domain"] = gaps["domain"].str.removesuffix("_gap")
fig, ax = plt.subplots(figsize=(8, 4))
sns.boxplot(data=gaps, x="gap", y="domain", ax=ax, fliersize=1)
ax.axvline(1, color="grey", linestyle="--")
ax.axvline(-1, color="grey", linestyle="--")
ax.set(xlabel="self-report minus knowledge (standardised)", ylabel="", title="The confidence gap per domain")
plt.show()
