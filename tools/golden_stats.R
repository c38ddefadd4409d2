# Golden values for oncotrial.stats (part A), computed by R. Tests read the JSON; they never need R.
#
#   Rscript tools/golden_stats.R            # writes tests/stats/golden/*.json
#
# Generated with R 4.2.2, survival 3.5-3, jsonlite (see "meta" in each file).
# Non-finite values are written as the strings
# "NA", "NaN", "Inf", "-Inf".
suppressPackageStartupMessages({
  library(survival)
  library(jsonlite)
})

out_dir <- file.path("tests", "stats", "golden")
dir.create(out_dir, recursive = TRUE, showWarnings = FALSE)
meta <- list(R = R.version.string, survival = as.character(packageVersion("survival")),
             script = "tools/golden_stats.R")
# Inputs (times) are written verbatim with 17 significant digits so that they round-trip
# exactly (jsonlite keeps 15); outputs keep 15 significant digits, ample for 1e-10 tests.
num17 <- function(x) {
  structure(paste0("[", paste(sprintf("%.17g", x), collapse = ","), "]"), class = "json")
}
write_golden <- function(x, name) {
  txt <- toJSON(c(list(meta = meta), x), digits = NA, na = "string", auto_unbox = TRUE,
                null = "null", json_verbatim = TRUE)
  writeLines(txt, file.path(out_dir, name))
}

conf_types <- c("log", "log-log", "plain", "logit", "arcsin")
probs <- c(0, 0.1, 0.25, 0.5, 0.75, 0.9, 1)

# ---------------------------------------------------------------- Kaplan-Meier datasets
km_sets <- list()
add_km <- function(name, time, event) {
  km_sets[[length(km_sets) + 1]] <<- list(name = name, time = time, event = as.integer(event))
}

# textbook: aml (Miller 1981), both arms pooled and each arm
add_km("aml_all", aml$time, aml$status)
add_km("aml_maintained", aml$time[aml$x == "Maintained"], aml$status[aml$x == "Maintained"])
add_km("aml_nonmaintained", aml$time[aml$x == "Nonmaintained"],
       aml$status[aml$x == "Nonmaintained"])
# hand-made edge cases
add_km("tiny_S_to_zero", c(1, 2, 2, 3, 4, 4), c(1, 1, 0, 1, 1, 1))
add_km("flat_half_midpoint", c(1, 2, 3, 4), c(1, 1, 1, 1))           # S = .5 on [2, 3)
add_km("flat_half_last_segment", c(1, 2, 3, 4), c(1, 1, 0, 0))       # S = .5 to the end
add_km("never_half", c(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), c(1, 0, 1, 0, 0, 0, 0, 0, 0, 0))
add_km("all_censored", c(2, 3, 5, 7, 11), c(0, 0, 0, 0, 0))
add_km("n_one_event", c(3), c(1))
add_km("n_one_censored", c(3), c(0))
add_km("censored_last", c(1, 1, 2, 3, 3, 5, 8, 8, 9), c(1, 0, 1, 1, 0, 1, 0, 1, 0))
add_km("event_last_tied", c(1, 3, 3, 6, 6, 6), c(1, 1, 0, 1, 1, 1))
add_km("zero_times", c(0, 0, 1, 2, 3, 4, 5), c(1, 0, 1, 0, 1, 1, 0))
add_km("timefix_near_ties", c(1, 1 + 1e-10, 2, 2 * (1 + 1e-12), 3, 4, 5, 0.1 + 0.2, 0.3),
       c(1, 1, 0, 1, 1, 0, 1, 1, 0))
add_km("all_events_distinct", c(5, 1, 4, 2, 3), c(1, 1, 1, 1, 1))
# random designs: n from 5 to 5000, heavy ties, heavy censoring
set.seed(20261121)
designs <- expand.grid(n = c(5, 12, 30, 80, 250, 1000, 5000), cens = c(0, 0.3, 0.8),
                       ties = c("cont", "month", "int10"), stringsAsFactors = FALSE)
designs <- designs[!(designs$n >= 1000 & designs$ties == "cont"), ]  # keep goldens small
for (i in seq_len(nrow(designs))) {
  d <- designs[i, ]
  t_ev <- rexp(d$n, 1 / 12)
  t_c <- if (d$cens == 0) rep(Inf, d$n) else rexp(d$n, d$cens / (1 - d$cens) / 12)
  tt <- pmin(t_ev, t_c)
  ev <- as.integer(t_ev <= t_c)
  tt <- switch(d$ties, cont = round(tt, 6), month = round(tt, 1), int10 = pmin(ceiling(tt / 4), 10))
  add_km(sprintf("rand_n%d_c%02d_%s", d$n, round(100 * d$cens), d$ties), tt, ev)
}

