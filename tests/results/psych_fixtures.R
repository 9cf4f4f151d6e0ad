# Golden values for toolkit.scales from R psych 2.2.9 (R 4.2).
# Run from the repo root:  Rscript tests/results/psych_fixtures.R
# Writes the public datasets as CSV (so tests never need R) and
# tests/results/psych_fixtures.json with psych::alpha, psych::omega(nfactors = 1)
# and psych::scoreItems results for several scales.
suppressPackageStartupMessages({library(psych); library(jsonlite)})
stopifnot(packageVersion("psych") == "2.2.9")
out <- "tests/results"

data(bfi)
data(bock)
bfi_items <- bfi[, 1:25]
write.csv(bfi_items, file.path(out, "psych_bfi.csv"), row.names = FALSE, na = "")
lsat6_df <- as.data.frame(lsat6)
write.csv(lsat6_df, file.path(out, "psych_lsat6.csv"), row.names = FALSE)
lsat7_df <- as.data.frame(lsat7)
write.csv(lsat7_df, file.path(out, "psych_lsat7.csv"), row.names = FALSE)

# minres as psych::fa does it, but converged to the optimum (psych calls optim's
# L-BFGS-B with its default factr = 1e7, which stops a little short).
minres1 <- function(R, flip) {
  fn <- function(Psi, S) {
    diag(S) <- 1 - Psi
    e <- eigen(S, symmetric = TRUE)
    L <- e$vectors[, 1] * sqrt(max(e$values[1], 100 * .Machine$double.eps))
    res <- (S - L %*% t(L))
    sum(res[lower.tri(res)]^2)
  }
  gr <- function(Psi, S) {
    e <- eigen(S - diag(Psi), symmetric = TRUE)
    L <- e$vectors[, 1] * sqrt(max(e$values[1], 0))
    diag(L %*% t(L) + diag(Psi) - S)
  }
  start <- diag(R) - smc(R)
  res <- optim(start, fn, gr, method = "L-BFGS-B", lower = 0.005, upper = max(smc(R), 1),
               control = list(parscale = rep(0.01, length(start)), factr = 1, pgtol = 0, maxit = 10000), S = R)
  S <- R
  diag(S) <- diag(S) - res$par
  e <- eigen(S, symmetric = TRUE)
  L <- e$vectors[, 1] * sqrt(max(e$values[1], 0))
  if (sum(L) < 0) L <- -L
  key <- if (flip) sign(L) else rep(1, length(L)); key[key == 0] <- 1
  m <- diag(key) %*% R %*% diag(key)
  L <- L * key
  Vt <- sum(m)
  list(loadings = L, omega_total = (Vt - sum(1 - L^2)) / Vt, omega_h = sum(L)^2 / Vt)
}

case <- function(name, x, keys = NULL, listwise = FALSE) {
  if (listwise) x <- na.omit(x)
  a <- suppressWarnings(psych::alpha(x, keys = keys, warnings = FALSE))
  # omega on the keyed items (psych::omega reverses with `key`, a +-1 vector, and then
  # does not flip items by the sign of their loading; without a key it flips them)
  key <- ifelse(colnames(x) %in% keys, -1, 1)
  om <- suppressMessages(suppressWarnings(
    if (is.null(keys)) psych::omega(x, nfactors = 1, plot = FALSE)
    else psych::omega(x, nfactors = 1, key = key, plot = FALSE)))
  R <- cor(as.matrix(x), use = "pairwise")
  Rk <- diag(key) %*% R %*% diag(key)
  conv <- minres1(Rk, flip = is.null(keys))
  list(
    name = name, items = colnames(x), keys = if (is.null(keys)) character(0) else keys,
    listwise = listwise, nrow = nrow(x),
    alpha = list(
      alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha, g6 = a$total[["G6(smc)"]],
      average_r = a$total$average_r, signal_noise = a$total[["S/N"]], ase = a$total$ase,
      mean = a$total$mean, sd = a$total$sd, median_r = a$total$median_r,
      ci_low = a$feldt$lower.ci[[1]], ci_high = a$feldt$upper.ci[[1]]
    ),
    item = list(
      n = unname(a$item.stats$n), raw_r = unname(a$item.stats$raw.r), std_r = unname(a$item.stats$std.r),
      r_cor = unname(a$item.stats$r.cor), r_drop = unname(a$item.stats$r.drop),
      mean = unname(a$item.stats$mean), sd = unname(a$item.stats$sd),
      alpha_if_deleted = unname(a$alpha.drop$raw_alpha), std_alpha_if_deleted = unname(a$alpha.drop$std.alpha),
      average_r_if_deleted = unname(a$alpha.drop$average_r)
    ),
    omega = list(
      omega_total = om$omega.tot, omega_h = om$omega_h, alpha = om$alpha, g6 = om$G6,
      loadings = unname(om$schmid$sl[, 1])
    ),
    omega_converged = conv
  )
}

