# Golden values for tests/test_survey_*.py from R's survey package (Lumley), version 4.1.
# Run from the repository root:  Rscript tests/results/survey_fixtures.R
# Writes the public datasets the tests need (api: apistrat, apiclus1, apiclus2; NHANES
# subset shipped as survey::nhanes) to tests/results/survey_*.csv, and every estimate to
# tests/results/survey_fixtures.json, keyed by case id. Column names: dots -> underscores.
suppressMessages(library(survey))
library(jsonlite)
options(survey.lonely.psu = "fail")
out_dir <- "tests/results"
data(api); data(nhanes)

tidy <- function(d) { names(d) <- gsub(".", "_", names(d), fixed = TRUE); d }
keep <- c("snum", "dnum", "stype", "api00", "api99", "enroll", "meals", "ell", "mobility",
          "awards", "sch_wide", "acs_k3", "pw", "fpc", "fpc1", "fpc2")
strat <- tidy(apistrat); clus1 <- tidy(apiclus1); clus2 <- tidy(apiclus2)
strat$sch_wide01 <- as.numeric(strat$sch_wide == "Yes")
clus1$sch_wide01 <- as.numeric(clus1$sch_wide == "Yes")
clus2$sch_wide01 <- as.numeric(clus2$sch_wide == "Yes")
nh <- nhanes
nh$agecat <- as.character(nh$agecat)
# a lonely-PSU variant: stratum 83 keeps only its PSU 1
nh$lonely_ok <- as.numeric(!(nh$SDMVSTRA == 83 & nh$SDMVPSU == 2))
nh$odd_stratum <- nh$SDMVSTRA %% 2  # a domain that holds only some strata

write_data <- function(d, name) {
  cols <- intersect(c(keep, "sch_wide01", names(nhanes), "lonely_ok", "odd_stratum"), names(d))
  write.csv(d[, cols], file.path(out_dir, paste0("survey_", name, ".csv")), row.names = FALSE)
}
write_data(strat, "apistrat"); write_data(clus1, "apiclus1"); write_data(clus2, "apiclus2")
write_data(nh, "nhanes")

designs <- list(
  strat_fpc = svydesign(id = ~1, strata = ~stype, weights = ~pw, fpc = ~fpc, data = strat),
  strat_nofpc = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = strat),
  clus1_fpc = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = clus1),
  clus1_nofpc = svydesign(id = ~dnum, weights = ~pw, data = clus1),
  clus2_uc = svydesign(id = ~dnum + snum, weights = ~pw, data = clus2),
  clus2_fpc = svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = clus2),
  nhanes = svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nh)
)
nhl <- nh[nh$lonely_ok == 1, ]
for (lp in c("remove", "adjust", "average", "certainty"))
  designs[[paste0("lonely_", lp)]] <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA,
                                                weights = ~WTMEC2YR, nest = TRUE, data = nhl)
lonely_of <- function(name) if (startsWith(name, "lonely_")) sub("lonely_", "", name) else "fail"

cases <- list()
add <- function(id, value) cases[[id]] <<- value

with_lonely <- function(name, expr) {
  old <- options(survey.lonely.psu = lonely_of(name)); on.exit(options(old)); force(expr)
}

group_df <- function(des, by) {
  # degf of every domain design (what svyciprop uses), in svyby's order
  f <- interaction(des$variables[, by, drop = FALSE], drop = TRUE, sep = "\r")
  sapply(levels(f), function(l) degf(subset(des, f == l)))
}

