# Golden values for the ADaM-input analysis (examples/pharmaverseadam.toml), computed by R
# survival on the committed pharmaverseadam extract. Tests read the JSON; they never need R.
#
#   Rscript tools/golden_adam.R      # writes tests/analysis/golden/adam_pharmaverse.json
#
# Same data and conventions as the spec: treated population (ADSL SAFFL = "Y"), arms = TRT01A,
# time = ADTTE AVAL (days) / 30.4375 months, event = CNSR == 0, survfit(conf.type = "log"),
# landmarks at 3 and 6 months (summary(fit, times = )), survdiff across the arms,
# coxph(ties = "efron") of PFS on arm with Placebo as reference (Wald p), and the DOR (RSD)
# median of the treated subjects per arm.
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})
dir <- file.path("tests", "io", "data", "pharmaverseadam")
out <- file.path("tests", "analysis", "golden", "adam_pharmaverse.json")
adsl <- as.data.frame(haven::read_xpt(file.path(dir, "adsl.xpt")))
adtte <- read.csv(file.path(dir, "adtte_onco.csv"), stringsAsFactors = FALSE)
treated <- adsl[adsl$SAFFL == "Y", c("USUBJID", "TRT01A")]
arms <- c("Placebo", "Xanomeline Low Dose", "Xanomeline High Dose")
d_all <- merge(treated, adtte, by = "USUBJID")
d_all$time <- d_all$AVAL / 30.4375
d_all$event <- as.integer(d_all$CNSR == 0)

km_one <- function(d, landmarks = TRUE) {
  fit <- survfit(Surv(time, event) ~ 1, data = d, conf.type = "log")
  q <- quantile(fit, probs = 0.5, conf.int = TRUE)
  lm <- list()
  # summary(times=) gives no row for a time after the last observation (extend = FALSE);
  # it stops when no time is left, so those times are dropped first (same result).
  tt <- c(3, 6)[c(3, 6) <= max(d$time)]
  s <- if (landmarks && length(tt)) summary(fit, times = tt) else list(time = numeric(0))
  for (i in seq_along(s$time)) {
    lm[[sprintf("%g", s$time[i])]] <- list(surv = s$surv[i], lower = s$lower[i],
                                           upper = s$upper[i], n_risk = s$n.risk[i])
  }
  list(n = nrow(d), events = sum(d$event), median = unname(q$quantile),
       lower = unname(q$lower), upper = unname(q$upper), landmarks = lm)
}

res <- list(meta = list(R = R.version.string,
                        survival = as.character(packageVersion("survival")),
                        script = "tools/golden_adam.R"),
            km = list(), logrank = list(), cox = list(), dor = list())
for (p in c("OS", "PFS")) {
  d <- d_all[d_all$PARAMCD == p, ]
  res$km[[p]] <- list(All = km_one(d))
  for (a in arms) res$km[[p]][[a]] <- km_one(d[d$TRT01A == a, ])
  sd <- survdiff(Surv(time, event) ~ TRT01A, data = d)
  df <- sum(sd$exp > 0) - 1
  res$logrank[[p]] <- list(chisq = sd$chisq, df = df,
                           p = pchisq(sd$chisq, df, lower.tail = FALSE),
                           observed = setNames(as.list(sd$obs), sub("TRT01A=", "", names(sd$n))),
                           expected = setNames(as.list(sd$exp), sub("TRT01A=", "", names(sd$n))))
}
d <- d_all[d_all$PARAMCD == "PFS", ]
d$cohort <- relevel(factor(d$TRT01A), ref = "Placebo")
fit <- coxph(Surv(time, event) ~ cohort, data = d, ties = "efron")
s <- summary(fit)
for (term in rownames(s$coefficients)) {
  res$cox[[term]] <- list(hr = s$conf.int[term, "exp(coef)"],
                          lower = s$conf.int[term, "lower .95"],
                          upper = s$conf.int[term, "upper .95"],
                          p = s$coefficients[term, "Pr(>|z|)"],
                          coef = s$coefficients[term, "coef"],
                          se = s$coefficients[term, "se(coef)"])
}
d <- d_all[d_all$PARAMCD == "RSD", ]
for (a in c(arms, "All")) {
  g <- if (a == "All") d else d[d$TRT01A == a, ]
  if (nrow(g)) res$dor[[a]] <- km_one(g, FALSE)[c("n", "events", "median", "lower", "upper")]
}
writeLines(toJSON(res, digits = NA, na = "null", auto_unbox = TRUE, null = "null",
                  pretty = TRUE), out)
cat("wrote", out, "\n")
