# Goldens for tests/design/test_simulate_two_arm.py: group-sequential boundaries and exact
# (asymptotic) power from rpact, the independent reference for simulated two-arm trials.
# Run: R_LIBS_USER=$HOME/.oncotrial-rlib Rscript tools/golden_simulate.R
suppressMessages(library(rpact))
out <- list(rpact_version = as.character(packageVersion("rpact")))
# O'Brien-Fleming (classic), 2 looks at information 0.5 and 1, one-sided alpha 0.025
d <- getDesignGroupSequential(kMax = 2, alpha = 0.025, sided = 1, typeOfDesign = "OF",
                              informationRates = c(0.5, 1))
out$obf_critical <- d$criticalValues
# log-rank power for 247 events, HR 0.7, 1:1 (Schoenfeld drift), with and without interim
ps <- getPowerSurvival(d, hazardRatio = c(1, 0.7), maxNumberOfEvents = 247,
                       maxNumberOfSubjects = 300, lambda2 = log(2) / 12, accrualTime = 24,
                       directionUpper = FALSE)
out$gs_overall_reject <- ps$overallReject
out$gs_early_stop <- ps$earlyStop
out$gs_expected_events <- ps$expectedNumberOfEvents
fixed <- getDesignGroupSequential(kMax = 1, alpha = 0.025, sided = 1)
pf <- getPowerSurvival(fixed, hazardRatio = c(1, 0.7), maxNumberOfEvents = 247,
                       maxNumberOfSubjects = 300, lambda2 = log(2) / 12, accrualTime = 24,
                       directionUpper = FALSE)
out$fixed_reject <- pf$overallReject
writeLines(jsonlite::toJSON(out, digits = 15, auto_unbox = TRUE, pretty = TRUE),
           "tests/design/golden/simulate_rpact.json")
