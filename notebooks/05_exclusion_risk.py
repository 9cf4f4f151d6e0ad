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
# # 5. Exclusion risk: the inclusion index, the risk model, and district figures
#
# **What you will learn**
#
# * how the 0–100 Digital Inclusion Index combines access and affordability,
#   competence (knowledge weighing more than self-report) and attitudes, and
#   how much its bands depend on those choices;
# * how a survey-weighted risk model of needing help is fitted on demographics,
#   and how it is validated: discrimination and calibration, overall and for
#   each group;
# * how the model projects the number of residents needing help in every
#   district, beside the direct survey estimate and their Fay–Herriot
#   combination, and how that looks on a map;
# * why the model serves planning for groups and places only.
#
# The pipeline behind `ditk report` does the reading, cleaning, scoring and
# raking (notebooks 2–4 show those steps); this notebook starts from its results.

# %%

import matplotlib

matplotlib.use("Agg")  # the notebooks also run headless in the test suite

import matplotlib.pyplot as plt
from IPython.display import HTML, display

import toolkit
from toolkit import datasets, pipeline, plots, risk

inst = toolkit.load_instrument("dis-full")
population = datasets.load("population.csv")
res = pipeline.run(datasets.path("sample_survey.csv"), inst, population=population)
data, design = res.design.data, res.design  # the analysed respondents and the raked design
res.summary()

# %% [markdown]
# ## The Digital Inclusion Index
#
# The index and its bands are declared in the questionnaire (`index:` in the
# YAML), in the style of the Australian Digital Inclusion Index: three
# components scored 0–100 with equal weights; highly excluded up to 45,
# excluded below 61, included below 80, highly included from 80.

# %%
index = risk.inclusion_index(data, data, inst)
index.summary()

# %%
bands = risk.band_shares(index, design, by="district")
bands.pivot_table(index="district", columns="level", values="estimate", observed=True).round(3)

# %% [markdown]
# How much do these figures depend on the index's own choices? A Monte Carlo
# redraws the component weights, shifts the band boundaries by a couple of
# points and varies the knowledge-versus-self-report mix, then recomputes every
# district's share excluded and its rank (as the EU JRC's COINr does). A rank
# that keeps its place across the draws is robust to the method; one that moves
# is not, whatever its point estimate says.

# %%
sensitivity = risk.index_sensitivity(data, data, inst, design=design, by="district", n_draws=200, seed=1)
sensitivity.summary()

# %% [markdown]
# ## The risk model
#
# A survey-weighted logistic regression of needing help on age band, gender,
# education and language at home: demographics that the population register
# also has, so the model can be applied to the whole population. Odds ratios
# come with design-based intervals (as R's `svyglm`).

# %%
model = res.model
model.table_[["variable", "level", "reference", "odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high", "p"]].round(3)

# %%
fig = plots.forest(model.table_, instrument=inst)
plt.show()

# %% [markdown]
# Validation: the AUC says how well the model ranks people who needed help above
# those who did not (0.5 is chance), with a design-based interval, and a
# cross-validated AUC guards against optimism. Calibration compares predicted
# and observed shares by decile of risk, overall and per group: a model that is
# right on average can still be wrong for older residents or for those who
# speak another language at home, and that is what the group table shows.

# %%
model.discrimination_

# %%
model.calibration_

# %%
fig = plots.calibration(model.calibration_table_, by_group=model.calibration_by_group_, instrument=inst)
plt.show()

# %% [markdown]
# ## How many need help in each district?
#
# Three figures per district, side by side: the direct survey estimate (unbiased
# but noisy in a small district), the model's projection onto the district's
# population (precise, but blind to whatever the demographics miss), and the
# Fay–Herriot combination, which leans on the direct estimate where it is
# precise and on the projection where it is not. `preferred` marks the figure
# to publish; the intervals hold each method's own uncertainty.

# %%
proj = res.projection
proj[proj["outcome"] == "needs_help"][["district", "method", "share", "ci_low", "ci_high", "count", "n",
                                       "preferred"]].round(3)

# %%
fig = plots.projection(proj, instrument=inst)
plt.show()

# %%
geojson = datasets.path("districts.geojson")
fig = plots.district_map(proj[proj["preferred"]], geojson=geojson, instrument=inst, outcome="needs_help")
plt.show()

# %% [markdown]
# How good are these district figures? `benchmarks/validate_risk.py` repeats the
# whole analysis on 20 simulated surveys and compares every district figure with
# the truth. Over those surveys the raked direct intervals cover the truth about
# as often as they should, the Fay–Herriot figures have the smallest error in
# the smallest districts but wider intervals than needed, and the model's
# intervals are too narrow: it cannot know how districts differ beyond their
# demographics. That is why the report publishes the preferred figure, not the
# model's, and shows all three.

# %% [markdown]
# ## The model card
#
# Every fitted model comes with a card (Mitchell et al.; TRIPOD+AI): purpose,
# data, outcome, performance overall and by group, limitations, and the uses it
# is not meant for. The most important of those: it is never used to score or
# list individuals. A Danish municipality's predictive-profiling project was
# stopped for exactly that (the seed report, section 7.3).

# %%
display(HTML(model.card_html()))
