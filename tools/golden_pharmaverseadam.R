# Extract small goldens from pharmaverseadam (admiralonco templates run on pharmaversesdtm)
# for tests/derive/test_admiral_preset.py.
#
# Usage (from the repository root):
#   Rscript tools/golden_pharmaverseadam.R /work/.mirror/pharmaverse+pharmaverseadam/repo
#
# Reads data/adrs_onco.rda, data/adtte_onco.rda and data/adsl.rda from the git directory with
# `git show HEAD:<path>` (pharmaverseadam 1.3.0.9004, Apache-2.0; LICENSE.md copied beside the
# extract) and writes tests/derive/golden/pharmaverseadam_*.csv:
#   * adrs: every row of the 8 subjects with overall responses (rs_onco_recist) and, for the
#     other 298 subjects, only rows that are not the no-assessment pattern, plus the counts of
#     that pattern per PARAMCD/AVALC (pharmaverseadam_adrs_pattern.csv);
#   * adtte: USUBJID, PARAMCD, STARTDT, ADT, AVAL, CNSR, EVNTDESC, SRCDOM for every row;
#   * adsl: USUBJID, RANDDT, TRTSDT, TRTEDT, DTHDT, LSTALVDT (the inputs of ADTTE).
args <- commandArgs(trailingOnly = TRUE)
repo <- if (length(args)) args[[1]] else "/work/.mirror/pharmaverse+pharmaverseadam/repo"
out <- "tests/derive/golden"
load_git <- function(path) {
  tmp <- tempfile(fileext = ".rda")
  system2("git", c("-C", repo, "show", paste0("HEAD:", path)), stdout = tmp)
  env <- new.env()
  load(tmp, envir = env)
  get(ls(env)[[1]], envir = env)
}
fmt <- function(df) {
  for (v in names(df)) if (inherits(df[[v]], c("Date", "POSIXt"))) df[[v]] <- format(df[[v]], "%Y-%m-%d")
  df
}
adrs <- as.data.frame(load_git("data/adrs_onco.rda"))
adtte <- as.data.frame(load_git("data/adtte_onco.rda"))
adsl <- as.data.frame(load_git("data/adsl.rda"))

a <- fmt(adrs[, c("USUBJID", "PARAMCD", "AVALC", "ADT", "VISIT")])
with_ovr <- unique(a$USUBJID[a$PARAMCD == "OVR"])
pattern <- c(BCP = "N", BOR = "MISSING", CB = "N", CBCP = "N", CBOR = "MISSING", CCB = "N",
             CRSP = "N", DEATH = "N", LSTA = NA, MDIS = "N", PD = "N", RSP = "N")
trivial <- !(a$USUBJID %in% with_ovr) & a$PARAMCD %in% names(pattern) &
  ((is.na(a$AVALC) & is.na(pattern[a$PARAMCD])) | (!is.na(a$AVALC) & a$AVALC == pattern[a$PARAMCD] & !is.na(pattern[a$PARAMCD]))) &
  is.na(a$ADT)
keep <- a[!trivial, ]
keep <- keep[order(keep$USUBJID, keep$PARAMCD, keep$ADT), ]
cnt <- as.data.frame(table(PARAMCD = a$PARAMCD[trivial], AVALC = addNA(a$AVALC[trivial])), stringsAsFactors = FALSE)
cnt <- cnt[cnt$Freq > 0, ]
names(cnt)[3] <- "N"
write.csv(keep, file.path(out, "pharmaverseadam_adrs.csv"), row.names = FALSE, na = "")
write.csv(cnt, file.path(out, "pharmaverseadam_adrs_pattern.csv"), row.names = FALSE, na = "")
t <- fmt(adtte[, c("USUBJID", "PARAMCD", "STARTDT", "ADT", "AVAL", "CNSR", "EVNTDESC", "SRCDOM")])
write.csv(t[order(t$PARAMCD, t$USUBJID), ], file.path(out, "pharmaverseadam_adtte.csv"), row.names = FALSE, na = "")
s <- fmt(adsl[, c("USUBJID", "RANDDT", "TRTSDT", "TRTEDT", "DTHDT", "LSTALVDT")])
write.csv(s[order(s$USUBJID), ], file.path(out, "pharmaverseadam_adsl.csv"), row.names = FALSE, na = "")
system2("git", c("-C", repo, "show", "HEAD:LICENSE.md"), stdout = file.path(out, "pharmaverseadam_LICENSE.md"))
cat("pharmaverseadam", system2("git", c("-C", repo, "log", "-1", shQuote("--format=%H %s")), stdout = TRUE), "\n")
cat(nrow(keep), "adrs rows kept,", sum(trivial), "pattern rows counted;", nrow(t), "adtte rows\n")
