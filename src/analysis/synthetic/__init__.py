"""The synthetic data source: deterministic exports of both waves, calibrated to the published shares.
A sibling of compute: it builds on the base layer only, and compute never imports it."""
