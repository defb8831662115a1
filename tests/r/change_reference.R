# Reference computation of the change between two waves (analysis.compute.compare), with R's survey.
# Usage: Rscript change_reference.R STACKED.csv OUT.csv [ALPHA]
# STACKED.csv: one row per (municipality, wave): kommunkod, kommungrupp, N_h, w, wave, then one
# column per item (1 / 0 / empty for no valid answer). OUT.csv: one row per item, proportion scale.
suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "adjust")
args <- commandArgs(trailingOnly = TRUE)
alpha <- if (length(args) >= 3) as.numeric(args[3]) else 0.05
d <- read.csv(args[1], colClasses = c(kommunkod = "character", kommungrupp = "character"))
waves <- sort(unique(d$wave))
d$wave <- factor(d$wave, levels = waves)
items <- setdiff(names(d), c("kommunkod", "kommungrupp", "N_h", "w", "wave"))
des <- svydesign(ids = ~kommunkod, strata = ~kommungrupp, fpc = ~N_h, weights = ~w, nest = TRUE, data = d)
rows <- list()
for (item in items) {
  sub <- subset(des, !is.na(d[[item]]))
  s <- svyby(as.formula(paste0("~", item)), ~wave, sub, svymean, covmat = TRUE)
  V <- vcov(s)
  ctr <- svycontrast(s, c(-1, 1))
  df <- degf(sub)
  ci <- confint(ctr, level = 1 - alpha, df = df)
  rows[[item]] <- data.frame(item = item, share_from = coef(s)[1], share_to = coef(s)[2],
                             var_from = V[1, 1], var_to = V[2, 2], cov = V[1, 2],
                             change = as.numeric(coef(ctr)), se_change = as.numeric(SE(ctr)),
                             df = df, ci_low = ci[1, 1], ci_high = ci[1, 2])
}
out <- do.call(rbind, rows)
write.csv(out, args[2], row.names = FALSE)
