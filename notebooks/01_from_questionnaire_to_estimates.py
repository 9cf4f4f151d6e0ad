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
# # From questionnaire to estimates, on the bundled sample
#
# This notebook walks through the toolkit on the bundled **synthetic** sample
# (`toolkit/data/`): 2,000 residents of a fictional municipality answered the
# `dis-full` questionnaire, with the kinds of mess real exports have. Because the
# data is simulated, we know the true prevalence of every outcome in the
# population and can check each estimate against it.
#
# Steps: the questionnaire → reading and cleaning with an audit log → scale
# scores and their reliability → design-weighted and raked prevalence with
# confidence intervals → a comparison with the truth.

# %%
import matplotlib

matplotlib.use("Agg")  # the notebook also runs headless in the test suite

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

import toolkit
from toolkit import survey
from toolkit.instrument.derived import age_band

sns.set_theme(style="whitegrid")

# %% [markdown]
# ## 1. The questionnaire
#
# The instrument is defined once in YAML and built into web, paper and codebook
# forms (`ditk questionnaire build`). Its codebook has one row per variable.

# %%
inst = toolkit.load_instrument("dis-full")
codebook = inst.codebook()
print(inst)
codebook.pivot_table(index="section", columns="type", values="variable", aggfunc="count", fill_value=0)

# %% [markdown]
# Each competence domain has self-report items (a 5-point scale, some
# reverse-keyed) and knowledge items with a keyed correct answer.

# %%
skills = codebook[codebook["domain"].notna()]
skills.groupby(["domain", "type"]).size().unstack(fill_value=0)

# %% [markdown]
# ## 2. Reading and cleaning
#
# `read_responses` detects the format, encoding and delimiter and maps columns
# to item ids. `clean` recodes labels, clears missing codes and answers that the
# skip logic says were never asked, redacts personal identifiers in free text,
# pseudonymises respondent ids with a keyed hash, and flags (never drops)
# suspicious respondents. Every changed cell has a row in the log.

# %%
raw = toolkit.read_responses(toolkit.datasets.path("sample_survey.csv"), inst)
info = raw.attrs["read"]
print(f"{info['n_rows']} rows; encoding {info['encoding']}, delimiter {info['delimiter']!r}")

# The key would normally come from an environment variable kept out of the code.
cleaned = toolkit.clean(raw, inst, pseudonym_key="notebook-demo-key")
cleaned.summary()

# %%
cleaned.log.groupby("rule").size().sort_values(ascending=False).rename("changed cells")

# %% [markdown]
# The log never contains the redacted values themselves, only the rule and
# the position:

# %%
cleaned.log[cleaned.log["rule"].str.startswith("pii")].head()

# %% [markdown]
# ## 3. Scale scores and reliability
#
# Self-report scales are scored as the mean of valid items (after reverse
# keying); knowledge scales as the number correct, with "don't know" counted as
# incorrect. Each domain gets a level (`low`, `basic`, `above_basic`) from the
# thresholds the instrument declares, and a confidence-versus-performance gap.

# %%
scores = toolkit.score(cleaned.data, inst)
reliability = toolkit.reliability(cleaned.data, inst)
reliability[["scale", "n_items", "n", "alpha", "ci_low", "ci_high", "omega_total"]].round(3)

# %%
gap_columns = [f"{d}_confidence" for d in inst.domains]
confidence = (
    scores[gap_columns]
    .melt(var_name="domain", value_name="flag")
    .assign(domain=lambda x: x["domain"].str.removesuffix("_confidence"))
    .dropna()
)
fig, ax = plt.subplots(figsize=(7, 3.5))
sns.histplot(data=confidence, y="domain", hue="flag", multiple="fill", shrink=0.8, ax=ax)
ax.set(xlabel="share of respondents", ylabel="", title="Self-report against knowledge, per domain")
plt.show()