# mean / total with deff, overall and by group
stat_case <- function(name, fun, var, by = NULL, na.rm = FALSE) {
  des <- designs[[name]]
  FUN <- switch(fun, mean = svymean, total = svytotal)
  with_lonely(name, {
    fml <- as.formula(paste0("~", var))
    if (is.null(by)) {
      s <- FUN(fml, des, na.rm = na.rm, deff = TRUE)
      ci <- confint(s)
      list(fun = fun, design = name, variable = var, by = NULL, na_rm = na.rm,
           estimate = unname(coef(s)), se = unname(SE(s)), ci_low = ci[, 1], ci_high = ci[, 2],
           deff = unname(deff(s)), df = degf(des))
    } else {
      s <- svyby(fml, as.formula(paste0("~", paste(by, collapse = "+"))), des, FUN,
                 na.rm = na.rm, deff = TRUE)
      ci <- confint(s)
      o <- do.call(order, lapply(by, function(b) s[[b]]))  # first by column slowest, as Python
      grp <- lapply(by, function(b) as.character(s[[b]])[o]); names(grp) <- by
      list(fun = fun, design = name, variable = var, by = by, na_rm = na.rm, groups = grp,
           estimate = unname(coef(s))[o], se = unname(SE(s))[o], ci_low = unname(ci[, 1])[o],
           ci_high = unname(ci[, 2])[o], deff = unname(deff(s))[o],
           df = unname(group_df(des, by))[o])
    }
  })
}

prop_case <- function(name, var, by = NULL, na.rm = FALSE) {
  des <- designs[[name]]
  with_lonely(name, {
    lev <- sort(unique(na.omit(as.character(des$variables[[var]]))))
    rows <- list()
    for (l in lev) {
      des2 <- update(des, .ind = as.numeric(as.character(get(var)) == l))
      if (is.null(by)) {
        m <- svymean(~.ind, des2, na.rm = na.rm, deff = TRUE)
        cp <- svyciprop(~.ind, des2, method = "logit", na.rm = na.rm)
        rows[[l]] <- data.frame(level = l, estimate = coef(m), se = as.vector(SE(m)),
                                ci_low = attr(cp, "ci")[1], ci_high = attr(cp, "ci")[2],
                                deff = deff(m), df = degf(des2))
      } else {
        byf <- as.formula(paste0("~", paste(by, collapse = "+")))
        m <- svyby(~.ind, byf, des2, svymean, na.rm = na.rm, deff = TRUE)
        cp <- svyby(~.ind, byf, des2, svyciprop, method = "logit", vartype = "ci", na.rm = na.rm)
        r <- data.frame(level = l, estimate = coef(m), se = as.vector(SE(m)), ci_low = cp$ci_l,
                        ci_high = cp$ci_u, deff = deff(m), df = unname(group_df(des2, by)))
        for (b in by) r[[b]] <- as.character(m[[b]])
        rows[[l]] <- r
      }
    }
    r <- do.call(rbind, rows)
    if (!is.null(by)) r <- r[do.call(order, c(lapply(by, function(b) r[[b]]), list(match(r$level, lev)))), ]
    c(list(fun = "proportion", design = name, variable = var, by = by, na_rm = na.rm), as.list(r))
  })
}

ratio_case <- function(name, num, den, by = NULL) {
  des <- designs[[name]]
  if (is.null(by)) {
    r <- svyratio(as.formula(paste0("~", num)), as.formula(paste0("~", den)), des, deff = TRUE)
    ci <- confint(r)
    list(fun = "ratio", design = name, numerator = num, denominator = den, by = NULL,
         estimate = as.vector(coef(r)), se = as.vector(SE(r)), ci_low = ci[, 1], ci_high = ci[, 2],
         deff = as.vector(attr(r, "deff")), df = degf(des))
  } else {
    r <- svyby(as.formula(paste0("~", num)), as.formula(paste0("~", by)), des, svyratio,
               denominator = as.formula(paste0("~", den)), deff = TRUE)
    ci <- confint(r)
    grp <- list(as.character(r[[by]])); names(grp) <- by
    list(fun = "ratio", design = name, numerator = num, denominator = den, by = by, groups = grp,
         estimate = unname(coef(r)), se = unname(SE(r)), ci_low = unname(ci[, 1]),
         ci_high = unname(ci[, 2]), deff = unname(deff(r)), df = unname(group_df(des, by)))
  }
}

