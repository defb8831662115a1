"""How well does each SE of the change describe the spread over response sets? (docs/validation.md)

Holds the synthetic population of one seed fixed (every municipality's 2019 and 2023 CISO answer) and
redraws only the two waves' response sets with the generator's response models, then compares the
spread of the estimated change with the mean of three SEs: the reference definition (FPC from the union
of both waves' respondents), two independent waves each with its own FPC, and no FPC.

Run: .venv/bin/python docs/simulations/change_se.py [REPLICATES]   (about a minute for 400)
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from analysis.compute import compare, survey
from analysis.base import reference
from analysis.synthetic import generator as S
from analysis.base.codebook import ItemLink, ItemMap, default_codebook

SEED, ITEM = 2019, "ciso"


def main(replicates: int = 400) -> None:
    reg = reference.load_register("data/external")
    series = reference.load_published_series("data/external")
    lp = tuple(np.log(reg["folkmangd"].to_numpy(float)).tolist())
    is_c = tuple((reg["huvudgrupp"].astype(str) == "C").tolist())
    targets = tuple(sorted(S._targets(default_codebook()).items()))
    cal = S._calibrate(lp, is_c, targets)
    t23 = dict(S.ASSUMED_SHARES_2023, ciso=reference.published_share(series, 2023, "ciso"))
    cal23 = S._calibrate_2023(lp, is_c, targets, tuple(sorted(t23.items())))
    mt = S._municipality_truth(reg, cal, np.random.default_rng(SEED))
    mt23 = S._panel_truth(reg, cal, cal23, mt, np.random.default_rng([SEED, 2023]))
    y19, y23 = mt23["yes_2019"][ITEM].astype(bool), mt23["yes_2023"][ITEM].astype(bool)
    link = ItemMap(2019, 2023, (ItemLink(ITEM, ITEM, "same"),))
    N_h = survey.stratum_sizes(reg)
    rng = np.random.default_rng(1)

    def frame(responded, y):
        return reg[["kommunkod", "kommungrupp"]].assign(
            responded=responded, **{ITEM: pd.array(y, dtype="boolean")}).assign(
            **{ITEM: lambda d: d[ITEM].where(d["responded"], pd.NA)})

    est, se_ref, se_ind, se_nofpc = [], [], [], []
    for _ in range(replicates):
        r19 = np.ones(len(reg), bool)
        r19[S._systematic_pps(cal["q"], len(reg) - S.N_RESPONDENTS, rng)] = False
        r23 = np.ones(len(reg), bool)
        r23[S._systematic_pps(cal23["q"], len(reg) - S.RESPONSE_2023["n_respondents"], rng)] = False
        a, b = frame(r19, y19), frame(r23, y23)
        st = compare.stack(a, b, link)
        args = (st[ITEM], st["wave"], st["kommunkod"], st["kommungrupp"], st["w"])
        e = compare.linearised_change(*args, N_h, 2019, 2023)
        est.append(e["change"])
        se_ref.append(e["se_change"])
        se_nofpc.append(compare.linearised_change(*args, {h: 1e15 for h in N_h}, 2019, 2023)["se_change"])
        v = sum(survey.linearised_mean(st.loc[st["wave"] == w, ITEM], st.loc[st["wave"] == w, "kommungrupp"], N_h)["var"]
                for w in (2019, 2023))
        se_ind.append(np.sqrt(v))
    print(f"population change {y23.mean() - y19.mean():.4f}; {replicates} response sets")
    print(f"spread (SD) of the estimated change: {np.std(est):.4f} (mean {np.mean(est):.4f})")
    print(f"mean SE: reference {np.mean(se_ref):.4f}, independent waves {np.mean(se_ind):.4f}, "
          f"no FPC {np.mean(se_nofpc):.4f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
