# Golden values for tests/e2e/test_ess.py: the ESS round 10 Norway extract end to end.
# R psych 2.2.9 and survey 4.1.1 (R 4.2).
# Run from the repository root:  Rscript tests/results/ess_fixtures.R
# Reads the committed subset tests/data/ess/ess10no.csv (its licence note is beside it) and writes
# tests/results/ess_fixtures.json:
#   - the scale immigration_sr (imbgeco, imueclt, imwbcnt; 0-10; min_valid 2, as in
#     tests/data/ess/ess10no.yaml): its score (mean of the answered items, none below 2 answers),
#     psych::alpha raw and standardised on the respondents the scale scores (pairwise, psych's default);
#   - design-based means with survey::svydesign(ids = ~psu, strata = ~stratum, weights = ~anweight,
#     nest = TRUE): svymean of the score and of each item (na.rm = TRUE), svyby by region, and the
#     shares of the eu_vote answers among those who gave one.
suppressPackageStartupMessages({library(psych); library(survey); library(jsonlite)})
stopifnot(packageVersion("psych") == "2.2.9", packageVersion("survey") == "4.1.1")
options(survey.lonely.psu = "fail")

d <- read.csv("tests/data/ess/ess10no.csv", stringsAsFactors = FALSE, na.strings = "")
items <- c("imbgeco", "imueclt", "imwbcnt")
min_valid <- 2
x <- as.matrix(d[, items])
n_valid <- rowSums(!is.na(x))
d$immigration_sr <- ifelse(n_valid >= min_valid, rowMeans(x, na.rm = TRUE), NA)
scored <- n_valid >= min_valid

# (psych notes that 11 categories are too many to tabulate response frequencies; that table is not used)
a <- suppressMessages(psych::alpha(as.data.frame(x[scored, ]), warnings = FALSE))
alpha_out <- list(
  n = sum(scored),
  raw_alpha = a$total$raw_alpha,
  std_alpha = a$total$std.alpha,
  average_r = a$total$average_r,
  mean = a$total$mean,
  sd = a$total$sd
)

des <- svydesign(ids = ~psu, strata = ~stratum, weights = ~anweight, nest = TRUE, data = d)
mean_row <- function(v) {
  m <- svymean(as.formula(paste0("~", v)), des, na.rm = TRUE)
  list(variable = v, estimate = unname(coef(m)), se = as.numeric(SE(m)))
}
means <- lapply(c("immigration_sr", items), mean_row)

by_region <- svyby(~immigration_sr, ~region, des, svymean, na.rm = TRUE)
by_out <- lapply(seq_len(nrow(by_region)), function(i) list(
  region = as.character(by_region$region[i]),
  estimate = unname(by_region$immigration_sr[i]),
  se = unname(by_region$se[i])
))

# eu_vote: the answers' labels as the instrument's codes; "Don't Know" and "Refuse to Answer" are missing
eu_codes <- c("Join EU" = 1, "Remain Outside" = 2, "Blank Ballot" = 3, "Wouldn't Vote" = 4, "Not Eligible" = 5)
d$eu_vote_code <- unname(eu_codes[d$eu_vote])
des <- update(des, eu_vote_code = factor(d$eu_vote_code))
eu <- svymean(~eu_vote_code, des, na.rm = TRUE)
eu_out <- lapply(seq_along(coef(eu)), function(i) list(
  code = as.numeric(sub("eu_vote_code", "", names(coef(eu))[i])),
  estimate = unname(coef(eu)[i]), se = as.numeric(SE(eu))[i]))

fixtures <- list(
  source = "tests/data/ess/ess10no.csv",
  n_rows = nrow(d),
  degf = degf(des),
  score = list(n_scored = sum(scored), sum = sum(d$immigration_sr, na.rm = TRUE)),
  alpha = alpha_out,
  means = means,
  by_region = by_out,
  eu_vote = list(n_dont_know = sum(d$eu_vote == "Don't Know"), n_refused = sum(d$eu_vote == "Refuse to Answer"),
                 proportions = eu_out)
)
write(toJSON(fixtures, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/results/ess_fixtures.json")
