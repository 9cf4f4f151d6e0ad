# R side of benchmarks/survey.py: the same six steps with R's survey package.
# Usage: Rscript benchmarks/survey.R DIR   (DIR holds data.csv and margins.json written by survey.py)
# Writes DIR/r_results.json (per-step seconds, estimates, peak memory) and DIR/r_weights.csv.
suppressMessages(library(survey))
library(jsonlite)
dir <- commandArgs(trailingOnly = TRUE)[1]
df <- read.csv(file.path(dir, "data.csv"))
margins <- fromJSON(file.path(dir, "margins.json"))
invisible(gc(reset = TRUE))
secs <- list(); res <- list()
tick <- function(name, expr) {
  t <- system.time(value <- force(expr))[["elapsed"]]
  secs[[name]] <<- t
  value
}
des <- tick("build", svydesign(id = ~psu, strata = ~stratum, weights = ~w, data = df, nest = TRUE))
m <- tick("mean", svymean(~x1 + y, des))
res$mean <- list(estimate = unname(coef(m)), se = unname(SE(m)))
p <- tick("proportion_by_group", svyby(~factor(y), ~group, des, svymean))
res$proportion <- list(estimate = as.vector(t(as.matrix(p[, 2:3]))), se = as.vector(t(as.matrix(SE(p)))))
g <- tick("glm", svyglm(y ~ x1 + x2 + x3, des, family = quasibinomial(),
                        control = glm.control(epsilon = 1e-12, maxit = 100)))
res$glm <- list(coef = unname(coef(g)), se = unname(SE(g)))
pop_g <- data.frame(group = names(margins$group), Freq = unlist(margins$group))
pop_r <- data.frame(region = names(margins$region), Freq = unlist(margins$region))
r <- tick("rake", rake(des, list(~group, ~region), list(pop_g, pop_r)))
mr <- tick("mean_raked", svymean(~x1 + y, r))
res$mean_raked <- list(estimate = unname(coef(mr)), se = unname(SE(mr)))
mem <- gc()
write.csv(data.frame(w = weights(r)), file.path(dir, "r_weights.csv"), row.names = FALSE)
writeLines(toJSON(list(seconds = secs, results = res, peak_mb = sum(mem[, ncol(mem)]),
                       survey = as.character(packageVersion("survey"))),
                  digits = NA, auto_unbox = TRUE),
           file.path(dir, "r_results.json"))
