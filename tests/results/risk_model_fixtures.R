# Golden values for toolkit.risk.ExclusionRiskModel and toolkit.risk.performance, from R's survey 4.1:
# svyglm (quasibinomial) for the model and the calibration slope, svymean for calibration-in-the-large
# and the Brier score, and the design-weighted AUC written out by hand (pairwise definition) with its
# influence values put through svytotal(~z, update(design, z = z)), the linearisation the toolkit uses.
#
# Run from the repository root:  Rscript tests/results/risk_model_fixtures.R
# Writes tests/results/risk_model.csv (the sample) and risk_model_fixtures.json.
suppressPackageStartupMessages({library(survey); library(jsonlite)})
out <- "tests/results"

set.seed(20261201)
n_strata <- 6; psu_per <- 8; per_psu <- 10
d <- expand.grid(person = seq_len(per_psu), psu = seq_len(psu_per), stratum = seq_len(n_strata))
d$psu <- (d$stratum - 1) * psu_per + d$psu
n <- nrow(d)
d$age_band <- sample(c("18-44", "45-74", "75+"), n, replace = TRUE, prob = c(0.45, 0.4, 0.15))
d$lang <- sample(c("da", "other"), n, replace = TRUE, prob = c(0.85, 0.15))
u <- rnorm(max(d$psu), sd = 0.5)[d$psu]
eta <- -1.6 + 0.4 * (d$age_band == "45-74") + 1.8 * (d$age_band == "75+") + 0.8 * (d$lang == "other") + u
d$y <- as.numeric(runif(n) < plogis(eta))
d$y[sample.int(n, 12)] <- NA
d$w <- round(runif(n, 1, 4) * (1 + d$stratum / 3), 3)
d$person <- NULL
write.csv(d, file.path(out, "risk_model.csv"), row.names = FALSE)

design <- svydesign(ids = ~psu, strata = ~stratum, weights = ~w, data = d, nest = TRUE)
margins <- list(data.frame(age_band = c("18-44", "45-74", "75+"), Freq = c(5200, 4100, 1700)),
                data.frame(lang = c("da", "other"), Freq = c(9300, 1700)))
raked <- rake(design, list(~age_band, ~lang), margins)

auc_by_hand <- function(y, s, w) {
  pos <- which(y == 1); neg <- which(y == 0)
  h <- outer(s[pos], s[neg], ">") + 0.5 * outer(s[pos], s[neg], "==")
  t1 <- sum(w[pos]); t0 <- sum(w[neg])
  auc <- sum(outer(w[pos], w[neg]) * h) / (t1 * t0)
  z <- numeric(length(y))
  z[pos] <- (as.vector(h %*% w[neg]) / t0 - auc) / t1
  z[neg] <- (as.vector(w[pos] %*% h) / t1 - auc) / t0
  list(auc = auc, z = z)
}

one_case <- function(name, des) {
  fit <- svyglm(y ~ factor(age_band) + factor(lang), design = des, family = quasibinomial(),
                control = glm.control(epsilon = 1e-14, maxit = 100))
  p <- predict(fit, newdata = d, type = "response")
  w <- weights(des)
  ok <- !is.na(d$y)
  yy <- ifelse(ok, d$y, -1)
  overall <- auc_by_hand(yy, p, w)
  other <- auc_by_hand(ifelse(ok & d$lang == "other", d$y, -1), p, w)
  total_se <- function(z) as.numeric(SE(svytotal(~z, update(des, z = z))))
  des2 <- update(des, r = d$y - p, r2 = (d$y - p)^2, lp = qlogis(p))
  citl <- svymean(~r, des2, na.rm = TRUE)
  brier <- svymean(~r2, des2, na.rm = TRUE)
  recal <- svyglm(y ~ lp, design = des2, family = quasibinomial(),
                  control = glm.control(epsilon = 1e-14, maxit = 100))
  ci <- confint(recal, ddf = recal$df.residual)
  list(case = name, coef = unname(coef(fit)), se = as.numeric(SE(fit)),
       auc = overall$auc, auc_se = total_se(overall$z),
       auc_other = other$auc, auc_other_se = total_se(other$z),
       citl = unname(coef(citl)), citl_se = as.numeric(SE(citl)),
       brier = unname(coef(brier)), brier_se = as.numeric(SE(brier)),
       slope = unname(coef(recal)[2]), slope_ci = unname(ci[2, ]))
}

cases <- list(one_case("stratified_clustered", design), one_case("raked", raked))
write_json(list(survey = as.character(packageVersion("survey")), margins = margins, cases = cases),
           file.path(out, "risk_model_fixtures.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
