# Golden values for near-tied times across groups (issue 18): R survfit / survdiff merge
# near-ties (aeqSurv, timefix = TRUE) on the POOLED times, before splitting by group.
#
#   R_LIBS_USER=$HOME/.oncotrial-rlib Rscript tools/golden_timefix.R
#
# writes tests/stats/golden/km_by_timefix.json. R 4.2.2, survival 3.5-3.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
num17 <- function(x) structure(paste0("[", paste(sprintf("%.17g", x), collapse = ","), "]"),
                               class = "json")
sets <- list(
  list(name = "issue18_7.0_vs_7.00000004",
       time = c(2, 3, 5, 7.0, 7.0, 9, 11, 1, 4, 6, 7.00000004, 8, 10, 12),
       event = c(1, 0, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1),
       group = c(rep("A", 7), rep("B", 7))),
  list(name = "relative_tie_large_times",
       time = c(1000, 1000 * (1 + 1e-9), 2000, 2500, 3000, 1000 * (1 + 2e-9), 1500, 2000, 2600),
       event = c(1, 1, 0, 1, 1, 1, 1, 1, 0),
       group = c("x", "y", "x", "y", "x", "y", "x", "y", "z")))
out <- lapply(sets, function(s) {
  fit <- survfit(Surv(s$time, s$event) ~ s$group)
  sm <- summary(fit, censored = TRUE)
  lr <- survdiff(Surv(s$time, s$event) ~ s$group)
  list(name = s$name, time = num17(s$time), event = s$event, group = s$group,
       strata = sub("^s\\$group=", "", as.character(sm$strata)), km_time = num17(sm$time),
       n_risk = sm$n.risk, n_event = sm$n.event, surv = num17(sm$surv),
       logrank_chisq = sprintf("%.17g", lr$chisq), logrank_obs = lr$obs, logrank_exp = num17(lr$exp))
})
meta <- list(R = R.version.string, survival = as.character(packageVersion("survival")),
             script = "tools/golden_timefix.R")
writeLines(toJSON(list(meta = meta, sets = out), digits = NA, auto_unbox = TRUE,
                  json_verbatim = TRUE),
           file.path("tests", "stats", "golden", "km_by_timefix.json"))
