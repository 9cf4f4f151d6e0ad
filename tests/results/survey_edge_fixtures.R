# Golden values for the survey edge cases (tests/survey/test_edge_*.py), from R's survey 4.1.
# Run from the repository root:  Rscript tests/results/survey_edge_fixtures.R
# Reads the api data the main fixtures wrote (tests/results/survey_api*.csv, same as survey::api
# with dots -> underscores) and writes tests/results/survey_edge_fixtures.json, keyed by case id.
suppressMessages(library(survey))
library(jsonlite)
options(survey.lonely.psu = "fail")
out_dir <- "tests/results"
rd <- function(name) read.csv(file.path(out_dir, paste0("survey_", name, ".csv")))
strat <- rd("apistrat"); clus1 <- rd("apiclus1"); clus2 <- rd("apiclus2"); nh <- rd("nhanes")
strat$high <- as.numeric(strat$api00 > 700)  # separated by api00
clus1$sw <- clus1$sch_wide01; strat$sw <- strat$sch_wide01
cases <- list()
add <- function(id, value) cases[[id]] <<- value
tight <- glm.control(epsilon = 1e-12, maxit = 100)
stat <- function(s) list(estimate = unname(coef(s)), se = unname(SE(s)))
glmstat <- function(f) list(coef = unname(coef(f)), se = unname(SE(f)), terms = names(coef(f)),
                            df_resid = f$df.residual,
                            dispersion = as.numeric(unclass(summary(f)$dispersion))[1])

## 1. raking where a margin lists a level absent from the sample with a count of 0
clus1_fpc <- svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = clus1)
pop_stype0 <- data.frame(stype = c("E", "H", "M", "X"), Freq = c(4421, 755, 1018, 0))
pop_sch <- data.frame(sch_wide = c("No", "Yes"), Freq = c(1072, 5122))
r0 <- rake(clus1_fpc, list(~stype, ~sch_wide), list(pop_stype0, pop_sch),
           control = list(maxit = 100, epsilon = 1e-12))
add("rake_empty_mean", stat(svymean(~api00, r0)))
by0 <- svyby(~api00, ~stype, r0, svymean)
add("rake_empty_by", c(stat(by0), list(groups = as.character(by0$stype))))
add("rake_empty_glm", glmstat(svyglm(api00 ~ ell + meals, r0, control = tight)))
add("rake_empty_logit", glmstat(svyglm(sch_wide01 ~ ell, r0, family = quasibinomial, control = tight)))
add("rake_empty_weights", list(weights = unname(weights(r0))))

## warning cases: what R does (numbers for reference, warnings as text)
caught <- function(expr) {
  msgs <- character(0)
  val <- withCallingHandlers(expr, warning = function(w) {
    msgs <<- c(msgs, conditionMessage(w)); invokeRestart("muffleWarning") })
  list(value = val, warnings = msgs)
}
pop_sch_off <- data.frame(sch_wide = c("No", "Yes"), Freq = c(1072 + 512, 5122))
off <- caught(rake(clus1_fpc, list(~stype, ~sch_wide), list(pop_stype0, pop_sch_off)))
add("rake_disagree", list(weights_total = sum(weights(off$value)), warnings = off$warnings))
strat_des <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat)
sep <- caught(svyglm(high ~ api00, strat_des, family = quasibinomial))
add("separation", list(coef = unname(coef(sep$value)), warnings = sep$warnings))
small <- strat[1:40, ]; small$w_small <- 0.5  # weights below 1: the SRS variance is negative
dsmall <- svydesign(id = ~1, weights = ~w_small, data = small)
add("deff_nan", list(deff = unname(deff(svymean(~api00, dsmall, deff = TRUE)))))
write.csv(small[, c("api00", "w_small")], file.path(out_dir, "survey_edge_small.csv"), row.names = FALSE)

## quasibinomial / quasipoisson: same fit and SEs as binomial / poisson; dispersion as summary.svyglm
add("quasibinomial", glmstat(svyglm(sch_wide01 ~ ell + meals, strat_des, family = quasibinomial,
                                    control = tight)))
add("binomial", glmstat(suppressWarnings(svyglm(sch_wide01 ~ ell + meals, strat_des, family = binomial,
                                                control = tight))))
add("quasipoisson", glmstat(svyglm(acs_k3 ~ ell + meals, clus1_fpc, family = quasipoisson, control = tight)))
add("gaussian_disp", glmstat(svyglm(api00 ~ ell + meals, clus1_fpc, control = tight)))

## svyciprop, every method, overall and by domain
cip_designs <- list(strat = strat_des, clus1 = clus1_fpc)
for (dn in names(cip_designs)) for (m in c("logit", "likelihood", "asin", "beta", "mean", "xlogit")) {
  des <- cip_designs[[dn]]
  p <- svyciprop(~sw, des, method = m)
  ci <- attr(p, "ci")
  b <- svyby(~sw, ~stype, des, svyciprop, method = m, vartype = "ci")
  add(paste0("ciprop_", dn, "_", m), list(design = dn, method = m, estimate = unname(p[1]),
      se = sqrt(unname(attr(p, "var"))[1]), ci_low = unname(ci[1]), ci_high = unname(ci[2]),
      by_groups = as.character(b$stype), by_estimate = unname(b$sw), by_ci_low = unname(b$ci_l),
      by_ci_high = unname(b$ci_u)))
}

