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
# # 4. Weighting and estimation: prevalence with honest confidence intervals
#
# **What you will learn**
#
# * why design weights are not enough when the people most likely to be
#   excluded are also the least likely to answer, and what raking to population
#   margins does about it;
# * how to read weight diagnostics: the spread of the weights, the Kish design
#   effect and the effective sample size;
# * how to estimate the prevalence of each outcome overall, by district and by
#   group, with design-based confidence intervals that agree with R's `survey`;
# * what raking did, and did not, fix: because the data are simulated, every
#   estimate can be held against the true value in the population.

# %%
import matplotlib

matplotlib.use("Agg")  # the notebooks also run headless in the test suite

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

import toolkit
from toolkit import datasets, survey
from toolkit.instrument.derived import age_band
from toolkit.instrument.outcomes import evaluate_outcomes

sns.set_theme(style="whitegrid", palette="colorblind")

inst = toolkit.load_instrument("dis-full")
raw = toolkit.read_responses(datasets.path("sample_survey.csv"), inst)
cleaned = toolkit.clean(raw, inst, pseudonym_key="notebook-demo-key")
scores = toolkit.score(cleaned.data, inst)

# %% [markdown]
# ## The analysis frame
#
# Outcomes are the instrument's own rules (offline, exempt from Digital Post,
# needs help, low competence per domain), evaluated on the cleaned answers and
# the scale levels. Duplicate submissions are left out: keeping them would count
# some residents twice.
#
# Raking needs every margin variable. Respondents who did not give their age,
# gender, education or home language (about 5 %) are left out of this notebook
# to keep the steps visible; `toolkit.pipeline.run`, which `ditk report` uses,
# imputes them instead (a hot-deck within the district).

# %%
data = pd.concat([cleaned.data, scores], axis=1).loc[~cleaned.flags["duplicate_id"].to_numpy()]
outcomes = evaluate_outcomes(data, data, inst).astype(float)
margin_vars = ["age_band", "gender", "education", "home_lang"]
analysis = (
    data.assign(**outcomes, age_band=age_band(data["age"]).astype(object), district=data["stratum"].astype(int),
                equal_weight=1.0)
    .dropna(subset=margin_vars)
    .astype({"gender": int, "education": int, "home_lang": int})
)
print(f"{len(analysis)} respondents in the analysis")

# %% [markdown]
# ## Three weightings
#
# The sample is stratified by district with unequal selection probabilities;
# the design weights undo those. Nonresponse depends on age, education and
# language at home, which design weights cannot see. Raking adjusts the weights
# until the weighted sample matches the population on every margin at once
# (iterative proportional fitting, as R's `rake()`); its variance accounts for
# the calibration.

# %%
population = datasets.load("population.csv")
margins = {v: population.groupby(v)["count"].sum().to_dict() for v in margin_vars}
margins["district"] = population.groupby("district")["count"].sum().to_dict()

unweighted = survey.Design(analysis, weights="equal_weight")
design = survey.Design(analysis, weights="design_weight", strata="stratum")
raked = design.rake(margins, max_iter=50)
print(raked.rake_result)
pd.concat([design.weight_summary().assign(weights="design"), raked.weight_summary().assign(weights="raked")])

# %% [markdown]
# Raking made the weights more unequal: the design effect from weighting
# (Kish) grows, so the effective sample size shrinks. That is the price of
# removing the bias; the intervals below include it.

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
sns.kdeplot(design.weights, ax=ax, label="design weights", fill=True, cut=0)
sns.kdeplot(raked.weights, ax=ax, label="raked weights", fill=True, cut=0)
ax.set(xlabel="weight (residents per respondent)", title="Weights before and after raking")
ax.legend()
plt.show()

# %% [markdown]
# How far is the sample from the population on each margin, before and after?
# Raking hits its margins exactly; the design-weighted sample is off most for
# age and education, the drivers of nonresponse.

# %%
rows = []
for var in [*margin_vars, "district"]:
    target = pd.Series(margins[var], dtype=float)
    target = target / target.sum()
    for label, d in (("design", design), ("raked", raked)):
        shares = pd.Series(d.weights, index=analysis.index).groupby(analysis[var].to_numpy()).sum()
        shares = shares / shares.sum()
        rows += [{"margin": var, "level": str(k), "weights": label,
                  "difference_pp": 100 * (shares.get(k, 0.0) - target[k])} for k in target.index]
gaps = pd.DataFrame(rows)
gaps.pivot_table(index="margin", columns="weights", values="difference_pp",
                 aggfunc=lambda x: np.abs(x).max()).round(2).rename_axis(columns="largest gap (pp)")

# %% [markdown]
# ## Prevalence overall, against the truth

# %%
truth = datasets.load("truth.json")
rows = []
for name in inst.outcomes:
    for label, d in (("unweighted", unweighted), ("design weights", design), ("raked", raked)):
        t = d.proportion(name, na_rm=True)
        rows.append(t[t["level"] == 1].assign(outcome=name, weighting=label))