# %% [markdown]
# ## 4. Prevalence with honest confidence intervals
#
# The outcomes are the instrument's own rules (offline, exempt from Digital
# Post, needs help, low competence per domain), evaluated on the cleaned data
# and the scores. Duplicate submissions are left out: keeping them would count
# some residents twice.
#
# The sample is stratified by district with unequal selection probabilities,
# and nonresponse depends on age, education and language at home. We estimate
# with the design weights, then rake them to the population margins in
# `population.csv`. Raking needs the margin variables for every respondent, so
# respondents who did not give their age, education or home language (about 5 %)
# are left out of this illustration; a production analysis would impute them.

# %%
data = pd.concat([cleaned.data, scores], axis=1)
outcomes = {name: inst.evaluate(outcome.rule, data).astype(float) for name, outcome in inst.outcomes.items()}
margin_vars = ["age_band", "education", "home_lang"]
analysis = (
    data.assign(**outcomes, age_band=age_band(data["age"]), equal_weight=1.0)
    .loc[~cleaned.flags["duplicate_id"].to_numpy()]
    .dropna(subset=margin_vars)
    .astype({"stratum": int, "education": int, "home_lang": int})
)
print(f"{len(analysis)} respondents in the analysis")

population = toolkit.datasets.load("population.csv")
margins = {v: population.groupby(v)["count"].sum().to_dict() for v in margin_vars}
margins["stratum"] = population.groupby("district")["count"].sum().to_dict()

unweighted = survey.Design(analysis, weights="equal_weight")
design = survey.Design(analysis, weights="design_weight", strata="stratum")
raked = design.rake(margins)
raked.weight_summary().round(2)

# %%
truth = toolkit.datasets.load("truth.json")
rows = []
for name in inst.outcomes:
    for label, d in [("unweighted", unweighted), ("design weights", design), ("raked", raked)]:
        rows.append(d.mean(name, na_rm=True).assign(outcome=name, weighting=label))
estimates = pd.concat(rows, ignore_index=True)
estimates["truth"] = [truth["prevalence"][o]["overall"] for o in estimates["outcome"]]
estimates["covers_truth"] = estimates["ci_low"].le(estimates["truth"]) & estimates["ci_high"].ge(estimates["truth"])
estimates.pivot_table(index="outcome", columns="weighting", values="estimate").assign(
    truth=estimates.groupby("outcome")["truth"].first()
).round(3)

# %%
fig, ax = plt.subplots(figsize=(8, 5))
order = list(inst.outcomes)
palette = dict(zip(["unweighted", "design weights", "raked"], sns.color_palette("deep", 3), strict=True))
for offset, (label, group) in zip([-0.2, 0.0, 0.2], estimates.groupby("weighting", sort=False), strict=True):
    y = [order.index(o) + offset for o in group["outcome"]]
    ax.errorbar(
        group["estimate"], y,
        xerr=[group["estimate"] - group["ci_low"], group["ci_high"] - group["estimate"]],
        fmt="o", color=palette[label], label=label, capsize=2,
    )
truth_points = estimates.drop_duplicates("outcome")
ax.scatter(truth_points["truth"], [order.index(o) for o in truth_points["outcome"]],
           marker="|", s=400, color="black", label="truth", zorder=3)
ax.set_yticks(range(len(order)), order)
ax.invert_yaxis()
ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
ax.set(xlabel="prevalence (95% CI)", title="Estimates against the known truth")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
plt.show()

# %% [markdown]
# Design weights only undo the unequal selection probabilities. They cannot
# undo nonresponse: the residents most likely to be excluded (older, less
# educated, another language at home) answer least often, so estimates of
# help needs and bureaucratic competence come out too low. Raking to the
# population margins corrects for who answered. The table gives, per
# weighting, the mean absolute error against the truth (in percentage points)
# and the share of confidence intervals that cover it. One sample is one
# draw, and about one 95% interval in twenty misses the truth by chance.

# %%
estimates.assign(abs_error_pp=lambda x: 100 * (x["estimate"] - x["truth"]).abs()).groupby(
    "weighting", sort=False
)[["abs_error_pp", "covers_truth"]].mean().round(2)