for (name in c("strat_fpc", "strat_nofpc", "clus1_fpc", "clus1_nofpc", "clus2_uc", "clus2_fpc")) {
  add(paste(name, "mean_api00", sep = ":"), stat_case(name, "mean", "api00"))
  add(paste(name, "mean_api00_by_stype", sep = ":"), stat_case(name, "mean", "api00", "stype"))
  add(paste(name, "total_enroll", sep = ":"), stat_case(name, "total", "enroll", na.rm = TRUE))
  add(paste(name, "total_enroll_by_stype", sep = ":"), stat_case(name, "total", "enroll", "stype", na.rm = TRUE))
  add(paste(name, "prop_awards", sep = ":"), prop_case(name, "awards"))
  add(paste(name, "prop_sch_wide_by_stype", sep = ":"), prop_case(name, "sch_wide", "stype"))
  add(paste(name, "ratio", sep = ":"), ratio_case(name, "api00", "api99"))
  add(paste(name, "ratio_by_stype", sep = ":"), ratio_case(name, "api00", "api99", "stype"))
}
add("strat_fpc:mean_acs_k3_narm", stat_case("strat_fpc", "mean", "acs_k3", na.rm = TRUE))
add("strat_fpc:mean_acs_k3_narm_by", stat_case("strat_fpc", "mean", "acs_k3", c("awards", "sch_wide"), na.rm = TRUE))
for (name in c("nhanes", "lonely_remove", "lonely_adjust", "lonely_average", "lonely_certainty")) {
  add(paste(name, "mean_hi_chol", sep = ":"), stat_case(name, "mean", "HI_CHOL", na.rm = TRUE))
  add(paste(name, "mean_hi_chol_by_race", sep = ":"), stat_case(name, "mean", "HI_CHOL", "race", na.rm = TRUE))
  add(paste(name, "total_hi_chol_by_sex_race", sep = ":"),
      stat_case(name, "total", "HI_CHOL", c("RIAGENDR", "race"), na.rm = TRUE))
  add(paste(name, "prop_agecat_by_sex", sep = ":"), prop_case(name, "agecat", "RIAGENDR"))
  add(paste(name, "mean_hi_chol_by_odd_stratum", sep = ":"),
      stat_case(name, "mean", "HI_CHOL", "odd_stratum", na.rm = TRUE))
}

# ---- raking, post-stratification, trimming (apiclus1 to apipop margins)
pop_stype <- data.frame(stype = c("E", "H", "M"), Freq = as.vector(table(apipop$stype)))
pop_sw <- data.frame(sch_wide = c("No", "Yes"), Freq = as.vector(table(apipop$sch.wide)))
cal <- list()
cal$rake_default <- rake(designs$clus1_fpc, list(~stype, ~sch_wide), list(pop_stype, pop_sw))
cal$rake_tight <- rake(designs$clus1_fpc, list(~stype, ~sch_wide), list(pop_stype, pop_sw),
                       control = list(maxit = 100, epsilon = 1e-12))
cal$rake_strat <- rake(designs$strat_fpc, list(~sch_wide, ~awards),
                       list(pop_sw, data.frame(awards = c("No", "Yes"), Freq = as.vector(table(apipop$awards)))),
                       control = list(maxit = 50, epsilon = 1e-10))
cal$poststrat <- postStratify(designs$clus1_fpc, ~stype, pop_stype)
cal$trim <- trimWeights(designs$strat_fpc, upper = 40, lower = 16)
cal$trim_raked <- trimWeights(cal$rake_tight, upper = 36)
margins <- list(stype = setNames(as.list(pop_stype$Freq), pop_stype$stype),
                sch_wide = setNames(as.list(pop_sw$Freq), pop_sw$sch_wide),
                awards = setNames(as.list(as.vector(table(apipop$awards))), c("No", "Yes")))
