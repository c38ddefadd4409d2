#!/usr/bin/env Rscript
# Golden values for REML meta-analysis where metafor's default Fisher scoring does not converge
# (tests/evidence/test_meta_reml.py; issue 11).
#
# Oracle: R metafor 3.8-1 rma(measure=M, xi=x, ni=n, method="REML"). For each input set the script
# records whether the default call (threshold 1e-5, maxiter 100, stepadj 1) converges; the reference
# REML optimum is then metafor itself with step halving and a tight stopping rule
# (control = list(stepadj = 0.5, maxiter = 1e5, threshold = 1e-14)), cross-checked against
# optimize() on metafor's own REML log-likelihood (logLik of rma with tau2 fixed).
# Inputs: the case hypothesis found (issue 11), zero-heavy and homogeneous sets, and random small
# sets (seeded) on which the default call fails.
#
# Run from the repository root:
#   R_LIBS_USER=~/.oncotrial-rlib Rscript tools/golden_meta_reml.R
# Writes tests/evidence/golden/meta_reml_golden.json.
suppressMessages({ library(metafor); library(jsonlite) })

inputs <- list(
  hypothesis_issue11 = list(x = c(1, 1, 1, 1, 2), n = c(1, 1, 1, 1, 7), measure = "PLO"),
  zero_heavy_plo     = list(x = c(0, 0, 0, 1, 0, 0), n = c(10, 12, 8, 15, 20, 9), measure = "PLO"),
  zero_heavy_pft     = list(x = c(0, 0, 0, 1, 0, 0), n = c(10, 12, 8, 15, 20, 9), measure = "PFT"),
  all_events_plo     = list(x = c(5, 7, 3, 6), n = c(5, 7, 3, 6), measure = "PLO"),
  homogeneous_plo    = list(x = c(2, 4, 6, 8), n = c(10, 20, 30, 40), measure = "PLO"),
  homogeneous_pft    = list(x = c(2, 4, 6, 8), n = c(10, 20, 30, 40), measure = "PFT"),
  ones_plo           = list(x = c(1, 1, 0, 1), n = c(1, 1, 1, 1), measure = "PLO")
)
set.seed(11)
found <- 0
for (i in 1:20000) {
  k <- sample(3:8, 1)
  n <- sample(1:(if (i %% 2) 8 else 40), k, replace = TRUE)
  x <- sapply(n, function(m) sample(0:m, 1))
  measure <- sample(c("PLO", "PFT"), 1)
  r <- try(rma(measure = measure, xi = x, ni = n, method = "REML"), silent = TRUE)
  if (inherits(r, "try-error") && grepl("did not converge", r)) {
    found <- found + 1
    inputs[[sprintf("random_%02d", found)]] <- list(x = x, n = n, measure = measure)
    if (found >= 12) break
  }
}

out <- list(`_meta` = list(R = R.version.string, metafor = format(packageVersion("metafor")),
                           random_sets_searched = i))
for (nm in names(inputs)) {
  e <- inputs[[nm]]
  d <- try(rma(measure = e$measure, xi = e$x, ni = e$n, method = "REML"), silent = TRUE)
  default_converges <- !inherits(d, "try-error")
  r <- rma(measure = e$measure, xi = e$x, ni = e$n, method = "REML",
           control = list(stepadj = 0.5, maxiter = 1e5, threshold = 1e-14))
  # cross-check: maximise the REML log-likelihood over tau2 directly
  ll <- function(t2) as.numeric(logLik(rma(measure = e$measure, xi = e$x, ni = e$n, method = "REML",
                                           tau2 = t2)))
  hi <- max(10, 100 * r$tau2)
  opt <- optimize(ll, c(0, hi), maximum = TRUE, tol = 1e-12)
  best <- if (ll(0) >= opt$objective) 0 else opt$maximum
  out[[nm]] <- list(x = e$x, n = e$n, measure = e$measure, default_converges = default_converges,
                    tau2 = r$tau2, b = as.numeric(r$b), se = r$se, ci_lb = r$ci.lb, ci_ub = r$ci.ub,
                    tau2_optimize = best)
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           "tests/evidence/golden/meta_reml_golden.json")
cat("sets:", length(inputs), " random sets searched:", i, "\n")