km_out <- lapply(km_sets, function(s) {
  res <- list(name = s$name, time = num17(s$time), event = s$event)
  fits <- list()
  for (ct in conf_types) {
    f <- survfit(Surv(s$time, s$event) ~ 1, conf.type = ct)
    q <- quantile(f, probs)
    tmax <- max(s$time)
    times <- sort(unique(c(0, quantile(s$time, c(0.2, 0.5, 0.8), names = FALSE), tmax)))
    sm <- summary(f, times = times)
    fits[[ct]] <- list(
      time = f$time, n_risk = f$n.risk, n_event = f$n.event, n_censor = f$n.censor,
      surv = f$surv, std_err_log = f$std.err, lower = f$lower, upper = f$upper,
      q_probs = probs, q = unname(q$quantile), q_lower = unname(q$lower),
      q_upper = unname(q$upper),
      at_times = times, at_time = sm$time, at_n_risk = sm$n.risk, at_n_event = sm$n.event,
      at_n_censor = sm$n.censor, at_surv = sm$surv, at_std_err = sm$std.err,
      at_lower = sm$lower, at_upper = sm$upper)
  }
  f90 <- survfit(Surv(s$time, s$event) ~ 1, conf.int = 0.9)
  q90 <- quantile(f90, 0.5)
  res$level90_log <- list(lower = f90$lower, upper = f90$upper, median = unname(q90$quantile),
                          median_lower = unname(q90$lower), median_upper = unname(q90$upper))
  rf <- survfit(Surv(s$time, 1 - s$event) ~ 1)
  rq <- quantile(rf, 0.5)
  res$reverse_median <- c(unname(rq$quantile), unname(rq$lower), unname(rq$upper))
  res$fits <- fits
  res
})
write_golden(list(datasets = km_out), "km.json")

# ---------------------------------------------------------------- log-rank (survdiff)
lr_sets <- list()
add_lr <- function(name, time, event, group, strata = NULL) {
  lr_sets[[length(lr_sets) + 1]] <<- list(name = name, time = time, event = as.integer(event),
                                          group = as.character(group),
                                          strata = if (is.null(strata)) NULL else as.character(strata))
}
add_lr("aml", aml$time, aml$status, aml$x)
add_lr("lung_sex", lung$time, lung$status - 1, lung$sex)
add_lr("lung_ph_ecog_strat_sex", lung$time[!is.na(lung$ph.ecog)],
       lung$status[!is.na(lung$ph.ecog)] - 1,
       ifelse(lung$ph.ecog[!is.na(lung$ph.ecog)] >= 2, "ecog2+", paste0("ecog", lung$ph.ecog[!is.na(lung$ph.ecog)])),
       lung$sex[!is.na(lung$ph.ecog)])
set.seed(31)
for (k in 1:14) {
  n <- c(10, 25, 60, 200, 800, 3000)[(k - 1) %% 6 + 1]
  ng <- c(2, 3, 4)[(k - 1) %% 3 + 1]
  g <- sample(LETTERS[1:ng], n, replace = TRUE)
  hr <- c(1, 1.5, 0.7, 2)[match(g, LETTERS)]
  t_ev <- rexp(n, hr / 10)
  t_c <- rexp(n, if (k %% 2 == 0) 1 / 5 else 1 / 30)
  tt <- round(pmin(t_ev, t_c), if (k %% 3 == 0) 0 else 2)
  ev <- as.integer(t_ev <= t_c)
  st <- if (k > 8) sample(c("s1", "s2", "s3")[1:(2 + k %% 2)], n, replace = TRUE) else NULL
  add_lr(sprintf("rand_%02d_n%d_g%d%s", k, n, ng, if (is.null(st)) "" else "_strat"), tt, ev, g, st)
}
lr_out <- lapply(lr_sets, function(s) {
  sd <- if (is.null(s$strata)) survdiff(Surv(s$time, s$event) ~ s$group)
        else survdiff(Surv(s$time, s$event) ~ s$group + strata(s$strata))
  obs <- if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs
  ex <- if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp
  list(name = s$name, time = num17(s$time), event = s$event, group = s$group, strata = s$strata,
       levels = sort(unique(s$group)), observed = unname(obs), expected = unname(ex),
       var = unname(as.vector(sd$var)), chisq = sd$chisq,
       df = sum(ex > 0) - 1, pvalue = sd$pvalue)
})
write_golden(list(datasets = lr_out), "logrank.json")