bfi_keys <- list(agree = c("-A1", "A2", "A3", "A4", "A5"),
                 conscientious = c("C1", "C2", "C3", "-C4", "-C5"),
                 extraversion = c("-E1", "-E2", "E3", "E4", "E5"),
                 neuroticism = c("N1", "N2", "N3", "N4", "N5"),
                 openness = c("O1", "-O2", "O3", "O4", "-O5"))
cases <- list()
for (s in names(bfi_keys)) {
  k <- bfi_keys[[s]]
  items <- sub("-", "", k)
  rev <- items[startsWith(k, "-")]
  cases[[length(cases) + 1]] <- case(paste0("bfi_", s), bfi_items[, items], keys = rev)
}
cases[[length(cases) + 1]] <- case("bfi_agree_listwise", bfi_items[, paste0("A", 1:5)], keys = "A1", listwise = TRUE)
cases[[length(cases) + 1]] <- case("bfi_neuroticism_listwise", bfi_items[, paste0("N", 1:5)], listwise = TRUE)
cases[[length(cases) + 1]] <- case("lsat6", lsat6_df)
cases[[length(cases) + 1]] <- case("lsat7", lsat7_df)
cases[[length(cases) + 1]] <- case("bfi_all25_unkeyed", bfi_items)

# scoreItems, no imputation: mean of the valid keyed items on the items' own 1..6 range
sc <- scoreItems(bfi_keys, bfi_items, impute = "none", min = 1, max = 6)
write.csv(as.data.frame(sc$scores), file.path(out, "psych_bfi_scores.csv"), row.names = FALSE, na = "")

fixture <- list(psych_version = as.character(packageVersion("psych")),
                r_version = R.version.string, bfi_keys = bfi_keys, cases = cases)
writeLines(toJSON(fixture, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           file.path(out, "psych_fixtures.json"))

# Mantel-Haenszel DIF reference (stats::mantelhaen.test): bfi agreeableness items dichotomised
# (answer >= 4 = 1), complete cases, gender 1 (reference) vs 2, stratified on the rest score.
dif_items <- paste0("A", 1:5)
d <- na.omit(bfi[, c(dif_items, "gender")])
x <- (as.matrix(d[, dif_items]) >= 4) * 1
dif_rows <- list()
for (it in dif_items) {
  rest <- rowSums(x[, setdiff(dif_items, it)])
  keep <- rest %in% as.numeric(names(which(table(rest) > 1)))
  tab <- table(factor(d$gender[keep], levels = 1:2), factor(1 - x[keep, it], levels = 0:1), rest[keep])
  mh <- mantelhaen.test(tab, correct = TRUE)
  dif_rows[[it]] <- list(item = it, alpha_mh = unname(mh$estimate), chi2 = unname(mh$statistic),
                         p_value = mh$p.value)
}
fixture$mantel_haenszel <- list(items = dif_items, group = "gender", reference = 1, rows = unname(dif_rows))
write.csv(bfi[, c(dif_items, "gender")], file.path(out, "psych_bfi_dif.csv"), row.names = FALSE, na = "")
writeLines(toJSON(fixture, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           file.path(out, "psych_fixtures.json"))
