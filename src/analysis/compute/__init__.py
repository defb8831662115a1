"""Computation: data in, numbers out. Nothing here reads or writes a file or formats text for a reader.

Packages and modules: clean/ (the raw export to the analysis frame), design (strata, weights,
respondents), likelihood (profile likelihood, sparse groups), survey/ (shares and means with design-based
intervals), disclosure/ (suppression and its audit), estimable (when thin data allow an analysis),
models/ (the association models and the verdicts), compare/ (change between waves).
"""
