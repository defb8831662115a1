"""The truth files (`synthesize --truth`): the generating model of an export, every constant and every
calibrated number, as a JSON-ready dict (2019: the planted effects; 2023: the transitions)."""

from __future__ import annotations

from ..base.codebook import BINARY_ITEMS
from .parameters import (
    AREAS,
    ASSUMED_SHARES,
    ASSUMED_SHARES_2023,
    BASE_WAVE,
    BLANK_RATE,
    BLANK_RATE_2023,
    DONT_KNOW_RATE,
    DONT_KNOW_RATE_2023,
    EFFECTS,
    GOVERNANCE,
    LATENT_LOADING,
    LOWER_LEVEL_PROBS,
    MATURITY_SLOPE,
    N_RESPONDENTS,
    NUMERIC_BLANK_RATE,
    P_INFORMED_WHEN_NEEDED,
    PERSISTENCE_2023,
    PUBLISHED_ITEMS_2023,
    RESPONSE_2023,
    RESPONSE_GROUP_C,
    RESPONSE_SLOPE_Z,
    SELF_RATING,
    TERMS,
    UPPER_LEVEL_PROBS,
)


def truth(seed, n_rows, reg, cal, mt, abandoned_mun, targets, n_out) -> dict:
    """The 2019 truth file: the seed, the calibration, the planted effects, the response model, the
    missingness and the abandoned duplicates (JSON-ready)."""
    kod = reg["kommunkod"].astype(str).to_numpy()
    f = float
    return {
        "seed": int(seed),
        "n_rows": None if n_rows is None else int(n_rows),
        "n_rows_written": int(n_out),
        "synthetic": True,
        "note": "Synthetic data calibrated to SKR's published 2019 shares; not SKR's data.",
        "terms": list(TERMS),
        "outcomes": list(AREAS),
        "intercepts": {j: f(cal["intercepts"][j]) for j in AREAS},
        "effects": {j: {t: f(EFFECTS[j][t]) for t in TERMS} for j in AREAS},
        "group_effects": {j: {"huvudgrupp_B": 0.0, "huvudgrupp_C": 0.0} for j in AREAS},
        "outcome_model": ("logit P(area established) = intercept + sum(effect[term] * term); "
                          "term log_folkmangd = natural log of folkmangd; established = top two levels"),
        "latent_maturity": {
            "formula": "m = loading * (log(folkmangd) - log_pop_mean) / log_pop_sd + u, u ~ N(0,1)",
            "loading": f(LATENT_LOADING), "log_pop_mean": f(cal["mean"]), "log_pop_sd": f(cal["sd"]),
            "affects": list(GOVERNANCE),
        },
        "predictor_model": {
            k: {"intercept": f(cal["alpha"][k]), "maturity_slope": f(MATURITY_SLOPE[k]),
                "target_share": f(targets[k])} for k in GOVERNANCE
        },
        "leadership_informed_coding": {"yes": "Ja, regelbundet",
                                       "p_when_needed_given_not_regularly": f(P_INFORMED_WHEN_NEEDED)},
        "level_probs": {"not_established_codes_0_1_2": list(LOWER_LEVEL_PROBS),
                        "established_codes_3_4": list(UPPER_LEVEL_PROBS)},
        "self_rating": {k: (list(v) if isinstance(v, list) else f(v)) for k, v in SELF_RATING.items()},
        "published_shares": {k: f(v) for k, v in targets.items() if k not in ASSUMED_SHARES},
        "assumed_shares": {k: f(v) for k, v in ASSUMED_SHARES.items()},
        "expected_shares": {k: f(v) for k, v in cal["expected"].items()},
        "response_model": {
            "formula": ("P(non-response) = logistic(theta0 + slope_z * z + group_C * [huvudgrupp == C]), "
                        "z = standardised log(folkmangd); exactly n_nonrespondents drawn by randomised "
                        "systematic PPS (inclusion probabilities exact)"),
            "theta0": f(cal["theta0"]), "slope_z": f(RESPONSE_SLOPE_Z), "group_C": f(RESPONSE_GROUP_C),
            "n_frame": int(len(reg)), "n_respondents": N_RESPONDENTS,
            "n_nonrespondents": int(len(reg) - N_RESPONDENTS),
            "respondents": sorted(kod[mt["responded"]].tolist()),
        },
        "missingness": {"dont_know": f(DONT_KNOW_RATE), "blank": f(BLANK_RATE),
                        "numeric_blank": f(NUMERIC_BLANK_RATE), "mechanism": "MCAR per cell"},
        "duplicates": {"abandoned_submissions": sorted(kod[abandoned_mun].tolist())},
    }


