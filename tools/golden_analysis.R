# Goldens of the analysis layer (issue 12): analysis sets, Bayesian ORR, comparisons.
# Usage (from the repository root, after `oncotrial demo --out DEMO` and
# `oncotrial analyze examples/pharmaverse.toml --out PV`):
#   R_LIBS_USER=$HOME/.oncotrial-rlib Rscript tools/golden_analysis.R DEMO PV
# writes tests/analysis/golden/analysis_goldens.json. R packages: survival, jsonlite.
suppressPackageStartupMessages({library(survival); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
demo <- args[1]; pv <- args[2]
rd <- function(dir, name) read.csv(file.path(dir, "adam", paste0(name, ".csv")),
                                   stringsAsFactors = FALSE, na.strings = "")
out <- list()

# NICE-NEC: Kaplan-Meier on the full analysis set (EFFFL = Y, 37 eligible)
adsl <- rd(file.path(demo, "nice-nec"), "adsl"); adtte <- rd(file.path(demo, "nice-nec"), "adtte")
ids <- adsl$USUBJID[adsl$ANL_FAS == "Y"]
for (p in c("OS", "PFS")) {
  d <- adtte[adtte$PARAMCD == p & adtte$USUBJID %in% ids & is.na(adtte$EVALUATOR) |
             adtte$PARAMCD == p & adtte$USUBJID %in% ids & adtte$EVALUATOR %in% "INVESTIGATOR", ]
  fit <- survfit(Surv(AVAL / 30.4375, 1 - CNSR) ~ 1, data = d, conf.type = "log")
  s <- summary(fit, times = c(6, 12, 24), extend = TRUE)
  out$nicenec[[p]] <- list(n = nrow(d), surv = s$surv, lower = s$lower, upper = s$upper,
                           median = unname(summary(fit)$table["median"]))
}
# NICE-NEC Table 1 (FAS) sex counts and grade >= 3 (safety set, 38)
fas <- adsl[adsl$ANL_FAS == "Y", ]
out$nicenec$sex <- as.list(table(fas$sex))
adae <- rd(file.path(demo, "nice-nec"), "adae")
te <- adae[adae$TRTEMFL == "Y" & adae$USUBJID %in% adsl$USUBJID[adsl$ANL_TREATED == "Y"], ]
w <- tapply(te$ATOXGRN, te$USUBJID, max)
out$nicenec$grade3 <- list(n = sum(w >= 3), pct = 100 * sum(w >= 3) / sum(adsl$ANL_TREATED == "Y"),
                           grade5 = sum(w == 5))

# REGOMUNE: Beta(1, 1) posterior of 7/42
out$regomune <- list(mean = 8 / 44, lower = qbeta(0.025, 8, 36), upper = qbeta(0.975, 8, 36),
                     cp = as.numeric(binom.test(7, 42)$conf.int))

# pharmaversesdtm: each xanomeline arm vs placebo, stratified by sex (FAS)
adsl <- rd(pv, "adsl"); adtte <- rd(pv, "adtte"); adrs <- rd(pv, "adrs")
fas <- adsl[adsl$ANL_FAS == "Y", ]
newcombe <- function(x1, n1, x0, n0) {
  w1 <- prop.test(x1, n1, correct = FALSE)$conf.int; w0 <- prop.test(x0, n0, correct = FALSE)$conf.int
  p1 <- x1 / n1; p0 <- x0 / n0
  c(p1 - p0 - sqrt((p1 - w1[1])^2 + (w0[2] - p0)^2), p1 - p0 + sqrt((w1[2] - p1)^2 + (p0 - w0[1])^2))
}
for (arm in c("Xanomeline Low Dose", "Xanomeline High Dose")) {
  res <- list()
  g <- fas[fas$COHORT %in% c("Placebo", arm), ]
  for (p in c("OS", "PFS")) {
    d <- merge(g, adtte[adtte$PARAMCD == p & (is.na(adtte$EVALUATOR) |
                        adtte$EVALUATOR == "INVESTIGATOR"), c("USUBJID", "AVAL", "CNSR")])
    d$arm <- relevel(factor(d$COHORT), ref = "Placebo")
    d$t <- d$AVAL / 30.4375; d$e <- 1 - d$CNSR
    lr <- survdiff(Surv(t, e) ~ arm + strata(sex), data = d)
    cf <- suppressWarnings(coxph(Surv(t, e) ~ arm + strata(sex), data = d))
    ci <- suppressWarnings(summary(cf)$conf.int)
    res[[p]] <- list(chisq = lr$chisq, p = pchisq(lr$chisq, 1, lower.tail = FALSE),
                     hr = unname(ci[1, 1]), lower = unname(ci[1, 3]), upper = unname(ci[1, 4]))
  }
  bor <- adrs[adrs$PARAMCD == "CBOR", c("USUBJID", "AVALC")]
  g$resp <- g$USUBJID %in% bor$USUBJID[bor$AVALC %in% c("CR", "PR")]
  x1 <- sum(g$resp[g$COHORT == arm]); n1 <- sum(g$COHORT == arm)
  x0 <- sum(g$resp[g$COHORT == "Placebo"]); n0 <- sum(g$COHORT == "Placebo")
  tab <- table(factor(g$COHORT, levels = c(arm, "Placebo")), factor(!g$resp, levels = c(FALSE, TRUE)), g$sex)
  res$ORR <- list(x = c(x1, x0), n = c(n1, n0), diff = x1 / n1 - x0 / n0, ci = newcombe(x1, n1, x0, n0),
                  cmh_p = mantelhaen.test(tab, correct = FALSE)$p.value,
                  fisher_p = fisher.test(matrix(c(x1, n1 - x1, x0, n0 - x0), 2, byrow = TRUE))$p.value)
  out$pharmaverse[[arm]] <- res
}
write_json(out, "tests/analysis/golden/analysis_goldens.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
cat("written tests/analysis/golden/analysis_goldens.json\n")
