# Golden values for oncotrial.stats.cox_ph / backward_select from R survival::coxph.
#
# Usage (from the repository root):  Rscript tools/golden_cox.R
# Writes tests/stats/golden/cox_goldens.json (simulated data inline + R results) and
#        tests/stats/golden/cox_{lung,ovarian,veteran}.csv (complete cases of the columns used).
# The lung, ovarian and veteran data are part of R package survival (LGPL >= 2); they are
# redistributed here unchanged apart from dropping incomplete rows and recoding status to 0/1.
# Tests read the committed files and never need R.
suppressPackageStartupMessages({library(survival); library(jsonlite)})

out_dir <- file.path("tests", "stats", "golden")
dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)

capture_fit <- function(formula, data, ties) {
  msgs <- character(0)
  fit <- withCallingHandlers(
    coxph(formula, data = data, ties = ties),
    warning = function(w) {msgs <<- c(msgs, conditionMessage(w)); invokeRestart("muffleWarning")})
  s <- summary(fit)
  list(
    coef = I(unname(coef(fit))), names = I(names(coef(fit))), se = I(unname(sqrt(diag(fit$var)))),
    var = unname(fit$var), loglik = fit$loglik, score = unname(fit$score),
    wald = unname(fit$wald.test), lr = unname(2 * diff(fit$loglik)), iter = fit$iter,
    p = I(unname(s$coefficients[, "Pr(>|z|)"])),
    hr_lower = I(unname(s$conf.int[, "lower .95"])), hr_upper = I(unname(s$conf.int[, "upper .95"])),
    concordance = as.list(fit$concordance[c("concordant", "discordant", "tied.x", "tied.y",
                                            "tied.xy", "concordance", "std")]),
    n = fit$n, nevent = fit$nevent, warnings = I(msgs))
}

# Backward elimination as stated in the NICE-NEC methods (seed 002): drop the covariate with the
# largest (joint Wald) p-value while it is >= alpha, never going below `keep` covariates.
backward <- function(data, cands, ties = "efron", alpha = 0.05, keep = 2, test = "wald") {
  steps <- list()
  cur <- cands
  repeat {
    f <- coxph(as.formula(paste("Surv(time, status) ~", paste(cur, collapse = " + "))),
               data = data, ties = ties)
    asg <- attr(model.matrix(f), "assign")
    pv <- sapply(seq_along(cur), function(k) {
      idx <- which(asg == k); b <- coef(f)[idx]
      if (test == "lr") {  # likelihood ratio against the model without the term
        ll0 <- if (length(cur) == 1) f$loglik[1] else coxph(as.formula(paste(
          "Surv(time, status) ~", paste(cur[-k], collapse = " + "))), data = data,
          ties = ties)$loglik[2]
        return(pchisq(2 * (f$loglik[2] - ll0), length(idx), lower.tail = FALSE))
      }
      w <- drop(t(b) %*% solve(f$var[idx, idx, drop = FALSE], b))
      pchisq(w, length(idx), lower.tail = FALSE)})
    if (all(pv < alpha) || length(cur) <= keep) break
    j <- which.max(pv)
    steps[[length(steps) + 1]] <- list(removed = cur[j], p = pv[j])
    cur <- cur[-j]
  }
  list(steps = steps, final = I(cur), final_p = I(unname(pv)), final_coef = I(unname(coef(f))),
       reached = all(pv < alpha))
}

sim <- function(n, seed, p_num = 2, fac = 0, tround = 0.001, cens = 0.3, nstrata = 0,
                binary = 0, tmax = Inf) {
  set.seed(seed)
  d <- data.frame(row = seq_len(n))
  lp <- 0
  for (k in seq_len(p_num)) {
    x <- round(rnorm(n, 50 * (k == 1), 1 + 9 * (k == 1)), 2)
    d[[paste0("x", k)]] <- x
    lp <- lp + 0.3 * (x - mean(x)) / sd(x) * (-1)^k
  }
  for (k in seq_len(binary)) {
    b <- rbinom(n, 1, 0.4)
    d[[paste0("b", k)]] <- b
    lp <- lp + 0.5 * b
  }
  if (fac > 0) {
    g <- sample(letters[seq_len(fac)], n, replace = TRUE)
    d$grp <- g
    lp <- lp + 0.4 * (match(g, letters) - 1)
  }
  if (nstrata > 0) d$st <- sample(paste0("s", seq_len(nstrata)), n, replace = TRUE)
  t <- rexp(n, exp(lp) / 10)
  c <- rexp(n, cens / (1 - cens) / 10)
  time <- pmin(t, c, tmax)
  status <- as.integer(t <= pmin(c, tmax))
  time <- pmax(round(time / tround) * tround, tround)
  d$time <- time
  d$status <- status
  d$row <- NULL
  d
}