def truth_2023(seed, wave, n_rows, reg, cal23, mt, abandoned_mun, targets, n_out) -> dict:
    """The 2023 truth file: the panel's seed, the transitions (model and realised in the frame), the
    targets, the response model and the missingness (JSON-ready)."""
    kod = reg["kommunkod"].astype(str).to_numpy()
    f = float
    both = mt["responded"] & mt["responded_2019"]
    return {
        "seed": int(seed),
        "wave": int(wave),
        "n_rows": None if n_rows is None else int(n_rows),
        "n_rows_written": int(n_out),
        "synthetic": True,
        "note": (f"Synthetic {wave} data: a panel on the synthetic {BASE_WAVE} answers of the same seed, calibrated "
                 f"to SKR's published {wave} CISO share and assumed shares for the other items; not SKR's data."),
        "panel": {"wave_from": BASE_WAVE, "seed_from": int(seed),
                  "rng": f"numpy default_rng([{int(seed)}, {int(wave)}]) after redrawing the {BASE_WAVE} frame"},
        "transition_model": ("P(yes in wave | yes in 2019) = p_kept; P(yes in wave | no in 2019) = p_gained; "
                             "the same for every municipality; yes as in the codebook (headline yes-codes, "
                             "resources and collaboration 'Ja')"),
        "transitions": {k: {"p_kept": f(PERSISTENCE_2023[k]), "p_lost": f(round(1.0 - PERSISTENCE_2023[k], 12)),
                            "p_gained": f(cal23["gain"][k])} for k in BINARY_ITEMS},
        "published_shares": {k: f(targets[k]) for k in PUBLISHED_ITEMS_2023},
        "published_source": "published_series.csv (reference data), read at generation",
        "assumed_shares": {k: f(v) for k, v in ASSUMED_SHARES_2023.items()},
        "expected_shares": {k: f(v) for k, v in cal23["expected"].items()},
        "expected_shares_2019_among_respondents": {k: f(v) for k, v in
                                                   cal23["expected_2019_among_2023_respondents"].items()},
        "frame_transitions": {k: {"kept_yes": int(((mt["yes_2019"][k] == 1) & (mt["yes_2023"][k] == 1)).sum()),
                                  "lost": int(((mt["yes_2019"][k] == 1) & (mt["yes_2023"][k] == 0)).sum()),
                                  "gained": int(((mt["yes_2019"][k] == 0) & (mt["yes_2023"][k] == 1)).sum()),
                                  "kept_no": int(((mt["yes_2019"][k] == 0) & (mt["yes_2023"][k] == 0)).sum())}
                              for k in BINARY_ITEMS},
        "response_model": {
            "formula": ("P(non-response) = logistic(theta0 + slope_z * z + group_C * [huvudgrupp == C]), "
                        "z = standardised log(folkmangd) as in 2019; exactly n_nonrespondents drawn by randomised "
                        "systematic PPS (inclusion probabilities exact); independent of the 2019 response"),
            "theta0": f(cal23["theta0"]), "slope_z": f(RESPONSE_2023["slope_z"]),
            "group_C": f(RESPONSE_2023["group_C"]), "n_frame": int(len(reg)),
            "n_respondents": int(RESPONSE_2023["n_respondents"]),
            "n_nonrespondents": int(len(reg) - RESPONSE_2023["n_respondents"]),
            "respondents": sorted(kod[mt["responded"]].tolist()),
            "respondents_both_waves": int(both.sum()),
        },
        "missingness": {"dont_know": f(DONT_KNOW_RATE_2023), "blank": f(BLANK_RATE_2023),
                        "numeric_blank": f(NUMERIC_BLANK_RATE), "mechanism": "MCAR per cell"},
        "duplicates": {"abandoned_submissions": sorted(kod[abandoned_mun].tolist())},
    }