## svyquantile, interval types and quantile rules
qdes <- list(strat = strat_des, clus1 = cip_designs$clus1,
             clus2 = svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = clus2))
for (dn in names(qdes)) for (it in c("mean", "beta", "xlogit", "asin", "score"))
  for (qr in c("math", "school", "shahvaish", "hf1", "hf2", "hf3", "hf4", "hf5", "hf6", "hf7", "hf8", "hf9")) {
    if (it == "score" && !(qr %in% c("math", "hf7"))) next
    r <- svyquantile(~api00, qdes[[dn]], c(0.1, 0.5, 0.9), interval.type = it, qrule = qr)$api00
    add(paste("quantile", dn, it, qr, sep = "_"),
        list(design = dn, ci_method = it, qrule = qr, q = c(0.1, 0.5, 0.9), estimate = unname(r[, 1]),
             ci_low = unname(r[, 2]), ci_high = unname(r[, 3]), se = unname(r[, 4])))
  }
for (dn in c("strat", "clus1")) {
  b <- svyby(~api00, ~sch_wide, qdes[[dn]], svyquantile, quantiles = c(0.25, 0.5), ci = TRUE)
  add(paste0("quantile_by_", dn), list(design = dn, q = c(0.25, 0.5), groups = as.character(b$sch_wide),
      estimate = unname(as.matrix(b[, 2:3])), se = unname(as.matrix(b[, 4:5]))))
}

## postStratify(partial = TRUE): population cells absent from the sample are ignored
pop_partial <- data.frame(stype = c("E", "H", "M", "X"), Freq = c(4421, 755, 1018, 250))
ps <- caught(postStratify(clus1_fpc, ~stype, pop_partial, partial = TRUE))
add("poststrat_partial", c(stat(svymean(~api00, ps$value)), list(weights = unname(weights(ps$value)),
    warnings = ps$warnings, by = stat(svyby(~api00, ~sch_wide, ps$value, svymean)))))

## options(survey.adjust.domain.lonely = TRUE): a domain holding one PSU of a stratum
nh$dom <- as.numeric(nh$SDMVPSU == 1 | nh$SDMVSTRA %% 3 == 0)
nhd <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nh)
for (adj in c(FALSE, TRUE)) for (lp in c("adjust", "remove", "certainty")) {
  old <- options(survey.lonely.psu = lp, survey.adjust.domain.lonely = adj)
  b <- caught(svyby(~RIAGENDR, ~dom, nhd, svymean))
  m <- caught(svymean(~RIAGENDR, subset(nhd, dom == 1)))
  options(old)
  add(paste0("domain_lonely_", lp, "_", adj), list(lonely_psu = lp, adjust = adj, groups = b$value$dom,
      estimate = unname(coef(b$value)), se = unname(SE(b$value)), subset_se = unname(SE(m$value)),
      n_warnings = length(b$warnings)))
}
write.csv(nh[, c("SDMVPSU", "SDMVSTRA", "WTMEC2YR", "RIAGENDR", "dom")],
          file.path(out_dir, "survey_edge_nhanes_domain.csv"), row.names = FALSE)

## the contribution of each stage to a multistage variance (survey:::svyrecvar, one.stage)
clus2_fpc <- qdes$clus2
stage_case <- function(des, var, fun) {
  y <- des$variables[[var]]; w <- weights(des)
  x <- if (fun == "mean") w * (y - sum(w * y) / sum(w)) / sum(w) else w * y
  x <- matrix(x, ncol = 1)
  v1 <- survey:::svyrecvar(x, des$cluster, des$strata, des$fpc, one.stage = TRUE)
  vall <- survey:::svyrecvar(x, des$cluster, des$strata, des$fpc, one.stage = FALSE)
  list(variable = var, statistic = fun, stage_variance = c(v1, vall - v1), total = c(vall))
}
add("stages_clus2_mean", stage_case(clus2_fpc, "api00", "mean"))
add("stages_clus2_total", stage_case(clus2_fpc, "api00", "total"))
add("stages_clus1_mean", stage_case(clus1_fpc, "api00", "mean"))

writeLines(toJSON(list(cases = cases), digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           file.path(out_dir, "survey_edge_fixtures.json"))

## R's spline(method = "fmm"), which svyciprop(method = "likelihood") inverts (survey:::confint_profile)
sx <- c(-2.1, -1.3, -0.4, 0, 0.5, 1.6, 2.2); sy <- sx + 0.3 * sx^2 - 0.1 * sx^3 + sin(sx)
sp <- spline(sx, sy, n = 3 * length(sx))
cases[["fmm_spline"]] <- list(x = sx, y = sy, xout = sp$x, yout = sp$y)
sp4 <- spline(sx[1:3], sy[1:3], n = 9)
cases[["fmm_spline3"]] <- list(x = sx[1:3], y = sy[1:3], xout = sp4$x, yout = sp4$y)
writeLines(toJSON(list(cases = cases), digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           file.path(out_dir, "survey_edge_fixtures.json"))