cases <- list(
  list(name = "n20_one_cov", data = sim(20, 1, p_num = 1), cov = "x1"),
  list(name = "n40_heavy_ties", data = sim(40, 2, p_num = 2, tround = 5), cov = c("x1", "x2")),
  list(name = "n60_factor_ref_b", data = sim(60, 3, p_num = 1, fac = 3, tround = 1),
       cov = c("grp", "x1"), ref = list(grp = "b")),
  list(name = "n100_five_cov", data = sim(100, 4, p_num = 3, binary = 2, tround = 0.5),
       cov = c("x1", "x2", "x3", "b1", "b2")),
  list(name = "n150_strata", data = sim(150, 5, p_num = 2, nstrata = 3, tround = 1),
       cov = c("x1", "x2"), strata = "st"),
  list(name = "n200_heavy_censoring", data = sim(200, 6, p_num = 2, cens = 0.8, tround = 0.1),
       cov = c("x1", "x2")),
  list(name = "n500_binary_ties", data = sim(500, 7, p_num = 1, binary = 2, tround = 2),
       cov = c("b1", "b2", "x1")),
  list(name = "n1000_five_cov", data = sim(1000, 8, p_num = 3, binary = 2, tround = 0.1),
       cov = c("x1", "x2", "x3", "b1", "b2")),
  list(name = "n2000_factor_strata", data = sim(2000, 9, p_num = 1, fac = 4, nstrata = 2,
       tround = 0.5), cov = c("x1", "grp"), strata = "st"),
  list(name = "n5000_three_cov", data = sim(5000, 10, p_num = 2, binary = 1, tround = 0.1),
       cov = c("x1", "x2", "b1")),
  list(name = "n30_binary_only_tied_lp", data = sim(30, 11, p_num = 0, binary = 2, tround = 1),
       cov = c("b1", "b2")),
  list(name = "n80_censored_last_admin", data = sim(80, 12, p_num = 2, tmax = 8, tround = 0.25),
       cov = c("x1", "x2"))
)
# times equal up to floating-point noise: R's timefix (aeqSurv) merges them into ties
nt <- sim(50, 14, p_num = 2, tround = 1)
nt$time <- nt$time * (1 + ifelse(seq_len(50) %% 2 == 0, 1e-10, 0))
cases[[length(cases) + 1]] <- list(name = "n50_timefix_near_ties", data = nt, cov = c("x1", "x2"))
# monotone likelihood: every event is in group b1 == 1 -> R warns coefficient may be infinite
sep <- sim(30, 13, p_num = 1, binary = 1)
sep$status[sep$b1 == 0] <- 0L
cases[[length(cases) + 1]] <- list(name = "n30_separation", data = sep, cov = c("b1", "x1"))

lung2 <- na.omit(data.frame(time = lung$time, status = lung$status - 1L, age = lung$age,
                            sex = lung$sex, ph.ecog = lung$ph.ecog))
ovarian2 <- data.frame(time = ovarian$futime, status = ovarian$fustat, age = ovarian$age,
                       ecog.ps = ovarian$ecog.ps, rx = ovarian$rx, resid.ds = ovarian$resid.ds)
veteran2 <- data.frame(time = veteran$time, status = veteran$status, trt = veteran$trt,
                       celltype = as.character(veteran$celltype), karno = veteran$karno,
                       diagtime = veteran$diagtime, age = veteran$age, prior = veteran$prior)
write.csv(lung2, file.path(out_dir, "cox_lung.csv"), row.names = FALSE)
write.csv(ovarian2, file.path(out_dir, "cox_ovarian.csv"), row.names = FALSE)
write.csv(veteran2, file.path(out_dir, "cox_veteran.csv"), row.names = FALSE)
cases <- c(cases, list(
  list(name = "lung", csv = "cox_lung.csv", data = lung2, cov = c("age", "sex", "ph.ecog"),
       factors = "ph.ecog"),
  list(name = "ovarian", csv = "cox_ovarian.csv", data = ovarian2,
       cov = c("age", "ecog.ps", "rx", "resid.ds")),
  list(name = "veteran", csv = "cox_veteran.csv", data = veteran2,
       cov = c("trt", "celltype", "karno", "age"), ref = list(celltype = "squamous")),
  list(name = "veteran_strata_prior", csv = "cox_veteran.csv", data = veteran2,
       cov = c("trt", "karno"), strata = "prior")
))

