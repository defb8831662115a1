"""Synthetic raw exports of SKR's 2019 survey and its 2023 follow-up, for the real 290 municipalities.

Answers come from a documented model calibrated to SKR's published shares (2023: a panel on 2019's
answers); the generating truth is returned too.

Generative model (log-odds scale; every number below is written to the truth JSON)
----------------------------------------------------------------------------------
Frame: the 290 municipalities of the register (code, name, county, SKR group 2017, population
``folkmangd``). ``lp = log(folkmangd)``; ``z = (lp - mean(lp)) / sd(lp)`` over the frame.

1. Response. Municipality i does NOT respond with probability
   ``q_i = logistic(theta0 + theta_z * z_i + theta_C * [huvudgrupp_i == C])`` (theta_z < 0, theta_C > 0:
   small and rural municipalities answer less often), where theta0 is solved so that sum(q) = 26.
   The 26 non-respondents are drawn without replacement by randomised systematic PPS sampling on q,
   which gives exactly 26 at every seed AND inclusion probabilities exactly q_i, so the response
   probabilities pi_i = 1 - q_i are known and seed-free.
2. Latent maturity ``m_i = a * z_i + u_i`` with ``u_i ~ N(0, 1)`` (drawn as a Latin-hypercube sample
   over the frame: every u_i is exactly N(0, 1), the frame's spread of u is less noisy).
3. Governance items, conditionally independent given m:
   ``P(x_ik = 1 | m_i) = logistic(alpha_k + delta_k * m_i)`` for k in ciso, leadership_informed
   (= "Ja, regelbundet"), action_plans, resources, collaboration. m_i touches ONLY these items.
   leadership_informed that is not "regelbundet" is "Ja, vid behov" with a fixed probability,
   else "Nej".
4. Seven working-method areas j (risk_management ... follow_up): established (top two levels,
   "Etablerat" / "Etablerat och följs upp") with
   ``P(y_ij = 1 | x_i) = logistic(c_j + beta_j . [leadership_informed, action_plans, resources,
   collaboration]_i + gamma_j * lp_i)`` - no group term (its truth is 0) and no direct effect of m,
   so a logistic GLM of y ~ the four items + log(folkmangd) + huvudgrupp estimates (c, beta, gamma).
   Non-established answers are spread over the lower three levels and established ones over the
   top two with fixed probabilities (``LOWER_LEVEL_PROBS``, ``UPPER_LEVEL_PROBS``).
   Binary draws use randomised systematic (balanced) sampling over the respondents in random
   order: each draw is still exactly Bernoulli with its own probability given the covariates, but
   the respondents' total is within 1 of its expectation, which reduces sampling noise.
5. self_rating (1-5): ordinal logit, latent ``0.45 * n_established + 0.9 * resources
   + 0.3 * leadership_informed + logistic noise`` cut at fixed thresholds, so a low rating goes with
   leadership that has delegated without resources. ciso_share: a fraction of full time (larger
   municipalities spend more), blank without a CISO.
6. Missingness, completely at random on every coded item: "Vet ej" with probability 4 %, blank with
   2 % (the share among valid answers is unaffected); self_rating and ciso_share blank 2 %.

Calibration: alpha_k (ciso, leadership_informed, action_plans against the published shares;
resources and collaboration against assumed shares ``ASSUMED_SHARES``) and c_j (the seven areas)
are solved with brentq so that the EXPECTED share among respondents - the frame weighted by
pi_i, integrated over u by 60-point Gauss-Hermite quadrature and over the 16 combinations of
the four items exactly - equals the target. The calibration does not depend on the seed and is
cached.

The 2023 wave: a panel on the 2019 answers
------------------------------------------
``generate(..., wave=2023, published_series=...)`` with seed s first redraws the 2019 frame (every
municipality's 2019 answer, respondent or not) exactly as the 2019 export of seed s has it, then
draws 2023 with its own generator (numpy seed sequence [s, 2023]):

7. Response 2023, its own pattern: ``P(non-response) = logistic(theta0' + RESPONSE_2023["slope_z"] * z
   + RESPONSE_2023["group_C"] * [C])``, exactly ``RESPONSE_2023["n_respondents"]`` (255) respondents by
   the same randomised systematic PPS (inclusion probabilities pi'_i exact and seed-free); independent
   of the 2019 response given size and group.
8. Transitions. For each yes/no item k (the ten headline items, resources, collaboration; "yes" as in
   the codebook: leadership_informed code 2, an area's top two levels), municipality i's 2023 answer
   depends on its 2019 answer only:
       P(yes 2023 | yes 2019) = PERSISTENCE_2023[k]      (documented constants: "kept")
       P(yes 2023 | no 2019)  = gain_k                   (solved: "gained")
   so P(no 2023 | yes 2019) = 1 - PERSISTENCE_2023[k] is the probability of losing it. Draws are
   balanced as in 4. Levels within yes / no, "Ja, vid behov", self_rating and ciso_share are drawn as
   in 3-5 from the 2023 answers.
9. Calibration: gain_k is solved in closed form so that the EXPECTED 2023 share among the 2023
   respondents, sum_i pi'_i [gain_k + (PERSISTENCE_2023[k] - gain_k) P(yes 2019)_i] / n', equals
   the 2023 target: for ciso SKR's published 2023 share, read from published_series.csv (the
   `published_series` argument; never typed here); for the other items the assumed shares
   ``ASSUMED_SHARES_2023`` (SKR's 2024 message is "förbättringar" without further figures: the
   assumption is five percentage points above each 2019 target). P(yes 2019)_i is the model
   probability of 2-4 (u integrated out), so the transition probabilities are seed-free.
10. Missingness 2023: "Vet ej" 3 %, blank 2 % (MCAR); fieldwork from ``FIELDWORK_START_2023``.
The 2023 export is read through codebook_2023.yaml (other headers, one changed answer label). No
model effect is planted for 2023: the associations of 4 carry over only through the transitions.

The export mimics a web-survey tool: the codebook's raw Swedish headers, one row per submission,
semicolon-separated UTF-8 with BOM (xlsx on request), with the mess cleaning must handle (abandoned
duplicate submissions, name and code variants, odd label case and spaces, ciso_share formats,
hostile free text). Personal data are Faker("sv_SE") inventions with reserved example domains.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from ..base.codebook import BINARY_ITEMS, DONT_KNOW, MATURITY_AREAS, Codebook, codebook_for, default_codebook

# --------------------------------------------------------------------------------------------
# Model constants (all copied into the truth dict)
# --------------------------------------------------------------------------------------------
PREDICTORS = ("leadership_informed", "action_plans", "resources", "collaboration")
TERMS = (*PREDICTORS, "log_folkmangd")
GOVERNANCE = ("ciso", *PREDICTORS)
AREAS = tuple(MATURITY_AREAS)

N_RESPONDENTS = 264
RESPONSE_SLOPE_Z = -0.6  # per SD of log population: larger municipalities respond more often
RESPONSE_GROUP_C = 0.8  # non-response log-odds added for SKR main group C (small/rural)

LATENT_LOADING = 0.6  # a: latent maturity per SD of log population
MATURITY_SLOPE = {"ciso": 1.0, "leadership_informed": 1.0, "action_plans": 0.9,
                  "resources": 0.8, "collaboration": 0.6}
# Not published by SKR; plausible values (SKR: resources are often lacking; collaboration common).
ASSUMED_SHARES = {"resources": 0.35, "collaboration": 0.5}

# beta_j (log-odds) per area and term; gamma_j is the log_folkmangd entry.
EFFECTS: dict[str, dict[str, float]] = {
    "risk_management":     {"leadership_informed": 0.9, "action_plans": 0.8, "resources": 0.5, "collaboration": 0.4, "log_folkmangd": 0.25},
    "classification":      {"leadership_informed": 0.7, "action_plans": 1.0, "resources": 0.6, "collaboration": 0.5, "log_folkmangd": 0.20},
    "incident_management": {"leadership_informed": 1.1, "action_plans": 0.6, "resources": 0.4, "collaboration": 0.3, "log_folkmangd": 0.30},
    "continuity":          {"leadership_informed": 0.6, "action_plans": 0.9, "resources": 0.7, "collaboration": 0.4, "log_folkmangd": 0.15},
    "awareness":           {"leadership_informed": 0.8, "action_plans": 0.7, "resources": 0.5, "collaboration": 0.6, "log_folkmangd": 0.10},
    "procurement":         {"leadership_informed": 0.5, "action_plans": 1.2, "resources": 0.6, "collaboration": 0.5, "log_folkmangd": 0.20},
    "follow_up":           {"leadership_informed": 1.0, "action_plans": 0.9, "resources": 0.8, "collaboration": 0.3, "log_folkmangd": 0.15},
}
P_INFORMED_WHEN_NEEDED = 0.55  # P("Ja, vid behov" | not "Ja, regelbundet")
LOWER_LEVEL_PROBS = (0.20, 0.35, 0.45)  # codes 0, 1, 2 given not established
UPPER_LEVEL_PROBS = (0.65, 0.35)  # codes 3, 4 given established

SELF_RATING = {"established_count": 0.45, "resources": 0.9, "leadership_informed": 0.3,
               "cutpoints": [0.0, 1.2, 2.7, 4.3]}
CISO_SHARE_VALUES = (0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 0.8, 1.0)

DONT_KNOW_RATE = 0.04
BLANK_RATE = 0.02
NUMERIC_BLANK_RATE = 0.02
N_ABANDONED = 5  # municipalities with an extra abandoned submission (natural-size export)
LABEL_VARIANT_PROBS = (0.95, 0.02, 0.015, 0.015)  # canonical, "x ", "x " lower-case, UPPER
GH_NODES = 60
PERSON_POOL = 500
FIELDWORK_START = np.datetime64("2019-03-18T00:00:00")
FIELDWORK_DAYS = 56

# --- the 2023 wave (a panel on 2019; see the module docstring, 7-10) ---------------------------
BASE_WAVE = 2019
PANEL_WAVES = (2023,)
RESPONSE_2023 = {"n_respondents": 255, "slope_z": -0.4, "group_C": 1.0}  # assumption: 88 % answer
# P(yes in 2023 | yes in 2019): most municipalities keep what they had; some lose it (staff turnover,
# reorganisation). Assumptions, documented; the gains are solved from the targets.
PERSISTENCE_2023 = {"ciso": 0.92, "leadership_informed": 0.80, "action_plans": 0.80, "resources": 0.85,
                    "collaboration": 0.85, **{a: 0.85 for a in MATURITY_AREAS}}
# 2023 targets other than the published CISO share: assumption, 2019 target + 0.05 each.
ASSUMED_SHARES_2023 = {"leadership_informed": 0.35, "action_plans": 0.25, "risk_management": 0.55,
                       "classification": 0.55, "incident_management": 0.65, "continuity": 0.45,
                       "awareness": 0.55, "procurement": 0.35, "follow_up": 0.25, "resources": 0.40,
                       "collaboration": 0.55}
PUBLISHED_ITEMS_2023 = ("ciso",)  # calibrated to published_series.csv
DONT_KNOW_RATE_2023 = 0.03
BLANK_RATE_2023 = 0.02
FIELDWORK_START_2023 = np.datetime64("2023-09-11T00:00:00")

# Names shown in a distinctive way whenever the municipality appears (in the natural-size rows).
SHOWCASE_NAMES = {"0114": "Upplands-Väsby", "2023": "Malung Sälen", "1480": "GÖTEBORG"}
SHOWCASE_CODES = {"0114": "114"}

COMMENTS = (
    "Vi har precis börjat arbetet med KLASSA.",
    "Samarbetar med grannkommunerna i en gemensam säkerhetsgrupp.",
    "Svårt att få resurser; ledningen har delegerat ansvaret.",
    "Informationssäkerhetssamordnaren är även dataskyddsombud (50 %).",
    'Vi följer MSB:s metodstöd & "KLASSA" <se bilaga>',
    "Rutiner finns för IT men inte för övrig verksamhet.\nÖversyn pågår hösten 2019.",
    "Enkäten besvarades av säkerhetschef och IT-chef tillsammans.",
    "Kontinuitetsplanering görs inom krisberedskapen, se risk- och sårbarhetsanalysen.",
    "Fråga 7g är svår att besvara – uppföljningen skiljer sig mellan förvaltningarna.",
    "Andel > 50 % om man räknar med IT-säkerhet & dataskydd.",
)
HOSTILE_COMMENTS = ("=SUMMA(A1:A2)", "<img src=x onerror=alert(1)>", "<script>alert(1)</script>")
COMMENT_RATE = 0.12
TITLES = (
    "Informationssäkerhetssamordnare", "Informationssäkerhetsstrateg", "CISO", "IT-chef",
    "Säkerhetschef", "Kommunsekreterare", "Digitaliseringsstrateg", "Kanslichef",
    "Dataskyddsombud", "Beredskapssamordnare",
)


def _logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


# --------------------------------------------------------------------------------------------
# Calibration (seed-free, cached)
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _calibrate(lp: tuple[float, ...], is_c: tuple[bool, ...], targets: tuple[tuple[str, float], ...]) -> dict:
    from scipy.optimize import brentq

    lp_a = np.asarray(lp, dtype=float)
    c_a = np.asarray(is_c, dtype=float)
    mean, sd = float(lp_a.mean()), float(lp_a.std())
    z = (lp_a - mean) / sd
    n = len(lp_a)
    n_non = n - N_RESPONDENTS

    theta0 = brentq(lambda t: _logistic(t + RESPONSE_SLOPE_Z * z + RESPONSE_GROUP_C * c_a).sum() - n_non, -30, 30,
                    xtol=1e-14)
    q = _logistic(theta0 + RESPONSE_SLOPE_Z * z + RESPONSE_GROUP_C * c_a)
    q = q * (n_non / q.sum())
    pi = 1.0 - q
    w = pi / pi.sum()

    nodes, gh_w = np.polynomial.hermite_e.hermegauss(GH_NODES)
    gh_w = gh_w / gh_w.sum()
    m = LATENT_LOADING * z[:, None] + nodes[None, :]  # (n, K)
    tgt = dict(targets)

    alpha, p_given_m = {}, {}
    for k in GOVERNANCE:
        d = MATURITY_SLOPE[k]

        def share(a, d=d):
            return float(w @ (_logistic(a + d * m) @ gh_w))

        alpha[k] = brentq(lambda a: share(a) - tgt[k], -30, 30, xtol=1e-14)
        p_given_m[k] = _logistic(alpha[k] + d * m)

    combos = np.array([[(c >> b) & 1 for b in range(4)] for c in range(16)], dtype=float)  # (16, 4)
    joint = np.ones((n, len(nodes), 16))
    for b, k in enumerate(PREDICTORS):
        p = p_given_m[k][:, :, None]
        joint *= np.where(combos[None, None, :, b] == 1, p, 1 - p)
    pbar = np.einsum("ikc,k->ic", joint, gh_w)  # (n, 16): P(x | municipality), u integrated out

    intercepts, expected, p_yes = {}, {}, {}
    for j in AREAS:
        beta = np.array([EFFECTS[j][t] for t in PREDICTORS])
        eta0 = (combos @ beta)[None, :] + EFFECTS[j]["log_folkmangd"] * lp_a[:, None]

        def area_share(c, eta0=eta0):
            return float(w @ (pbar * _logistic(c + eta0)).sum(axis=1))

        intercepts[j] = brentq(lambda c: area_share(c) - tgt[j], -60, 60, xtol=1e-14)
        expected[j] = area_share(intercepts[j])
        p_yes[j] = (pbar * _logistic(intercepts[j] + eta0)).sum(axis=1)
    for k in GOVERNANCE:
        expected[k] = float(w @ (p_given_m[k] @ gh_w))
        p_yes[k] = p_given_m[k] @ gh_w
    return {"mean": mean, "sd": sd, "theta0": float(theta0), "q": q, "pi": pi,
            "alpha": alpha, "intercepts": intercepts, "expected": expected, "p_yes": p_yes}


def _response_probabilities(z: np.ndarray, is_c: np.ndarray, n_respondents: int, slope_z: float,
                            group_c: float) -> tuple[float, np.ndarray]:
    """theta0 and the non-response probabilities q (summing to the number of non-respondents)."""
    from scipy.optimize import brentq

    n_non = len(z) - n_respondents
    theta0 = brentq(lambda t: _logistic(t + slope_z * z + group_c * is_c).sum() - n_non, -30, 30, xtol=1e-14)
    q = _logistic(theta0 + slope_z * z + group_c * is_c)
    return float(theta0), q * (n_non / q.sum())


@lru_cache(maxsize=8)
def _calibrate_2023(lp: tuple[float, ...], is_c: tuple[bool, ...], targets: tuple[tuple[str, float], ...],
                    targets_2023: tuple[tuple[str, float], ...]) -> dict:
    """Response probabilities of 2023 and the gains of the transitions (seed-free, cached)."""
    cal = _calibrate(lp, is_c, targets)
    lp_a, c_a = np.asarray(lp, dtype=float), np.asarray(is_c, dtype=float)
    z = (lp_a - cal["mean"]) / cal["sd"]
    n_resp = RESPONSE_2023["n_respondents"]
    theta0, q = _response_probabilities(z, c_a, n_resp, RESPONSE_2023["slope_z"], RESPONSE_2023["group_C"])
    pi = 1.0 - q
    gain, expected, expected_2019 = {}, {}, {}
    for k, target in targets_2023:
        keep = PERSISTENCE_2023[k]
        a = float(pi @ cal["p_yes"][k]) / n_resp  # expected 2019 share among the 2023 respondents
        g = (target - keep * a) / (1.0 - a)
        if not 0.0 <= g <= 1.0:
            raise ValueError(f"2023 target {target} for {k} cannot be reached with P(kept) = {keep} "
                             f"(needs P(gained) = {g:.3f})")
        gain[k] = g
        expected[k] = float(pi @ (g + (keep - g) * cal["p_yes"][k])) / n_resp
        expected_2019[k] = a
    return {"theta0": theta0, "q": q, "pi": pi, "gain": gain, "expected": expected,
            "expected_2019_among_2023_respondents": expected_2019}


def _targets(cb: Codebook) -> dict[str, float]:
    t = dict(cb.published_shares())
    t.update(ASSUMED_SHARES)
    return t


# --------------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------------

def _balanced_bernoulli(p: np.ndarray, order: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Randomised systematic sampling: y_i ~ Bernoulli(p_i) exactly; partial sums along `order` balanced."""
    c = np.cumsum(p[order])
    u = rng.random()
    hits = np.floor(c + u) - np.floor(np.concatenate([[0.0], c[:-1]]) + u)
    y = np.empty(len(p), dtype=np.int8)
    y[order] = hits.astype(np.int8)
    return y


