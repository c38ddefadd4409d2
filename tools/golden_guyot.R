#!/usr/bin/env Rscript
# Golden values for oncotrial.evidence.reconstruct_ipd (tests/evidence/test_guyot_golden.py).
#
# Oracle: R IPDfromKM 0.1.10 (preprocess + getIPD; Liu, Zhou & Lee 2021), survival::survfit.
# 60 random "digitisations": a trial is simulated (exponential event times, uniform censoring),
# its Kaplan-Meier curve is read off as a reader with a digitiser would (the corners of a random
# subset of the steps, to 3 decimals), and the risk table is printed every 3 months. In 30 of the
# 60 runs every point of one randomly chosen interior risk-table interval is deleted, so that
# interval holds no digitised point (the case that ran away in oncotrial before issue 20); sparse
# digitisation empties further intervals by chance. Half the runs give the total number of
# events. IPDfromKM's preprocess drops outlying clicks, so the points IPDfromKM actually used
# (preprocessdat) are what the Python test feeds to reconstruct_ipd.
#
# Run from the repository root:
#   R_LIBS_USER=$HOME/.oncotrial-rlib Rscript tools/golden_guyot.R
# Writes tests/evidence/golden/guyot_golden.json.
suppressMessages({
  library(IPDfromKM)
  library(survival)
  library(jsonlite)
})

km_at <- function(fit, t) {
  s <- summary(fit, times = t, extend = TRUE)$surv
  as.numeric(s)
}
km_median <- function(fit) {
  m <- unname(summary(fit)$table["median"])
  if (is.na(m)) NULL else m
}

landmarks <- c(3, 6, 9, 12, 18)
set.seed(20261201)
runs <- list()
for (run in 1:60) {
  n <- sample(40:150, 1)
  med <- runif(1, 5, 14)
  et <- rexp(n, log(2) / med)
  ct <- runif(n, 6, 36)
  time <- pmin(et, ct)
  status <- as.integer(et <= ct)
  fit <- survfit(Surv(time, status) ~ 1)
  ev <- fit$time[fit$n.event > 0]
  sv <- fit$surv[fit$n.event > 0]
  prev <- c(1, head(sv, -1))
  keep <- runif(length(ev)) < runif(1, 0.35, 0.9)
  keep[length(keep)] <- TRUE
  tt <- round(c(ev[keep] - 1e-3, ev[keep]), 3)
  ss <- round(c(prev[keep], sv[keep]), 3)
  o <- order(tt, -ss)
  tt <- tt[o]; ss <- ss[o]
  ss <- cummin(ss)
  # one survival per time (the lower one at a vertical step)
  dat <- aggregate(ss, by = list(tt), FUN = min)
  names(dat) <- c("time", "surv")
  trisk <- seq(0, 36, by = 3)
  trisk <- trisk[trisk <= max(time)]
  nrisk <- summary(fit, times = trisk, extend = TRUE)$n.risk
  emptied <- NULL
  if (run %% 2 == 0) {
    inner <- which(trisk > 0 & trisk < max(dat$time) - 3)
    if (length(inner) > 0) {
      j <- if (length(inner) == 1) inner else sample(inner, 1)
      drop <- dat$time >= trisk[j] & dat$time < trisk[j] + 3
      dat <- dat[!drop, ]
      emptied <- trisk[j]
    }
  }
  tot <- if (run %% 4 %in% c(1, 2)) sum(status) else NULL
  pre <- preprocess(dat = dat, trisk = trisk, nrisk = nrisk, maxy = 1)
  est <- getIPD(prep = pre, armID = 1, tot.events = tot)
  rfit <- survfit(Surv(est$IPD$time, est$IPD$status) ~ 1)
  pts <- pre$preprocessdat
  runs[[run]] <- list(
    run = run,
    t = pts$time, s = pts$surv,
    risk_times = trisk, n_risk = nrisk,
    total_events = tot,
    emptied_interval_start = emptied,
    n_intervals_used_by_ipdfromkm = nrow(pre$intervalIndex),
    truth = list(n = n, events = sum(status), surv = km_at(fit, landmarks),
                 median = km_median(fit)),
    ipdfromkm = list(n = nrow(est$IPD), events = sum(est$IPD$status),
                     surv = km_at(rfit, landmarks), median = km_median(rfit),
                     rmse = unname(est$precision["RMSE"]))
  )
}
out <- list(
  generated_by = "tools/golden_guyot.R",
  r_version = R.version.string,
  ipdfromkm_version = as.character(packageVersion("IPDfromKM")),
  landmarks = landmarks,
  runs = runs
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", pretty = FALSE),
           "tests/evidence/golden/guyot_golden.json")
cat("wrote tests/evidence/golden/guyot_golden.json:", length(runs), "runs\n")