results <- lapply(cases, function(cs) {
  d <- cs$data
  facs <- unique(c(cs$factors, names(cs$ref), cs$cov[sapply(cs$cov, function(v) is.character(d[[v]]))]))
  for (v in facs) {
    lv <- sort(unique(as.character(d[[v]])))
    ref <- if (!is.null(cs$ref[[v]])) cs$ref[[v]] else lv[1]
    d[[v]] <- relevel(factor(as.character(d[[v]]), levels = lv), ref = ref)
  }
  rhs <- paste(cs$cov, collapse = " + ")
  if (!is.null(cs$strata)) rhs <- paste0(rhs, " + strata(", cs$strata, ")")
  fml <- as.formula(paste("Surv(time, status) ~", rhs))
  fits <- lapply(c(efron = "efron", breslow = "breslow", exact = "exact"),
                 function(tm) capture_fit(fml, d, tm))
  rec <- list(name = cs$name, covariates = I(cs$cov), factors = I(as.character(facs)),
              reference = if (is.null(cs$ref)) setNames(list(), character(0)) else cs$ref,
              strata = cs$strata, fits = fits)
  if (!is.null(cs$csv)) rec$csv <- cs$csv else rec$data <- as.list(cs$data)
  rec
})

# backward selection goldens
set.seed(2002)
nn <- 37
nec <- data.frame(
  time = round(rexp(nn, 1 / 15), 1), status = rbinom(nn, 1, 0.7),
  site = sample(c("colorectal", "other", "pancreas"), nn, TRUE),
  differentiation = sample(c("NEC", "NET"), nn, TRUE), ki67 = round(runif(nn, 20, 95)),
  ecog = sample(c("0", "1", "2"), nn, TRUE, prob = c(.4, .5, .1)),
  sex = sample(c("F", "M"), nn, TRUE), age = round(rnorm(nn, 62, 9)),
  cga = round(rlnorm(nn, 5, 1)), nse = round(rlnorm(nn, 3, 0.7), 1), ldh = round(rnorm(nn, 300, 80)))
nec$time <- pmax(nec$time, 0.1)
nec$time <- nec$time * ifelse(nec$site == "colorectal", 0.4, 1)
nec$time <- round(nec$time, 1) + 0.1
nec_f <- nec
for (v in c("site", "differentiation", "ecog", "sex")) nec_f[[v]] <- factor(nec_f[[v]])
vet_f <- veteran2
vet_f$celltype <- factor(vet_f$celltype)
selection <- list(
  list(name = "nicenec_synthetic", data = as.list(nec),
       candidates = I(c("site", "differentiation", "ki67", "ecog", "sex", "age", "cga", "nse", "ldh")),
       result = backward(nec_f, c("site", "differentiation", "ki67", "ecog", "sex", "age", "cga",
                                  "nse", "ldh"))),
  list(name = "veteran", csv = "cox_veteran.csv",
       candidates = I(c("trt", "celltype", "karno", "diagtime", "age", "prior")),
       result = backward(vet_f, c("trt", "celltype", "karno", "diagtime", "age", "prior"))),
  list(name = "veteran_lr_breslow", csv = "cox_veteran.csv", test = "lr", ties = "breslow",
       candidates = I(c("trt", "celltype", "karno", "diagtime", "age", "prior")),
       result = backward(vet_f, c("trt", "celltype", "karno", "diagtime", "age", "prior"),
                         ties = "breslow", test = "lr")),
  # no significant set exists: the rule stops with the last two covariates
  list(name = "veteran_no_significant_set", csv = "cox_veteran.csv",
       candidates = I(c("diagtime", "age", "prior", "trt")),
       result = backward(vet_f, c("diagtime", "age", "prior", "trt")))
)

meta <- list(R = R.version.string, survival = as.character(packageVersion("survival")),
             generated_by = "tools/golden_cox.R")
writeLines(toJSON(list(meta = meta, cases = results, selection = selection), digits = NA,
                  auto_unbox = TRUE, null = "null", na = "null"),
           file.path(out_dir, "cox_goldens.json"))
cat("wrote", length(results), "Cox cases and", length(selection), "selection cases\n")
