# Golden values for oncotrial.design and the r x c Fisher test, computed by R. Tests read the
# JSON; they never need R.
#
#   R_LIBS_USER=$HOME/.oncotrial-rlib Rscript tools/golden_design.R [simon] [two_arm] [fisher]
#
# (no argument: all three parts)
# writes tests/design/golden/simon.json      (clinfun ph2simon on 48 settings: the per-n
#                                             `out` table, optimal, minimax, admissible by a
#                                             q grid; oc.twostage.bdry over a grid of p)
#        tests/design/golden/two_arm.json    (rpact getSampleSizeSurvival, Schoenfeld and
#                                             Freedman, 128 settings)
#        tests/stats/golden/fisher_rxc.json  (fisher.test on r x c tables, incl. the issue's
#                                             3 x 4 N = 71, 5 x 5 N = 28, 2 x 8 N = 119)
# Generated with R 4.2.2, clinfun 1.1.5, rpact 3.3.4 (see "meta" in each file).
suppressPackageStartupMessages({
  library(clinfun)
  library(rpact)
  library(jsonlite)
})

parts <- commandArgs(trailingOnly = TRUE)
if (length(parts) == 0) parts <- c("simon", "two_arm", "fisher")
meta <- list(R = R.version.string, clinfun = as.character(packageVersion("clinfun")),
             rpact = as.character(packageVersion("rpact")), script = "tools/golden_design.R")
write_golden <- function(x, dir, name) {
  dir.create(dir, recursive = TRUE, showWarnings = FALSE)
  txt <- toJSON(c(list(meta = meta), x), digits = NA, na = "string", auto_unbox = TRUE,
                null = "null", matrix = "rowmajor")
  writeLines(txt, file.path(dir, name))
}

# ------------------------------------------------------------------ Simon two-stage designs
if ("simon" %in% parts) {
grid_p <- c(0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7)
oc_grid <- function(d) {
  t(sapply(grid_p, function(p) {
    o <- oc.twostage.bdry(p, p, d[["r1"]], d[["n1"]], d[["r"]], d[["n"]])
    c(p = p, reject = unname(o[1]), pet = unname(o[3]), en = unname(o[4]))
  }))
}
settings <- expand.grid(p0 = c(0.05, 0.1, 0.2, 0.3, 0.4, 0.6), delta = c(0.15, 0.2),
                        alpha = c(0.05, 0.1), beta = c(0.1, 0.2))
settings$p1 <- settings$p0 + settings$delta
simon <- list()
for (i in seq_len(nrow(settings))) {
  s <- settings[i, ]
  nmax <- 150
  x <- ph2simon(s$p0, s$p1, s$alpha, s$beta, nmax = nmax)
  out <- x$out
  colnames(out) <- c("r1", "n1", "r", "n", "en0", "pet0")
  nopt <- which(out[, 5] == min(out[, 5]))[1]       # clinfun print.ph2simon's rule
  opt <- out[nopt, ]
  mm <- out[1, ]
  # admissible designs: minimisers of q n + (1 - q) EN(p0) over q in [0, 1] (Jung et al. 2004)
  qs <- seq(0, 1, by = 0.0005)
  adm_idx <- unique(sapply(qs, function(q) which.min(q * out[, 4] + (1 - q) * out[, 5])))
  adm <- out[sort(adm_idx), , drop = FALSE]
  ocs <- lapply(list(optimal = opt, minimax = mm), function(d) {
    b <- oc.twostage.bdry(s$p0, s$p1, d[["r1"]], d[["n1"]], d[["r"]], d[["n"]])
    list(design = as.list(d), alpha = unname(b[1]), power = unname(b[2]),
         pet0 = unname(b[3]), en0 = unname(b[4]), grid = oc_grid(d))
  })
  simon[[i]] <- list(p0 = s$p0, p1 = s$p1, alpha = s$alpha, beta = s$beta, nmax = nmax,
                     out = unname(out), optimal = ocs$optimal, minimax = ocs$minimax,
                     admissible = unname(adm[, 1:4, drop = FALSE]))
}
write_golden(list(settings = simon, grid_p = grid_p), file.path("tests", "design", "golden"),
             "simon.json")
}