estimates = pd.concat(rows, ignore_index=True)
estimates["truth"] = [truth["prevalence"][o]["overall"] for o in estimates["outcome"]]
estimates["covers_truth"] = estimates["ci_low"].le(estimates["truth"]) & estimates["ci_high"].ge(estimates["truth"])
estimates.pivot_table(index="outcome", columns="weighting", values="estimate").assign(
    truth=estimates.groupby("outcome")["truth"].first()).round(3)

# %%
fig, ax = plt.subplots(figsize=(8, 5))
order = list(inst.outcomes)
palette = dict(zip(["unweighted", "design weights", "raked"], sns.color_palette("colorblind", 3), strict=True))
for offset, (label, group) in zip([-0.2, 0.0, 0.2], estimates.groupby("weighting", sort=False), strict=True):
    y = [order.index(o) + offset for o in group["outcome"]]
    ax.errorbar(group["estimate"], y, xerr=[group["estimate"] - group["ci_low"], group["ci_high"] - group["estimate"]],
                fmt="o", color=palette[label], label=label, capsize=2)
truth_points = estimates.drop_duplicates("outcome")
ax.scatter(truth_points["truth"], [order.index(o) for o in truth_points["outcome"]], marker="|", s=400,
           color="black", label="truth", zorder=3)
ax.set_yticks(range(len(order)), [inst.outcomes[o].label["en"] for o in order])
ax.invert_yaxis()
ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
ax.set(xlabel="prevalence (95% CI)", title="Estimates against the known truth")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
plt.show()

# %% [markdown]
# What did raking fix? Nonresponse pushed down the estimates of low bureaucratic
# competence and of needing help, because the residents who are most often
# excluded answer least often; raking to the population margins moves those two
# furthest towards the truth. For the other outcomes the unweighted sample
# happened to be close already, and raking moved some of them past the truth:
# on one sample, removing a bias also adds noise, since the weights vary more.
# Across the outcomes the raked intervals cover the truth more often, which is
# what honest intervals are for.
#
# What raking cannot fix is nonresponse that depends on something the margins
# do not hold: people who need help answer less often even within their age
# band and education, so the raked estimate of needing help stays somewhat
# below the truth. And about one 95% interval in twenty misses the truth by
# chance. `benchmarks/validate_risk.py` repeats all of this over 20 simulated
# surveys, where chance averages out.

# %%
errors = estimates.assign(abs_error_pp=lambda x: 100 * (x["estimate"] - x["truth"]).abs())
errors.groupby("weighting", sort=False)[["abs_error_pp", "covers_truth"]].mean().round(2)

# %%
errors.pivot_table(index="outcome", columns="weighting", values="abs_error_pp").round(2)

# %% [markdown]
# Leaving out the respondents with a missing margin variable is not harmless
# either: they are more often the ones who need help. The pipeline behind
# `ditk report` imputes their missing demographics instead of dropping them;
# compare its raked estimate with the one above.

# %%
from toolkit import pipeline

res = pipeline.run(datasets.path("sample_survey.csv"), inst, population=population,
                   config=toolkit.config.Config(groups=(), outcomes=("needs_help",)))
overall = res.summary().iloc[0]
dropped = estimates.query("outcome == 'needs_help' and weighting == 'raked'").iloc[0]
print(f"needs help: truth {truth['prevalence']['needs_help']['overall']:.3f}; raked, incomplete respondents "
      f"dropped {dropped['estimate']:.3f}; raked, imputed {overall['estimate']:.3f} "
      f"(95% CI {overall['ci_low']:.3f}-{overall['ci_high']:.3f})")

# %% [markdown]
# ## By district and by group
#
# Domain estimates are where the small-cell policy shows: a group with fewer
# than five respondents, or a share that rests on fewer than five, is
# suppressed (no estimate and no count), and says so.

# %%
by_district = raked.proportion("needs_help", by="district", na_rm=True)
by_district = by_district[by_district["level"] == 1].assign(
    truth=lambda t: [truth["prevalence"]["needs_help"][str(d)] for d in t["district"]],
    name=lambda t: [inst.response_sets["district"].label(int(d)) for d in t["district"]])
by_district[["name", "estimate", "ci_low", "ci_high", "n", "truth", "suppressed"]].round(3)

# %%
fig, ax = plt.subplots(figsize=(7, 4))
ax.errorbar(by_district["estimate"], by_district["name"],
            xerr=[by_district["estimate"] - by_district["ci_low"], by_district["ci_high"] - by_district["estimate"]],
            fmt="o", capsize=3, label="raked estimate (95% CI)")
ax.scatter(by_district["truth"], by_district["name"], marker="|", s=300, color="black", label="truth", zorder=3)
ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
ax.set(xlabel="needed help with digital public services", title="Needs help, by district")
ax.legend(loc="lower right")
plt.show()

# %%
by_age = raked.proportion("offline", by="age_band", na_rm=True)
by_age[by_age["level"] == 1][["age_band", "estimate", "ci_low", "ci_high", "n", "suppressed", "note"]].round(3)
