"""From yes/no draws to answer codes, as both waves code them: the governance items (with "Ja, vid
behov" for leadership_informed), an area's maturity level, the self-rating and the CISO share."""

from __future__ import annotations

import numpy as np

from .parameters import (
    CISO_SHARE_VALUES,
    LOWER_LEVEL_PROBS,
    P_INFORMED_WHEN_NEEDED,
    PREDICTORS,
    SELF_RATING,
    UPPER_LEVEL_PROBS,
)

INFORMED = "leadership_informed"  # the one predictor on a three-level scale: yes = code 2 ("Ja, regelbundet")


def governance_codes(yes: dict[str, np.ndarray], rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Codes of ciso and the predictors: 1/0, except leadership_informed: 2 when yes, else 1 ("Ja, vid
    behov") with probability P_INFORMED_WHEN_NEEDED, else 0."""
    n = len(yes["ciso"])
    codes = {"ciso": yes["ciso"].astype(np.int8)}
    when_needed = rng.random(n) < P_INFORMED_WHEN_NEEDED
    codes[INFORMED] = np.where(yes[INFORMED] == 1, 2, when_needed.astype(int)).astype(np.int8)
    for k in PREDICTORS:
        if k != INFORMED:
            codes[k] = yes[k].astype(np.int8)
    return codes


def area_codes(established: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """An area's level: 3-4 when established (UPPER_LEVEL_PROBS), else 0-2 (LOWER_LEVEL_PROBS)."""
    n = len(established)
    low = rng.choice(3, size=n, p=LOWER_LEVEL_PROBS)
    high = 3 + rng.choice(2, size=n, p=UPPER_LEVEL_PROBS)
    return np.where(established == 1, high, low).astype(np.int8)


def rating_and_share(n_established: np.ndarray, yes: dict[str, np.ndarray], z: np.ndarray,
                     rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """self_rating (1-5, ordinal logit on the established count, resources and leadership_informed) and
    the index of the CISO share in CISO_SHARE_VALUES (larger municipalities more; -1 without a CISO)."""
    n = len(z)
    latent = (SELF_RATING["established_count"] * n_established + SELF_RATING["resources"] * yes["resources"]
              + SELF_RATING["leadership_informed"] * yes[INFORMED] + rng.logistic(size=n))
    self_rating = 1 + np.searchsorted(np.array(SELF_RATING["cutpoints"]), latent)
    share_latent = 0.35 + 0.15 * z + 0.2 * rng.standard_normal(n)
    vals = np.array(CISO_SHARE_VALUES)
    share_idx = np.abs(np.clip(share_latent, 0.1, 1.0)[:, None] - vals[None, :]).argmin(axis=1)
    share_idx = np.where(yes["ciso"] == 1, share_idx, -1)  # -1: no CISO -> blank
    return self_rating.astype(np.int8), share_idx
