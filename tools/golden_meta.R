#!/usr/bin/env Rscript
# Golden values for oncotrial.evidence.meta_proportion (tests/evidence/test_meta.py).
#
# Oracle: R metafor -- rma(measure="PLO"/"PFT", method="REML"/"DL") with predict(transf=...)
# and rma.glmm(measure="PLO") (lme4::glmer, nAGQ = 7). For the GLMM the script additionally
# re-optimises lme4's own deviance function (glmer(devFunOnly = TRUE)) to a tight tolerance and
# takes a numDeriv Hessian there ("exact" block): lme4's default optimiser stops with a parameter
# precision of ~1e-4..1e-6, so the "exact" block is what a 1e-6 comparison can be made against.
#
# Run from the repository root:  Rscript tools/golden_meta.R
# Writes tests/evidence/golden/meta_golden.json (one entry per input set and method).
suppressMessages({
  library(metafor)
  library(lme4)
  library(jsonlite)
  library(numDeriv)
})

inputs <- list(
  hand3      = list(x = c(2, 5, 9), n = c(10, 20, 30)),
  zero_cell  = list(x = c(0, 3, 7, 1), n = c(10, 15, 20, 12)),
  all_cell   = list(x = c(10, 3, 4), n = c(10, 12, 15)),
  k2         = list(x = c(4, 10), n = c(20, 25)),
  homogeneous = list(x = c(5, 10, 15), n = c(20, 40, 60)),
  heterogeneous = list(x = c(1, 12, 30, 2, 18), n = c(40, 25, 45, 30, 22)),
  # ORR counts derived from the seed records (see src/oncotrial/evidence/records/):
  # NET-001 avelumab, KN-158 pembro, pembro mono, pembro+chemo, toripalimab NEC, tori+suru (2),
  # spartalizumab GEP-NEC, DART NEC, CA209-538 GEP-NEC, ref 235, DUNE, NICE-NEC, TALENT (2)
  seed_orr   = list(x = c(0, 1, 1, 2, 6, 3, 4, 1, 8, 2, 5, 3, 21, 23, 9),
                    n = c(10, 29, 14, 22, 32, 13, 20, 21, 18, 4, 19, 33, 37, 52, 55))
)
set.seed(20240611)
k <- 60
n <- sample(15:120, k, replace = TRUE)
p <- plogis(rnorm(k, qlogis(0.25), 0.6))
inputs$large_k <- list(x = rbinom(k, n, p), n = n)

dig <- 17
out <- list()
for (nm in names(inputs)) {
  x <- inputs[[nm]]$x; n <- inputs[[nm]]$n
  entry <- list(x = x, n = n)
  for (measure in c("PLO", "PFT")) {
    for (method in c("REML", "DL")) {
      res <- rma(measure = measure, xi = x, ni = n, method = method)
      tf <- if (measure == "PLO") transf.ilogit else transf.ipft.hm
      pr <- if (measure == "PLO") predict(res, transf = tf) else predict(res, transf = tf, targs = list(ni = n))
      entry[[paste(measure, method, sep = "_")]] <- list(
        yi = as.numeric(res$yi), vi = as.numeric(res$vi),
        b = as.numeric(res$b), se = res$se, ci_lb = res$ci.lb, ci_ub = res$ci.ub,
        zval = res$zval, pval = res$pval,
        tau2 = res$tau2, se_tau2 = res$se.tau2, I2 = res$I2, H2 = res$H2,
        QE = res$QE, QEp = res$QEp, k = res$k,
        weights = as.numeric(weights(res)),
        pred = pr$pred, pred_ci_lb = pr$ci.lb, pred_ci_ub = pr$ci.ub,
        pred_pi_lb = pr$pi.lb, pred_pi_ub = pr$pi.ub)
    }
  }
  # GLMM: metafor defaults, then the tight re-optimisation of lme4's deviance.
  g <- try(rma.glmm(measure = "PLO", xi = x, ni = n), silent = TRUE)
  if (!inherits(g, "try-error")) {
    pr <- predict(g, transf = transf.ilogit)
    study <- factor(seq_along(x))
    fit <- glmer(cbind(x, n - x) ~ 1 + (1 | study), family = binomial, nAGQ = 7)
    dev <- glmer(cbind(x, n - x) ~ 1 + (1 | study), family = binomial, nAGQ = 7, devFunOnly = TRUE,
                 control = glmerControl(tolPwrss = 1e-13))
    start <- c(getME(fit, "theta"), fixef(fit))
    opt <- nlminb(start, dev, lower = c(0, -Inf), control = list(rel.tol = 1e-15, x.tol = 1e-12, eval.max = 5000, iter.max = 5000))
    opt2 <- optim(opt$par, dev, method = "L-BFGS-B", lower = c(0, -Inf),
                  control = list(factr = 1, pgtol = 0, maxit = 5000))
    par <- if (opt2$value < opt$objective) opt2$par else opt$par
    tau <- par[1]; beta <- par[2]
    if (tau > 1e-4) {
      H <- numDeriv::hessian(dev, par)
      V <- solve(H / 2)
      se <- sqrt(V[2, 2])
    } else {
      # boundary: theta fixed at 0, Hessian in beta only (as lme4 does for a singular fit)
      H <- numDeriv::hessian(function(b) dev(c(0, b)), beta)
      se <- sqrt(1 / (H[1, 1] / 2))
    }
    entry$GLMM <- list(
      metafor = list(b = as.numeric(g$b), se = g$se, ci_lb = g$ci.lb, ci_ub = g$ci.ub,
                     tau2 = g$tau2, I2 = g$I2, H2 = g$H2, QE_LRT = g$QE.LRT, QEp_LRT = g$QEp.LRT,
                     QE_Wld = g$QE.Wld, k = g$k,
                     pred = pr$pred, pred_ci_lb = pr$ci.lb, pred_ci_ub = pr$ci.ub,
                     pred_pi_lb = pr$pi.lb, pred_pi_ub = pr$pi.ub),
      exact = list(tau = tau, tau2 = tau^2, b = beta, se = se, deviance = dev(par)))
  }
  out[[nm]] <- entry
}
out$`_meta` <- list(generator = "tools/golden_meta.R", R = R.version.string,
                    metafor = as.character(packageVersion("metafor")),
                    lme4 = as.character(packageVersion("lme4")))
writeLines(toJSON(out, digits = dig, auto_unbox = TRUE, pretty = TRUE, na = "null"),
           "tests/evidence/golden/meta_golden.json")
cat("wrote tests/evidence/golden/meta_golden.json\n")