# ---------------------------------------------------------------- proportions
midp <- function(x, n, level) {
  a <- (1 - level) / 2
  lo <- if (x == 0) 0 else uniroot(function(p) pbinom(x, n, p, lower.tail = FALSE) +
                                     0.5 * dbinom(x, n, p) - a, c(0, 1), tol = 1e-15)$root
  hi <- if (x == n) 1 else uniroot(function(p) pbinom(x - 1, n, p) + 0.5 * dbinom(x, n, p) - a,
                                   c(0, 1), tol = 1e-15)$root
  c(lo, hi)
}
prop_rows <- list()
for (n in c(1, 2, 5, 10, 20, 29, 50, 52, 55, 107, 148, 263, 1000)) {
  xs <- sort(unique(c(0, 1, floor(n / 3), floor(n / 2), n - 1, n, round(0.3 * n))))
  xs <- xs[xs >= 0 & xs <= n]
  for (x in xs) for (lv in c(0.95, 0.9)) {
    z <- qnorm(1 - (1 - lv) / 2)
    p <- x / n
    nt <- n + z^2
    pt <- (x + z^2 / 2) / nt
    ac <- c(max(pt - z * sqrt(pt * (1 - pt) / nt), 0), min(pt + z * sqrt(pt * (1 - pt) / nt), 1))
    wd <- c(max(p - z * sqrt(p * (1 - p) / n), 0), min(p + z * sqrt(p * (1 - p) / n), 1))
    jf <- c(if (x == 0) 0 else qbeta((1 - lv) / 2, x + 0.5, n - x + 0.5),
            if (x == n) 1 else qbeta(1 - (1 - lv) / 2, x + 0.5, n - x + 0.5))
    prop_rows[[length(prop_rows) + 1]] <- list(
      x = x, n = n, level = lv,
      `clopper-pearson` = as.vector(binom.test(x, n, conf.level = lv)$conf.int),
      wilson = as.vector(suppressWarnings(prop.test(x, n, conf.level = lv, correct = FALSE))$conf.int),
      `wilson-cc` = as.vector(suppressWarnings(prop.test(x, n, conf.level = lv))$conf.int),
      jeffreys = jf, `agresti-coull` = ac, `mid-p` = midp(x, n, lv), wald = wd)
  }
}
binom_rows <- list()
for (n in c(1, 7, 20, 25, 52, 100)) for (x in unique(c(0, 1, floor(n / 4), floor(n / 2), n)))
  for (p0 in c(0.05, 0.1, 0.2, 0.3, 0.5, 0.75)) for (alt in c("two.sided", "greater", "less")) {
    bt <- binom.test(x, n, p0, alternative = alt)
    binom_rows[[length(binom_rows) + 1]] <- list(
      x = x, n = n, p0 = p0, alternative = sub("two.sided", "two-sided", alt),
      pvalue = bt$p.value, ci = as.vector(bt$conf.int))
  }
beta_rows <- list()
for (cfg in list(c(0, 10, 1, 1), c(7, 20, 1, 1), c(23, 52, 1, 1), c(3, 25, 0.5, 0.5),
                 c(0, 15, 0.5, 0.5), c(15, 15, 0.5, 0.5), c(10, 10, 1, 1), c(2, 40, 2, 8),
                 c(30, 40, 0.2, 0.2), c(1, 1, 1, 1), c(0, 0, 1, 1), c(50, 107, 1, 1))) {
  x <- cfg[1]; n <- cfg[2]; a <- cfg[3]; b <- cfg[4]
  s1 <- a + x; s2 <- b + n - x
  hpd <- if (s1 == 1 && s2 == 1) c(0.025, 0.975)
         else if (s1 <= 1 && s2 > 1) c(0, qbeta(0.95, s1, s2))
         else if (s2 <= 1 && s1 > 1) c(qbeta(0.05, s1, s2), 1)
         else {
           g <- function(t) dbeta(qbeta(t, s1, s2), s1, s2) - dbeta(qbeta(t + 0.95, s1, s2), s1, s2)
           t <- uniroot(g, c(0, 0.05), tol = 1e-15)$root
           c(qbeta(t, s1, s2), qbeta(t + 0.95, s1, s2))
         }
  beta_rows[[length(beta_rows) + 1]] <- list(
    x = x, n = n, a = a, b = b, mean = s1 / (s1 + s2), median = qbeta(0.5, s1, s2),
    et = c(qbeta(0.025, s1, s2), qbeta(0.975, s1, s2)), hpd = hpd,
    p0 = 0.2, prob_above = pbeta(0.2, s1, s2, lower.tail = FALSE))
}
write_golden(list(proportion = prop_rows, binomial = binom_rows, beta = beta_rows),
             "proportion.json")

