# Small extract of pharmaverseadam (Apache-2.0) for oncotrial's ADaM tests and example.
#
# Usage: Rscript tools/extract_pharmaverseadam.R PHARMAVERSEADAM_GIT_DIR OUT_DIR
#   PHARMAVERSEADAM_GIT_DIR: a clone of github.com/pharmaverse/pharmaverseadam (bare is fine)
#   OUT_DIR: tests/io/data/pharmaverseadam
#
# Subjects kept (deterministic): every subject with an ADRS OVR record (tumour assessments),
# every subject with an ADTTE event (CNSR = 0), 6 screen failures (SAFFL = N), and 12 further
# safety subjects per TRT01A arm drawn with set.seed(16). All records of these subjects are kept
# from ADSL, ADRS (adrs_onco), ADTTE (adtte_onco), ADTR (adtr_onco) and ADAE, unchanged.
# ADSL is written as SAS transport v5 (haven::write_xpt, labels kept), the others as
# CSV (dates ISO 8601, missing = empty), so the folder exercises both readers.
args <- commandArgs(trailingOnly = TRUE)
stopifnot(length(args) == 2)
src <- args[1]; out <- args[2]
dir.create(out, showWarnings = FALSE, recursive = TRUE)
load_rda <- function(name) {
  tmp <- tempfile(fileext = ".rda")
  system2("git", c("-C", src, "show", paste0("HEAD:data/", name, ".rda")), stdout = tmp)
  e <- new.env(); load(tmp, envir = e); get(name, envir = e)
}
adsl <- load_rda("adsl"); adrs <- load_rda("adrs_onco"); adtte <- load_rda("adtte_onco")
adtr <- load_rda("adtr_onco"); adae <- load_rda("adae")
keep <- unique(c(adrs$USUBJID[adrs$PARAMCD == "OVR"], adtte$USUBJID[adtte$CNSR == 0]))
sf <- sort(adsl$USUBJID[adsl$SAFFL == "N"])[1:6]
set.seed(16)
pool <- adsl[adsl$SAFFL == "Y" & !adsl$USUBJID %in% keep, ]
extra <- unlist(lapply(split(pool$USUBJID, pool$TRT01A), function(ids) sample(sort(ids), 12)))
keep <- sort(unique(c(keep, sf, extra)))
sub <- function(d) { d <- as.data.frame(d[d$USUBJID %in% keep, ]); rownames(d) <- NULL; d }
write_csv <- function(d, file) {
  d <- sub(d)
  for (v in names(d)) if (inherits(d[[v]], "Date")) d[[v]] <- format(d[[v]], "%Y-%m-%d")
  for (v in names(d)) if (inherits(d[[v]], "POSIXct")) d[[v]] <- format(d[[v]], "%Y-%m-%dT%H:%M:%S", tz = "UTC")
  write.csv(d, file.path(out, file), row.names = FALSE, na = "")
}
haven::write_xpt(sub(adsl), file.path(out, "adsl.xpt"), version = 5, name = "ADSL")
write_csv(adae, "adae.csv")
write_csv(adrs, "adrs_onco.csv")
write_csv(adtte, "adtte_onco.csv")
write_csv(adtr, "adtr_onco.csv")
cat("kept", length(keep), "subjects\n")
