# Golden values for toolkit.risk.FayHerriot, from R's metafor (the Fay-Herriot
# likelihood: rma(yi, vi, mods, method = "REML" / "ML")) with the MSE of
# sae::mseFH (Prasad-Rao for REML, Datta-Lahiri for ML) written out below,
# because sae is not packaged for Debian.
#
# Run from the repository root:  Rscript tests/results/fay_herriot_fixtures.R
# Writes tests/results/fh_*.csv (the area data) and fay_herriot_fixtures.json.
suppressPackageStartupMessages({library(metafor); library(survey); library(jsonlite)})
out <- "tests/results"

# sae::mseFH, as published: g1 + g2 + 2 g3 (REML), minus the ML bias term b (ML)
mse_fh <- function(A, D, X, method) {
  Vi <- 1 / (A + D); Bd <- D / (A + D); SumAD2 <- sum(Vi^2)
  Q <- solve(t(Vi * X) %*% X); VarA <- 2 / SumAD2
  g1 <- D * (1 - Bd)
  g2 <- Bd^2 * rowSums((X %*% Q) * X)
  g3 <- Bd^2 * VarA / (A + D)
  mse <- g1 + g2 + 2 * g3
  if (method == "ML") {
    b <- -sum(diag(Q %*% (t((Vi^2) * X) %*% X))) / SumAD2
    mse <- mse - b * Bd^2
  }
  list(g1 = g1, g2 = g2, g3 = g3, mse = mse, Q = Q)
}

fit_case <- function(name, d, formula, method) {
  X <- model.matrix(formula, d)
  ctl <- list(threshold = 1e-13 * max(1, var(d$yi)), maxiter = 10000, stepadj = 0.5)
  m <- rma(yi, vi, mods = X, intercept = FALSE, data = d, method = method, control = ctl)
  A <- m$tau2
  b <- as.vector(coef(m))
  synthetic <- as.vector(X %*% b)
  gamma <- A / (A + d$vi)
  eblup <- gamma * d$yi + (1 - gamma) * synthetic
  mse <- mse_fh(A, d$vi, X, method)
  list(case = name, method = tolower(method), sigma2_u = A, coef = setNames(as.list(b), colnames(X)),
       vcov = unname(as.matrix(vcov(m))), loglik = as.numeric(logLik(m)),
       area = as.character(d$area), synthetic = synthetic, gamma = gamma, eblup = eblup,
       blup_metafor = as.vector(blup(m)$pred), g1 = mse$g1, g2 = mse$g2, g3 = mse$g3, mse = mse$mse,
       out_of_sample_mse = A + rowSums((X %*% mse$Q) * X))
}

# 1. BCG vaccine trials: log risk ratios and their sampling variances (13 "areas")
bcg <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
bcg <- data.frame(area = paste0("trial", bcg$trial), yi = as.vector(bcg$yi), vi = as.vector(bcg$vi),
                  ablat = bcg$ablat, year = bcg$year)
write.csv(data.frame(area = bcg$area, estimate = bcg$yi, se = sqrt(bcg$vi), ablat = bcg$ablat, year = bcg$year),
          file.path(out, "fh_bcg.csv"), row.names = FALSE)

# 2. California schools: direct county means of api00 from the stratified sample,
#    with county covariates from the population file (the small-area setting)
data(api)
des <- svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = apistrat)
direct <- svyby(~api00, ~cname, des, svymean, keep.var = TRUE)
n_sample <- table(apistrat$cname)
direct <- direct[direct$cname %in% names(n_sample)[n_sample >= 3] & SE(direct) > 0, ]
pop <- aggregate(cbind(meals, ell, avg.ed) ~ cname, data = apipop, FUN = mean)
api <- merge(data.frame(area = as.character(direct$cname), yi = direct$api00, vi = SE(direct)^2),
             setNames(pop, c("area", "meals", "ell", "avg_ed")), by = "area")
api <- api[order(api$area), ]
write.csv(data.frame(area = api$area, estimate = api$yi, se = sqrt(api$vi), meals = api$meals, ell = api$ell,
                     avg_ed = api$avg_ed), file.path(out, "fh_api_county.csv"), row.names = FALSE)

# 3. A share on the arcsine scale (api: share of schools meeting the growth target)
des <- update(des, met = as.numeric(sch.wide == "Yes"))
share <- svyby(~met, ~cname, des, svymean, keep.var = TRUE)
share <- share[share$cname %in% api$area & share$met > 0 & share$met < 1 & SE(share) > 0, ]
neff <- share$met * (1 - share$met) / SE(share)^2
arc <- merge(data.frame(area = as.character(share$cname), yi = asin(sqrt(share$met)), vi = 1 / (4 * neff),
                        p = share$met, se = SE(share)),
             setNames(pop, c("area", "meals", "ell", "avg_ed")), by = "area")
arc <- arc[order(arc$area), ]
write.csv(data.frame(area = arc$area, estimate = arc$p, se = arc$se, meals = arc$meals),
          file.path(out, "fh_api_share.csv"), row.names = FALSE)

cases <- list(
  fit_case("bcg", bcg, ~ ablat + year, "REML"),
  fit_case("bcg", bcg, ~ ablat + year, "ML"),
  fit_case("bcg_intercept", bcg, ~ 1, "REML"),
  fit_case("api_county", api, ~ meals + ell, "REML"),
  fit_case("api_county", api, ~ meals + ell, "ML"),
  fit_case("api_share_arcsin", arc, ~ meals, "REML")
)
meta <- list(R = R.version.string, metafor = as.character(packageVersion("metafor")),
             survey = as.character(packageVersion("survey")))
write_json(list(meta = meta, cases = cases), file.path(out, "fay_herriot_fixtures.json"), digits = NA,
           auto_unbox = TRUE, pretty = TRUE)
