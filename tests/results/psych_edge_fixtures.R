# Golden values for the scales edge cases (tests/scales/test_edge_*.py), from R psych 2.2.9,
# GPArotation, survey 4.1 and stats::mantelhaen.test.
# Run from the repository root:  Rscript tests/results/psych_edge_fixtures.R
# Writes the data subsets it uses as tests/results/psych_edge_*.csv and every value to
# tests/results/psych_edge_fixtures.json, keyed by case id.
suppressPackageStartupMessages({library(psych); library(GPArotation); library(survey); library(jsonlite)})
stopifnot(packageVersion("psych") == "2.2.9")
out <- "tests/results"
data(bfi)
cases <- list()
add <- function(id, value) cases[[id]] <<- value
caught <- function(expr) {
  msgs <- character(0)
  val <- withCallingHandlers(expr, warning = function(w) {
    msgs <<- c(msgs, conditionMessage(w)); invokeRestart("muffleWarning") })
  list(value = val, warnings = msgs)
}

## 1. Mantel-Haenszel with sparse strata: the continuity correction only when |sum(a - E(a))| >= 0.5
# Three 0/1 items; 40 reference respondents, 2 focal ones (one in each of two middle strata).
set.seed(11)
ref <- matrix(rbinom(40 * 3, 1, rep(c(0.3, 0.5, 0.7), each = 40)), 40, 3)
foc <- rbind(c(1, 0, 0), c(1, 1, 0))
mh <- data.frame(rbind(ref, foc)); names(mh) <- c("k1", "k2", "k3")
mh$grp <- c(rep("ref", 40), rep("foc", 2))
write.csv(mh, file.path(out, "psych_edge_mh.csv"), row.names = FALSE)
items <- c("k1", "k2", "k3")
for (j in items) {
  score <- rowSums(mh[, items])  # matching on the total score, the studied item included
  keep_stratum <- sapply(split(mh$grp, score), function(g) length(g) >= 2 && length(unique(g)) == 2)
  use <- score %in% as.numeric(names(keep_stratum)[keep_stratum])
  tab <- table(factor(mh$grp[use], levels = c("ref", "foc")),
               factor(1 - mh[[j]][use], levels = c(0, 1)), score[use])
  t1 <- mantelhaen.test(tab, correct = TRUE)
  add(paste0("mh_", j), list(item = j, strata = dim(tab)[3], chi2 = unname(t1$statistic),
                             p_value = t1$p.value, alpha_mh = unname(t1$estimate)))
}

## 2. omega with a Schmid-Leiman solution (fm = "minres", rotate = "oblimin")
bfi12 <- bfi[, 1:12]
write.csv(bfi12, file.path(out, "psych_edge_bfi12.csv"), row.names = FALSE, na = "")
omega_case <- function(x, nf) {
  o <- suppressMessages(omega(x, nfactors = nf, plot = FALSE))
  sl <- o$schmid$sl
  list(nfactors = nf, omega_h = o$omega_h, omega_total = o$omega.tot, alpha = o$alpha, g6 = o$G6,
       omega_group_total = unname(o$omega.group[, "total"]),
       omega_group_general = unname(o$omega.group[, "general"]),
       omega_group_group = unname(o$omega.group[, "group"]),
       g_loadings = unname(sl[, 1]), group_loadings = unname(sl[, 2:(nf + 1)]),
       h2 = unname(sl[, "h2"]), u2 = unname(sl[, "u2"]), items = rownames(sl),
       key = unname(o$key))
}
add("omega_bfi12_3", omega_case(bfi12, 3))
add("omega_bfi12_2", omega_case(bfi12, 2))
add("omega_bfi12_4", omega_case(bfi12, 4))

## 3. alpha: undeclared reverse-keyed items, and check.keys = TRUE
a5 <- bfi[, c("A1", "A2", "A3", "A4", "A5")]
plain <- caught(psych::alpha(a5))
add("alpha_unkeyed", list(alpha = plain$value$total$raw_alpha, warnings = plain$warnings))
ck <- caught(psych::alpha(a5, check.keys = TRUE))
add("alpha_check_keys", list(alpha = ck$value$total$raw_alpha, std_alpha = ck$value$total$std.alpha,
                             reversed = names(a5)[ck$value$keys[[1]] < 0], warnings = ck$warnings,
                             keys = unname(ck$value$keys[[1]])))

## 4. weighted reliability: Kish effective n, and a linearised (design-based) interval
c5 <- na.omit(data.frame(bfi[, c("C1", "C2", "C3", "C4", "C5", "age")]))
c5 <- c5[c5$age >= 18 & c5$age <= 60, ]
set.seed(2026)
c5$w <- round(exp(rnorm(nrow(c5), 0, 0.9)), 4)  # ESS-like design weights
c5$stratum <- cut(c5$age, c(17, 25, 35, 60), labels = c("a18_25", "a26_35", "a36_60"))
c5$C4r <- 7 - c5$C4; c5$C5r <- 7 - c5$C5
write.csv(c5, file.path(out, "psych_edge_weighted.csv"), row.names = FALSE)
vars <- c("C1", "C2", "C3", "C4r", "C5r")
des <- svydesign(ids = ~1, strata = ~stratum, weights = ~w, data = c5)
sv <- svyvar(as.formula(paste("~", paste(vars, collapse = "+"))), des)
C <- as.matrix(sv); p <- length(vars)
S <- sum(C); Tr <- sum(diag(C))
a_w <- p / (p - 1) * (1 - Tr / S)
grad <- p / (p - 1) * (-diag(p) / S + Tr / S^2)  # d alpha / d C
V <- attr(sv, "var")  # covariance of vec(C)
se_lin <- sqrt(drop(t(as.vector(grad)) %*% V %*% as.vector(grad)))
n_eff <- sum(c5$w)^2 / sum(c5$w^2)
feldt <- alpha.ci(a_w, n.obs = n_eff, n.var = p)
Q <- (2 * p^2 / ((p - 1)^2 * S^3)) * (S * (sum(diag(C %*% C)) + Tr^2) - 2 * Tr * sum(C %*% C))
df <- degf(des)
add("weighted_alpha", list(alpha = a_w, n = nrow(c5), n_eff = n_eff, feldt_low = feldt$lower.ci,
                           feldt_high = feldt$upper.ci, ase_kish = sqrt(Q / n_eff), se_design = se_lin,
                           df = df, design_low = a_w - qt(0.975, df) * se_lin,
                           design_high = a_w + qt(0.975, df) * se_lin, items = vars))

writeLines(toJSON(list(cases = cases), digits = NA, auto_unbox = TRUE, pretty = TRUE),
           file.path(out, "psych_edge_fixtures.json"))