def _systematic_pps(q: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of exactly k units drawn without replacement with inclusion probabilities q (sum k)."""
    order = rng.permutation(len(q))
    c = np.cumsum(q[order])
    c[-1] = max(c[-1], float(k))  # guard against rounding below k
    points = rng.random() + np.arange(k)
    pos = np.searchsorted(c, points, side="right")
    chosen = order[pos]
    assert len(set(chosen.tolist())) == k
    return np.sort(chosen)


def _municipality_truth(register: pd.DataFrame, cal: dict, rng: np.random.Generator) -> dict:
    """Draw response, latent maturity and every answer's code per municipality (frame level)."""
    n = len(register)
    lp = np.log(register["folkmangd"].to_numpy(dtype=float))
    z = (lp - cal["mean"]) / cal["sd"]
    from scipy.special import ndtri

    nonresp = _systematic_pps(cal["q"], n - N_RESPONDENTS, rng)
    responded = np.ones(n, dtype=bool)
    responded[nonresp] = False
    resp_idx = np.flatnonzero(responded)

    u = ndtri((rng.permutation(n) + rng.random(n)) / n)  # Latin hypercube, each u_i ~ N(0, 1)
    m = LATENT_LOADING * z + u

    def order():  # respondents first (in random order), so their totals are balanced
        return np.concatenate([rng.permutation(resp_idx), rng.permutation(np.flatnonzero(~responded))])

    x = {k: _balanced_bernoulli(_logistic(cal["alpha"][k] + MATURITY_SLOPE[k] * m), order(), rng)
         for k in GOVERNANCE}
    codes: dict[str, np.ndarray] = {}
    codes["ciso"] = x["ciso"].astype(np.int8)
    when_needed = rng.random(n) < P_INFORMED_WHEN_NEEDED
    codes["leadership_informed"] = np.where(x["leadership_informed"] == 1, 2, when_needed.astype(int)).astype(np.int8)
    for k in ("action_plans", "resources", "collaboration"):
        codes[k] = x[k].astype(np.int8)
    X = np.column_stack([x[k] for k in PREDICTORS]).astype(float)
    established = np.zeros(n, dtype=int)
    for j in AREAS:
        beta = np.array([EFFECTS[j][t] for t in PREDICTORS])
        p = _logistic(cal["intercepts"][j] + X @ beta + EFFECTS[j]["log_folkmangd"] * lp)
        y = _balanced_bernoulli(p, order(), rng)
        established += y
        low = rng.choice(3, size=n, p=LOWER_LEVEL_PROBS)
        high = 3 + rng.choice(2, size=n, p=UPPER_LEVEL_PROBS)
        codes[j] = np.where(y == 1, high, low).astype(np.int8)
    latent = (SELF_RATING["established_count"] * established + SELF_RATING["resources"] * x["resources"]
              + SELF_RATING["leadership_informed"] * x["leadership_informed"] + rng.logistic(size=n))
    self_rating = 1 + np.searchsorted(np.array(SELF_RATING["cutpoints"]), latent)
    share_latent = 0.35 + 0.15 * z + 0.2 * rng.standard_normal(n)
    vals = np.array(CISO_SHARE_VALUES)
    share_idx = np.abs(np.clip(share_latent, 0.1, 1.0)[:, None] - vals[None, :]).argmin(axis=1)
    share_idx = np.where(x["ciso"] == 1, share_idx, -1)  # -1: no CISO -> blank
    return {"responded": responded, "codes": codes, "self_rating": self_rating.astype(np.int8),
            "ciso_share_idx": share_idx, "z": z}


def _person_pool(seed: int) -> dict[str, np.ndarray]:
    from faker import Faker

    fake = Faker("sv_SE")
    fake.seed_instance(seed)
    fold = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", " ": "", "-": ""})
    names, emails, phones, titles = [], [], [], []
    for _ in range(PERSON_POOL):
        first, last = fake.first_name(), fake.last_name()
        names.append(f"{first} {last}")
        emails.append(f"{first.lower().translate(fold)}.{last.lower().translate(fold)}@{fake.safe_domain_name()}")
        phones.append(fake.phone_number())
        titles.append(fake.random_element(TITLES))
    return {k: np.array(v, dtype=object) for k, v in
            (("name", names), ("email", emails), ("phone", phones), ("title", titles))}


def _swap_hyphen_space(name: str) -> str:
    if "-" in name:
        return name.replace("-", " ")
    if " " in name:
        return name.replace(" ", "-")
    return name


def _format_share(v: float, style: int) -> str:
    pct = int(round(v * 100))
    if style == 0:
        return str(pct)
    if style == 1:
        return f"{pct} %"
    if style == 2:
        return f"{pct}%"
    return f"{v:g}".replace(".", ",")


def _timestamps(seconds: np.ndarray, start: np.datetime64 = FIELDWORK_START) -> np.ndarray:
    """Seconds since `start` (the fieldwork's first day) -> 'YYYY-MM-DD HH:MM:SS' (object array)."""
    t = start + seconds.astype("timedelta64[s]")
    s = np.ascontiguousarray(np.datetime_as_string(t, unit="s").astype("<U19"))  # ...T...
    chars = s.view("<U1").reshape(len(s), 19)
    chars[:, 10] = " "
    return chars.view("<U19").ravel().astype(object)


def generate(register: pd.DataFrame, seed: int = 2019, n_rows: int | None = None,
             codebook: Codebook | None = None, *, wave: int = BASE_WAVE,
             published_series: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict]:
    """Draw a synthetic raw export of `wave` (2019, or 2023 as a panel) for the register's municipalities.

    Returns (export, truth): the export has the wave's codebook headers and string cells exactly as
    written to the file; truth holds the seed, the calibrated intercepts, the planted effects, the
    response model and the missingness rates (2023: the transition probabilities too; JSON-ready).
    n_rows=None gives the natural export (the respondents plus N_ABANDONED abandoned duplicate
    submissions); a larger n_rows appends further submissions by responding municipalities
    (benchmarks); a smaller one keeps the first n_rows submissions in time order. The 2023 export of
    seed s is the panel partner of the 2019 export of seed s; it needs `published_series` (the public
    record, reference.load_published_series) for its CISO target.
    """
    if wave != BASE_WAVE and wave not in PANEL_WAVES:
        raise ValueError(f"no synthetic model for wave {wave}; waves: {(BASE_WAVE, *PANEL_WAVES)}")
    cb = codebook or codebook_for(wave)
    reg = register.reset_index(drop=True)
    n_mun = len(reg)
    if n_mun <= N_RESPONDENTS:
        raise ValueError(f"register has {n_mun} municipalities; need more than {N_RESPONDENTS}")
    lp = tuple(np.log(reg["folkmangd"].to_numpy(dtype=float)).tolist())
    is_c = tuple((reg["huvudgrupp"].astype(str) == "C").tolist())
    targets = _targets(default_codebook() if wave != BASE_WAVE else cb)
    cal = _calibrate(lp, is_c, tuple(sorted(targets.items())))

    rng = np.random.default_rng(seed)
    mt = _municipality_truth(reg, cal, rng)
    if wave == BASE_WAVE:
        df, abandoned_mun = _export(reg, cb, mt, rng, seed, n_rows, FIELDWORK_START, DONT_KNOW_RATE, BLANK_RATE)
        truth = _truth(seed, n_rows, reg, cal, mt, abandoned_mun, targets, len(df))
        return df, truth

    if published_series is None:
        raise ValueError(f"the {wave} wave is calibrated to the public record: pass published_series "
                         "(reference.load_published_series)")
    from ..base.reference import published_share

    targets_2023 = dict(ASSUMED_SHARES_2023)
    for item in PUBLISHED_ITEMS_2023:
        share = published_share(published_series, wave, item)
        if share is None:
            raise ValueError(f"published_series has no {wave} figure for {item}")
        targets_2023[item] = share
    cal23 = _calibrate_2023(lp, is_c, tuple(sorted(targets.items())), tuple(sorted(targets_2023.items())))
    rng23 = np.random.default_rng([seed, wave])
    mt23 = _panel_truth(reg, cal, cal23, mt, rng23)
    df, abandoned_mun = _export(reg, cb, mt23, rng23, seed, n_rows, FIELDWORK_START_2023, DONT_KNOW_RATE_2023,
                                BLANK_RATE_2023)
    truth = _truth_2023(seed, wave, n_rows, reg, cal23, mt23, abandoned_mun, targets_2023, len(df))
    return df, truth


def _yes_2019(codes: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The 2019 frame's yes/no answer per item (codes as drawn in _municipality_truth)."""
    out = {}
    for k in BINARY_ITEMS:
        c = codes[k]
        out[k] = (c == 2) if k == "leadership_informed" else (c >= 3) if k in AREAS else (c == 1)
    return {k: v.astype(np.int8) for k, v in out.items()}


def _panel_truth(register: pd.DataFrame, cal: dict, cal23: dict, mt19: dict, rng: np.random.Generator) -> dict:
    """2023 response and answers per municipality, each answer drawn given the 2019 answer (frame level)."""
    n = len(register)
    z = mt19["z"]
    nonresp = _systematic_pps(cal23["q"], n - RESPONSE_2023["n_respondents"], rng)
    responded = np.ones(n, dtype=bool)
    responded[nonresp] = False
    resp_idx = np.flatnonzero(responded)

    def order():  # respondents first (in random order), so their totals are balanced
        return np.concatenate([rng.permutation(resp_idx), rng.permutation(np.flatnonzero(~responded))])

    yes19 = _yes_2019(mt19["codes"])
    yes23 = {}
    for k in BINARY_ITEMS:
        p = np.where(yes19[k] == 1, PERSISTENCE_2023[k], cal23["gain"][k])
        yes23[k] = _balanced_bernoulli(p, order(), rng)
    codes: dict[str, np.ndarray] = {"ciso": yes23["ciso"].astype(np.int8)}
    when_needed = rng.random(n) < P_INFORMED_WHEN_NEEDED
    codes["leadership_informed"] = np.where(yes23["leadership_informed"] == 1, 2,
                                            when_needed.astype(int)).astype(np.int8)
    for k in ("action_plans", "resources", "collaboration"):
        codes[k] = yes23[k].astype(np.int8)
    established = np.zeros(n, dtype=int)
    for j in AREAS:
        established += yes23[j]
        low = rng.choice(3, size=n, p=LOWER_LEVEL_PROBS)
        high = 3 + rng.choice(2, size=n, p=UPPER_LEVEL_PROBS)
        codes[j] = np.where(yes23[j] == 1, high, low).astype(np.int8)
    latent = (SELF_RATING["established_count"] * established + SELF_RATING["resources"] * yes23["resources"]
              + SELF_RATING["leadership_informed"] * yes23["leadership_informed"] + rng.logistic(size=n))
    self_rating = 1 + np.searchsorted(np.array(SELF_RATING["cutpoints"]), latent)
    share_latent = 0.35 + 0.15 * z + 0.2 * rng.standard_normal(n)
    vals = np.array(CISO_SHARE_VALUES)
    share_idx = np.abs(np.clip(share_latent, 0.1, 1.0)[:, None] - vals[None, :]).argmin(axis=1)
    share_idx = np.where(yes23["ciso"] == 1, share_idx, -1)
    return {"responded": responded, "codes": codes, "self_rating": self_rating.astype(np.int8),
            "ciso_share_idx": share_idx, "z": z, "yes_2019": yes19, "yes_2023": yes23,
            "responded_2019": mt19["responded"]}


def _export(reg: pd.DataFrame, cb: Codebook, mt: dict, rng: np.random.Generator, seed: int, n_rows: int | None,
            fieldwork_start: np.datetime64, dont_know_rate: float, blank_rate: float) -> tuple[pd.DataFrame, np.ndarray]:
    """The web-survey tool's file for the answers in `mt`: (export, municipalities with an abandoned row)."""
    n_mun = len(reg)
    resp_idx = np.flatnonzero(mt["responded"])
    # ---- rows: municipality index, abandoned flag, natural-part flag -------------------------
    abandoned_mun = np.sort(rng.choice(resp_idx, size=N_ABANDONED, replace=False))
    row_mun = np.concatenate([resp_idx, abandoned_mun])
    row_abandoned = np.concatenate([np.zeros(len(resp_idx), bool), np.ones(N_ABANDONED, bool)])
    n_natural = len(row_mun)
    total = n_natural if n_rows is None else int(n_rows)
    if total < 1:
        raise ValueError("n_rows must be at least 1")
    if total > n_natural:
        extra = total - n_natural
        row_mun = np.concatenate([row_mun, rng.choice(resp_idx, size=extra)])
        row_abandoned = np.concatenate([row_abandoned, rng.random(extra) < N_ABANDONED / n_natural])
    n = len(row_mun)
    natural = np.arange(n) < n_natural

    # ---- timestamps ---------------------------------------------------------------------------
    day_s = 86400
    mun_start = (rng.integers(7, FIELDWORK_DAYS, size=n_mun) * day_s
                 + rng.integers(7 * 3600, 17 * 3600, size=n_mun))
    start = np.where(natural, mun_start[row_mun],
                     rng.integers(0, FIELDWORK_DAYS, size=n) * day_s + rng.integers(7 * 3600, 17 * 3600, size=n))
    early = natural & row_abandoned  # abandoned natural rows start 1-6 days before the complete one
    start = np.where(early, start - rng.integers(1, 7, size=n) * day_s - rng.integers(0, 3600, size=n), start)
    duration = np.clip(np.exp(np.log(1200) + 0.6 * rng.standard_normal(n)), 180, 3 * 3600).astype(np.int64)
    started_s = _timestamps(start, fieldwork_start)
    submitted_s = np.where(row_abandoned, "", _timestamps(start + duration, fieldwork_start)).astype(object)

    # ---- answers ------------------------------------------------------------------------------
    coded_ids = [v.id for v in cb.variables if v.is_coded]
    question_order = ["ciso", "ciso_share", "leadership_informed", "action_plans", "resources",
                      "collaboration", *AREAS, "self_rating", "comment"]
    cut = np.where(row_abandoned, rng.integers(2, len(question_order) - 2, size=n), len(question_order))
    answered = {q: cut > i for i, q in enumerate(question_order)}

    cols: dict[str, np.ndarray] = {}
    variant_p = np.array(LABEL_VARIANT_PROBS)
    for vid in coded_ids:
        var = cb[vid]
        levels = var.levels_sv
        dk = next(lab for lab, c in var.labels.items() if c == DONT_KNOW)
        table = np.array([[lab, lab + " ", lab.lower() + " ", lab.upper()] for lab in [*levels, dk]]
                         + [["", "", "", ""]], dtype=object)
        k = len(levels)
        code = mt["codes"][vid][row_mun].astype(np.int64)
        r = rng.random(n)
        code = np.where(r < dont_know_rate, k, np.where(r < dont_know_rate + blank_rate, k + 1, code))
        code = np.where(answered[vid], code, k + 1)
        variant = rng.choice(4, size=n, p=variant_p)
        cols[vid] = table[code, variant]

    share_table = np.array([[_format_share(v, s) for s in range(4)] for v in CISO_SHARE_VALUES]
                           + [["", "", "", ""]], dtype=object)
    sidx = mt["ciso_share_idx"][row_mun]
    sidx = np.where((sidx < 0) | (rng.random(n) < NUMERIC_BLANK_RATE) | ~answered["ciso_share"],
                    len(CISO_SHARE_VALUES), sidx)
    cols["ciso_share"] = share_table[sidx, rng.choice(4, size=n, p=[0.5, 0.2, 0.1, 0.2])]

    rating = mt["self_rating"][row_mun].astype(object).astype(str)
    blank_rating = (rng.random(n) < NUMERIC_BLANK_RATE) | ~answered["self_rating"]
    cols["self_rating"] = np.where(blank_rating, "", rating).astype(object)

    pool = np.array(("", *COMMENTS), dtype=object)
    cidx = np.where(rng.random(n) < COMMENT_RATE, rng.integers(1, len(pool), size=n), 0)
    comment = pool[cidx]
    complete_nat = np.flatnonzero(natural & ~row_abandoned)
    hostile_rows = rng.choice(complete_nat, size=min(len(HOSTILE_COMMENTS), len(complete_nat)), replace=False)
    comment[hostile_rows] = np.array(HOSTILE_COMMENTS[: len(hostile_rows)], dtype=object)
    cols["comment"] = np.where(answered["comment"], comment, "").astype(object)

    # ---- municipality name and code as typed -------------------------------------------------
    names = reg["kommun"].astype(str).tolist()
    full = reg["kommun_fullnamn"].astype(str).tolist()
    kod = reg["kommunkod"].astype(str).tolist()
    name_table = np.array([[nm, fn, nm.upper(), _swap_hyphen_space(nm), nm.lower()]
                           for nm, fn in zip(names, full)], dtype=object)
    name_v = rng.choice(5, size=n, p=[0.80, 0.12, 0.03, 0.03, 0.02])
    name_col = name_table[row_mun, name_v]
    code_table = np.array([[c, c.lstrip("0"), ""] for c in kod], dtype=object)
    lead0 = np.array([c.startswith("0") for c in kod])[row_mun]
    r = rng.random(n)
    code_v = np.where(r < 0.04, 2, np.where(lead0 & (r < 0.30), 1, 0))
    code_col = code_table[row_mun, code_v]
    kod_a = np.array(kod, dtype=object)
    for c, shown in SHOWCASE_NAMES.items():
        name_col[natural & (kod_a[row_mun] == c)] = shown
    for c, shown in SHOWCASE_CODES.items():
        code_col[natural & (kod_a[row_mun] == c)] = shown

    # ---- personal data (Faker pool; one person per municipality) ------------------------------
    people = _person_pool(seed)
    mun_person = rng.choice(PERSON_POOL, size=n_mun, replace=n_mun > PERSON_POOL)
    pidx = mun_person[row_mun]

    values = {
        "started_at": started_s, "submitted_at": submitted_s,
        "municipality_name": name_col, "municipality_code": code_col,
        "respondent_name": people["name"][pidx], "respondent_email": people["email"][pidx],
        "respondent_phone": people["phone"][pidx], "respondent_title": people["title"][pidx],
        # the content says it is synthetic too, so a renamed file still gets the banner
        "synthetic_marker": np.full(n, cb.survey["synthetic_value"], dtype=object),
        **cols,
    }
    # Export order: by start time (ties by row), then ids R0001... in that order.
    order = np.lexsort((np.arange(n), start))
    if total < n_natural:
        order = order[:total]
    width = max(4, len(str(len(order))))
    ids = np.char.add("R", np.char.zfill(np.arange(1, len(order) + 1).astype(str), width)).astype(object)
    data = {}
    for var in cb.variables:
        col = ids if var.id == "response_id" else values[var.id][order]
        data[var.header] = pd.array(col, dtype="str")
    return pd.DataFrame(data), abandoned_mun



def _truth(seed, n_rows, reg, cal, mt, abandoned_mun, targets, n_out) -> dict:
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


def _truth_2023(seed, wave, n_rows, reg, cal23, mt, abandoned_mun, targets, n_out) -> dict:
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