# ---------------------------------------------------------------- Fisher, chi-square, Wilcoxon
tables <- list(
  matrix(c(3, 1, 1, 3), 2), matrix(c(23, 29, 9, 46), 2), matrix(c(0, 5, 7, 2), 2),
  matrix(c(10, 0, 0, 10), 2), matrix(c(1, 2, 3, 4), 2), matrix(c(50, 2, 51, 4), 2),
  matrix(c(12, 5, 7, 7), 2), matrix(c(2, 3, 4, 1, 5, 2), 2), matrix(c(1, 2, 3, 2, 1, 4, 3, 0, 2), 3),
  matrix(c(5, 0, 2, 1, 4, 3, 0, 2, 6, 1, 1, 0), 3), matrix(c(8, 2, 1, 3, 7, 2), 3),
  matrix(c(4, 4, 4, 4, 4, 4, 4, 4), 2), matrix(c(0, 3, 1, 5, 2, 0, 4, 1, 1, 2, 0, 3), 4),
  matrix(c(6, 1, 2, 0, 5, 3, 1, 1, 7), 3))
ctab <- lapply(tables, function(m) {
  ft <- fisher.test(m)
  ch <- suppressWarnings(chisq.test(m))
  ch0 <- suppressWarnings(chisq.test(m, correct = FALSE))
  r <- list(table = lapply(seq_len(nrow(m)), function(i) m[i, ]),
            fisher_p = ft$p.value, chisq = unname(ch$statistic), chisq_df = unname(ch$parameter),
            chisq_p = ch$p.value, chisq_nocorr = unname(ch0$statistic), chisq_nocorr_p = ch0$p.value,
            expected = lapply(seq_len(nrow(m)), function(i) ch$expected[i, ]))
  if (all(dim(m) == 2)) {
    r$fisher_or <- unname(ft$estimate)
    r$fisher_ci <- as.vector(ft$conf.int)
    r$fisher_p_less <- fisher.test(m, alternative = "less")$p.value
    r$fisher_p_greater <- fisher.test(m, alternative = "greater")$p.value
  }
  r
})
set.seed(7)
wsets <- list(
  list(x = c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30),
       y = c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29)),
  list(x = c(0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46),
       y = c(1.15, 0.88, 0.9, 0.74, 1.21)),
  list(x = round(rnorm(12), 3), y = round(rnorm(15, 0.8), 3)),
  list(x = round(rnorm(49), 4), y = round(rnorm(30, 0.3), 4)),
  list(x = round(rnorm(60), 4), y = round(rnorm(45, 0.3), 4)),
  list(x = sample(1:5, 20, TRUE), y = sample(2:6, 18, TRUE)),
  list(x = c(1, 2, 3), y = c(4, 5, 6, 7)),
  list(x = c(10), y = c(1, 2, 3, 4, 5)),
  list(x = sample(0:3, 70, TRUE), y = sample(0:4, 80, TRUE)))
wout <- list()
for (w in wsets) for (alt in c("two.sided", "less", "greater")) {
  wt <- suppressWarnings(wilcox.test(w$x, w$y, alternative = alt))
  wout[[length(wout) + 1]] <- list(x = w$x, y = w$y, alternative = sub("two.sided", "two-sided", alt),
                                   statistic = unname(wt$statistic), pvalue = wt$p.value,
                                   method = wt$method)
}
write_golden(list(tables = ctab, wilcoxon = wout), "tests.json")
cat("wrote", length(km_out), "KM datasets,", length(lr_out), "log-rank datasets,",
    length(prop_rows), "proportion rows,", length(ctab), "tables,", length(wout), "Wilcoxon cases\n")