for (name in names(cal)) {
  designs[[name]] <- cal[[name]]
  add(paste(name, "weights", sep = ":"), list(fun = "weights", design = name, weights = unname(weights(cal[[name]]))))
  add(paste(name, "mean_api00", sep = ":"), stat_case(name, "mean", "api00"))
  add(paste(name, "mean_api00_by_stype", sep = ":"), stat_case(name, "mean", "api00", "stype"))
  add(paste(name, "total_enroll", sep = ":"), stat_case(name, "total", "enroll"))
  add(paste(name, "prop_awards", sep = ":"), prop_case(name, "awards"))
  add(paste(name, "ratio", sep = ":"), ratio_case(name, "api00", "api99"))
}

# ---- survey GLMs, fully converged
glm_case <- function(name, formula, family) {
  fam <- switch(family, gaussian = gaussian(), binomial = quasibinomial(), poisson = quasipoisson())
  with_lonely(name, {
    fit <- svyglm(as.formula(formula), designs[[name]], family = fam,
                  control = glm.control(epsilon = 1e-12, maxit = 100))
    tab <- summary(fit)$coefficients
    ci <- confint(fit, ddf = fit$df.residual)
    list(fun = "glm", design = name, formula = formula, family = family, term = rownames(tab),
         coef = unname(tab[, 1]), se = unname(tab[, 2]), t = unname(tab[, 3]), p = unname(tab[, 4]),
         ci_low = unname(ci[, 1]), ci_high = unname(ci[, 2]), df_resid = fit$df.residual)
  })
}
add("strat_fpc:glm_gauss", glm_case("strat_fpc", "api00 ~ ell + meals + mobility", "gaussian"))
add("strat_fpc:glm_logit", glm_case("strat_fpc", "sch_wide01 ~ ell + meals + stype", "binomial"))
add("clus1_fpc:glm_logit", glm_case("clus1_fpc", "sch_wide01 ~ ell + meals + stype", "binomial"))
add("clus2_fpc:glm_gauss", glm_case("clus2_fpc", "api00 ~ ell + meals + stype", "gaussian"))
add("clus2_uc:glm_logit", glm_case("clus2_uc", "sch_wide01 ~ ell + meals", "binomial"))
add("nhanes:glm_logit", glm_case("nhanes", "HI_CHOL ~ agecat + factor(RIAGENDR) + factor(race)", "binomial"))
add("lonely_adjust:glm_logit", glm_case("lonely_adjust", "HI_CHOL ~ agecat + factor(RIAGENDR)", "binomial"))
add("rake_tight:glm_gauss", glm_case("rake_tight", "api00 ~ ell + meals + stype", "gaussian"))
add("poststrat:glm_logit", glm_case("poststrat", "sch_wide01 ~ ell + meals", "binomial"))
add("strat_fpc:glm_poisson", glm_case("strat_fpc", "mobility ~ meals + stype", "poisson"))

# predict.svyglm on new data: response and link scale, delta-method SEs
pred_case <- function(name, formula, family, newdata) {
  fam <- switch(family, gaussian = gaussian(), binomial = quasibinomial(), poisson = quasipoisson())
  fit <- svyglm(as.formula(formula), designs[[name]], family = fam,
                control = glm.control(epsilon = 1e-12, maxit = 100))
  resp <- predict(fit, newdata = newdata, type = "response")
  link <- predict(fit, newdata = newdata, type = "link")
  list(fun = "predict", design = name, formula = formula, family = family, newdata = newdata,
       estimate = unname(coef(resp)), se = unname(SE(resp)),
       link = unname(coef(link)), link_se = unname(SE(link)))
}
new_schools <- data.frame(ell = c(10, 40, 25), meals = c(20, 80, 50), stype = c("E", "H", "M"))
add("strat_fpc:predict_logit", pred_case("strat_fpc", "sch_wide01 ~ ell + meals + stype", "binomial", new_schools))
add("strat_fpc:predict_poisson", pred_case("strat_fpc", "mobility ~ meals + stype", "poisson", new_schools))

writeLines(toJSON(list(r_version = R.version.string, survey_version = as.character(packageVersion("survey")),
                       margins = margins, cases = cases),
                  digits = NA, auto_unbox = TRUE, null = "null", na = "null"),
           file.path(out_dir, "survey_fixtures.json"))
cat("wrote", length(cases), "cases\n")
