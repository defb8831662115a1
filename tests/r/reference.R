# Reference values from R for tests/scenarios/test_r_reference.py: the project's estimators recomputed with
# R's survey, sandwich, MASS and stats packages, from the CSV the test writes.
#
#   Rscript tests/r/reference.R INPUT.csv OUTPUT.json
#
# INPUT.csv: one row per municipality of the 290 (columns written by test_r_reference.write_input):
#   kommungrupp, reported_group (A1+A2 merged as in the report), huvudgrupp, lan_kod (unused),
#   folkmangd, N_h,
#   responded (0/1), the ten headline items, resources and collaboration (0/1/NA),
#   self_rating (1-5/NA) and maturity_index (0-7/NA).
# OUTPUT.json: shares, by-group shares, maturity means, the non-response model, the main-spec
# weighted GLMs with HC1 (and svyglm with strata, with and without FPC), polr fits, BH q-values.
# Nothing here reads the project's Python code or its outputs.

suppressPackageStartupMessages({
  library(survey)
  library(sandwich)
  library(MASS)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) stop("usage: Rscript reference.R INPUT.csv OUTPUT.json")
d <- read.csv(args[1], stringsAsFactors = FALSE, na.strings = "")
ITEMS <- c("ciso", "leadership_informed", "action_plans", "risk_management", "classification",
           "incident_management", "continuity", "awareness", "procurement", "follow_up")
AREAS <- ITEMS[4:10]
PRIMARY <- c("leadership_informed", "action_plans")
ALPHA <- 0.05
TIGHT <- glm.control(epsilon = 1e-14, maxit = 100)  # converge fully: R's default 1e-8 moves SEs by ~1e-5

d$log_folkmangd <- log(d$folkmangd)
d$huvudgrupp <- factor(d$huvudgrupp, levels = c("A", "B", "C"))
resp <- d[d$responded == 1, ]
des <- svydesign(ids = ~1, strata = ~kommungrupp, fpc = ~N_h, data = resp)

share <- function(design, var) {
  # svyciprop(method = "beta"): Korn-Graubard; the design is already subset to the domain
  f <- as.formula(paste0("~I(", var, " == 1)"))
  ci <- svyciprop(f, design, method = "beta", level = 1 - ALPHA)
  lim <- as.numeric(attr(ci, "ci"))
  x <- design$variables[[var]]
  list(share = as.numeric(coef(ci)), se = sqrt(as.numeric(attr(ci, "var"))),
       ci_low = lim[1], ci_high = lim[2], n = length(x), n_yes = sum(x == 1), df = degf(design),
       cp_low = binom.test(sum(x == 1), length(x))$conf.int[1],
       cp_high = binom.test(sum(x == 1), length(x))$conf.int[2])
}

# -------------------------------------------------------------------------------- headline shares
headline <- lapply(ITEMS, function(v) c(list(item = v), share(subset(des, !is.na(get(v))), v)))

# ------------------------------------------------------------------------------ by group (domains)
by_group <- list()
for (grouping in c("kommungrupp", "huvudgrupp")) {
  col <- if (grouping == "kommungrupp") "reported_group" else "huvudgrupp"
  for (g in sort(unique(as.character(resp[[col]])))) {
    for (v in ITEMS) {
      sub <- subset(des, !is.na(get(v)) & as.character(get(col)) == g)
      if (nrow(sub$variables) == 0) next
      by_group[[length(by_group) + 1]] <- c(list(grouping = grouping, group = g, item = v), share(sub, v))
    }
  }
}

# ------------------------------------------------------------------------ maturity index (means)
mean_of <- function(design) {
  m <- svymean(~maturity_index, design)
  df <- degf(design)
  ci <- confint(m, df = df, level = 1 - ALPHA)
  list(mean = as.numeric(coef(m)), se = as.numeric(SE(m)), ci_low = ci[1], ci_high = ci[2], df = df,
       n = nrow(design$variables))
}
maturity <- list(c(list(grouping = "all", group = "all"), mean_of(subset(des, !is.na(maturity_index)))))
for (grouping in c("kommungrupp", "huvudgrupp")) {
  col <- if (grouping == "kommungrupp") "reported_group" else "huvudgrupp"
  for (g in sort(unique(as.character(resp[[col]])))) {
    sub <- subset(des, !is.na(maturity_index) & as.character(get(col)) == g)
    maturity[[length(maturity) + 1]] <- c(list(grouping = grouping, group = g), mean_of(sub))
  }
}

# ---------------------------------------------------------------- non-response model (all 290)
nr <- glm(responded ~ log_folkmangd + huvudgrupp, family = binomial, data = d, control = TIGHT)
X <- model.matrix(nr)
prof <- suppressMessages(confint(nr, level = 1 - ALPHA))  # profile likelihood (MASS)
lr_p <- sapply(seq_len(ncol(X)), function(j) {
  # likelihood-ratio test of one column: deviance without it minus deviance with it
  r <- glm.fit(X[, -j, drop = FALSE], d$responded, family = binomial(), control = TIGHT)
  pchisq(r$deviance - nr$deviance, 1, lower.tail = FALSE)
})
nonresponse <- list(term = colnames(X), coef = unname(coef(nr)), se = unname(sqrt(diag(vcov(nr)))),
                    ci_low = unname(exp(prof[, 1])), ci_high = unname(exp(prof[, 2])), lr_p = lr_p,
                    wald_low = unname(exp(confint.default(nr, level = 1 - ALPHA)[, 1])),
                    wald_high = unname(exp(confint.default(nr, level = 1 - ALPHA)[, 2])))

# --------------------------------------------------- main spec: weighted GLM, HC1, svyglm, polr
resp$w_design <- resp$N_h / ave(resp$N_h, resp$kommungrupp, FUN = length)
des_nofpc <- svydesign(ids = ~1, strata = ~kommungrupp, weights = ~w_design, data = resp)
RHS <- "leadership_informed + action_plans + resources + collaboration + log_folkmangd + huvudgrupp"
complete <- function(vars) stats::complete.cases(resp[, vars])

glm_ref <- function(lhs, vars, counts = FALSE) {
  keep <- complete(vars)
  s <- resp[keep, ]
  s$w <- s$w_design / mean(s$w_design)
  f <- as.formula(paste(lhs, "~", RHS))
  fit <- suppressWarnings(glm(f, family = binomial, data = s, weights = w, control = TIGHT))
  V <- vcovHC(fit, type = "HC1")
  sv <- suppressWarnings(svyglm(f, design = subset(des_nofpc, keep), family = quasibinomial(), control = TIGHT))
  sf <- suppressWarnings(svyglm(f, design = subset(des, keep), family = quasibinomial(), control = TIGHT))
  se <- sqrt(diag(V))
  list(term = names(coef(fit)), coef = unname(coef(fit)), se_hc1 = unname(se),
       p_value = unname(2 * pnorm(-abs(coef(fit) / se))), n = nrow(s),
       se_svyglm_strata = unname(sqrt(diag(vcov(sv)))), se_svyglm_strata_fpc = unname(sqrt(diag(vcov(sf)))),
       coef_svyglm = unname(coef(sv)))
}
base <- c("leadership_informed", "action_plans", "resources", "collaboration", "log_folkmangd")
glms <- list()
for (a in AREAS) glms[[a]] <- glm_ref(a, c(a, base))
glms[["maturity_index_binomial"]] <- glm_ref("cbind(maturity_index, 7 - maturity_index)", c("maturity_index", base))

polr_ref <- function(y, rhs, vars, weighted) {
  keep <- complete(c(y, vars))
  s <- resp[keep, ]
  s$w <- s$w_design / mean(s$w_design)
  s$yf <- factor(s[[y]], ordered = TRUE)
  f <- as.formula(paste("yf ~", rhs))
  ctl <- list(reltol = 1e-14, maxit = 10000)  # optim's default reltol (1.5e-8) moves the cut-points by ~1e-4
  fit <- if (weighted) suppressWarnings(polr(f, data = s, weights = w, method = "logistic", Hess = TRUE, control = ctl))
         else polr(f, data = s, method = "logistic", Hess = TRUE, control = ctl)
  k <- length(coef(fit)) + length(fit$zeta)
  V <- if (weighted) sandwich(fit) * nrow(s) / (nrow(s) - k) else vcov(fit)  # HC1 for weighted fits
  b <- coef(fit)
  list(term = names(b), coef = unname(b), se = unname(sqrt(diag(V))[names(b)]),
       zeta = unname(fit$zeta), n = nrow(s))
}
SR_RHS <- "resources + leadership_informed + action_plans + log_folkmangd"
MI_RHS <- RHS
polrs <- list(
  maturity_index_ordinal_weighted = polr_ref("maturity_index", MI_RHS, base, TRUE),
  maturity_index_ordinal_unweighted = polr_ref("maturity_index", MI_RHS, base, FALSE),
  self_rating_ordinal_weighted = polr_ref("self_rating", SR_RHS, base[c(3, 1, 2, 5)], TRUE),
  self_rating_ordinal_unweighted = polr_ref("self_rating", SR_RHS, base[c(3, 1, 2, 5)], FALSE)
)

# ------------------------------------------------------------------------------------- BH
pick <- function(outcomes, term) {
  sapply(outcomes, function(o) {
    g <- if (o %in% names(glms)) glms[[o]] else NULL
    if (!is.null(g)) return(g$p_value[g$term == term])
    p <- polrs[[paste0(o, "_weighted")]]
    2 * pnorm(-abs(p$coef[p$term == term] / p$se[p$term == term]))
  })
}
primary_p <- unlist(lapply(PRIMARY, function(t) pick(AREAS, t)))
bh <- list(
  primary = list(outcome = rep(AREAS, length(PRIMARY)), term = rep(PRIMARY, each = length(AREAS)),
                 p_value = unname(primary_p), q_value = p.adjust(unname(primary_p), method = "BH")),
  collaboration_areas = p.adjust(unname(pick(AREAS, "collaboration")), method = "BH"),
  collaboration_maturity = p.adjust(unname(pick(c("maturity_index_binomial", "maturity_index_ordinal"),
                                                "collaboration")), method = "BH")
)

out <- list(
  r_version = R.version.string,
  packages = list(survey = as.character(packageVersion("survey")),
                  sandwich = as.character(packageVersion("sandwich")),
                  MASS = as.character(packageVersion("MASS"))),
  input_md5 = unname(tools::md5sum(args[1])),
  headline = headline, by_group = by_group, maturity = maturity, nonresponse = nonresponse,
  glm = glms, polr = polrs, bh = bh
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"), args[2])
