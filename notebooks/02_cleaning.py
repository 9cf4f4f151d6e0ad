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
# # 2. Reading and cleaning a messy export, with a full audit log
#
# **What you will learn**
#
# * how `read_responses` finds the format, encoding, delimiter and the columns
#   of an export, whatever tool produced it;
# * what `clean` changes and why: labels to codes, missing codes, impossible
#   values, answers the routing says were never asked, personal data in free
#   text, respondent ids;
# * how every changed cell is logged, so the raw data can always be restored,
#   and how suspicious respondents are flagged rather than silently dropped.
#
# The bundled sample is synthetic: 2,000 residents of a fictional municipality
# with the kinds of mess real exports have. Because the simulator planted the
# mess, we can check how much of it cleaning catches.

# %%
import matplotlib

matplotlib.use("Agg")  # the notebooks also run headless in the test suite

import matplotlib.pyplot as plt
import seaborn as sns

import toolkit
from toolkit import datasets

sns.set_theme(style="whitegrid", palette="colorblind")

# %% [markdown]
# ## Reading
#
# The raw file is never modified. `read_responses` records what it found in
# `attrs["read"]`: format, encoding, delimiter, and which columns it mapped to
# items or kept as unknown.

# %%
inst = toolkit.load_instrument("dis-full")
raw = toolkit.read_responses(datasets.path("sample_survey.csv"), inst)
info = raw.attrs["read"]
print(f"{info['n_rows']} rows, format {info['format']}, encoding {info['encoding']}, "
      f"delimiter {info['delimiter']!r}; unknown columns: {info.get('unknown_columns') or 'none'}")
raw[["respondent_id", "district", "age", "net_use_3m", "prac_01", "comment"]].head()

# %% [markdown]
# ## Cleaning
#
# Respondent ids are replaced by keyed-hash pseudonyms. The key would normally
# sit in an environment variable (`DITK_PSEUDONYM_KEY`), never in the code or
# the data; this notebook passes one so that its output is reproducible.

# %%
cleaned = toolkit.clean(raw, inst, pseudonym_key="notebook-demo-key")
cleaned

# %%
cleaned.summary().query("count > 0")

# %% [markdown]
# Every changed cell has a row in the log: which row and column, the old and new
# value, and the rule. Writing `old` back over `new` restores the input, except
# for personal data, whose old value is never written anywhere.

# %%
log = cleaned.log
by_rule = log.groupby("rule").size().sort_values().rename("cells")
fig, ax = plt.subplots(figsize=(7, 3.5))
by_rule.plot.barh(ax=ax, color=sns.color_palette("colorblind")[0])
ax.set(xlabel="changed cells", ylabel="", title="What cleaning changed, by rule")
plt.show()

# %%
log[log["rule"].isin(["label_to_code", "decimal_comma", "out_of_range"])].head(8)

# %% [markdown]
# ## Personal data
#
# Free text is scanned for CPR numbers, e-mail addresses and phone numbers. A
# match is replaced by a marker such as `[CPR]`; the log records only where in
# the text it was, never the value.

# %%
pii = log[log["rule"].str.startswith("pii")]
pii[["row", "column", "new", "rule", "position"]].head()

# %% [markdown]
# ## Quality flags
#
# Speeders, straight-liners, duplicate submissions and respondents with too
# many missing answers are flagged, with the reasons. Nothing is dropped unless
# you ask (`drop_flagged=`), and a dropped row is logged too. The analysis
# notebooks leave out only duplicate submissions, which would count a resident
# twice.

# %%
flags = cleaned.flags
flag_names = [c for c in toolkit.cleaning.FLAGS if c in flags]
flags[flag_names].sum().rename("respondents").to_frame()

# %% [markdown]
# ## How much of the mess was caught?
#
# The simulator recorded every cell it corrupted, so detection can be measured
# (this is the one place this notebook uses the simulator's side of the data).

# %%
from toolkit.simulate.detection import detection  # only to compare with the known corruption

artefacts = datasets.load("sample_survey_artefacts.csv")
detection(cleaned, artefacts)