# ------------------------------------------------------------------ two-arm survival (rpact)
if ("two_arm" %in% parts) {
g <- expand.grid(hr = c(0.6, 0.75), median2 = c(12, 24), accrual = c(12, 24),
                 followup = c(6, 12), sided = c(1, 2), power = c(0.8, 0.9), ratio = c(1, 2))
rows <- list()
for (i in seq_len(nrow(g))) {
  s <- g[i, ]
  alpha <- if (s$sided == 1) 0.025 else 0.05
  for (m in c("Schoenfeld", "Freedman")) {
    x <- getSampleSizeSurvival(alpha = alpha, sided = s$sided, beta = 1 - s$power,
                               hazardRatio = s$hr, median2 = s$median2,
                               accrualTime = c(0, s$accrual), followUpTime = s$followup,
                               allocationRatioPlanned = s$ratio, typeOfComputation = m)
    rows[[length(rows) + 1]] <- list(
      hr = s$hr, median0 = s$median2, accrual = s$accrual, followup = s$followup,
      sides = s$sided, alpha = alpha, power = s$power, ratio = s$ratio, method = tolower(m),
      events = x$eventsFixed, n = x$nFixed, n_experimental = x$nFixed1, n_control = x$nFixed2)
  }
}
write_golden(list(designs = rows), file.path("tests", "design", "golden"), "two_arm.json")
}

# ------------------------------------------------------------------ Fisher r x c (fisher.test)
if ("fisher" %in% parts) {
tabs <- list(
  matrix(c(8, 6, 4, 2, 5, 7, 6, 4, 3, 5, 9, 12), 3, byrow = TRUE),                # 3 x 4, N = 71
  matrix(c(2, 1, 1, 1, 1, 0, 2, 1, 1, 1, 1, 0, 2, 1, 2, 1, 1, 0, 2, 1, 0, 1, 2, 1, 2),
         5, byrow = TRUE),                                                       # 5 x 5, N = 28
  matrix(c(8, 9, 7, 6, 10, 5, 9, 6, 7, 6, 8, 9, 5, 10, 6, 8), 2, byrow = TRUE),   # 2 x 8, N = 119
  matrix(c(3, 1, 0, 0, 1, 4, 0, 0, 0, 0, 5, 1, 0, 1, 1, 6), 4, byrow = TRUE),     # strong signal
  matrix(c(0, 0, 3, 0, 4, 0, 2, 0, 0), 3, byrow = TRUE),                         # zeros
  matrix(c(20, 15, 12, 10, 14, 18), 3, byrow = TRUE),                            # 3 x 2
  matrix(c(1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1), 3, byrow = TRUE))                # tiny
set.seed(20261201)
for (k in 1:40) {
  r <- sample(2:4, 1)
  cc <- sample(2:5, 1)
  n <- sample(8:(6 * r + 5 * cc), 1)
  pr <- rgamma(r * cc, shape = 1.5)
  x <- matrix(rmultinom(1, n, pr / sum(pr)), r, cc)
  x <- x[rowSums(x) > 0, colSums(x) > 0, drop = FALSE]
  if (nrow(x) >= 2 && ncol(x) >= 2 && !(nrow(x) == 2 && ncol(x) == 2)) tabs[[length(tabs) + 1]] <- x
}
fisher <- lapply(tabs, function(m) {
  reps <- 5
  el <- system.time(for (i in seq_len(reps)) p <- fisher.test(m)$p.value)[["elapsed"]] / reps
  list(table = unname(m), p = sprintf("%.17g", p), r_seconds = el)
})
write_golden(list(tables = fisher), file.path("tests", "stats", "golden"), "fisher_rxc.json")
}
cat("wrote the goldens of:", parts, "\n")
