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

from analysis.base import reference
from analysis.base.codebook import default_codebook
from analysis.base.waves import ItemLink, ItemMap
from analysis.compute import compare, survey
from analysis.compute.design import stratum_sizes
from analysis.synthetic import calibrate as C
from analysis.synthetic import municipalities as M
from analysis.synthetic import panel as P
from analysis.synthetic.generator import frame_keys
from analysis.synthetic.parameters import N_RESPONDENTS, RESPONSE_2023

SEED, ITEM = 2019, "ciso"


def main(replicates: int = 400) -> None:
    reg = reference.load_register("data/external")
    series = reference.load_published_series("data/external")
    lp, is_c = frame_keys(reg)
    targets = tuple(sorted(C.targets(default_codebook()).items()))
    cal = C.calibrate(lp, is_c, targets)
    cal23 = C.calibrate_2023(lp, is_c, targets, tuple(sorted(P.targets_2023(series, 2023).items())))
    mt = M.municipality_truth(reg, cal, np.random.default_rng(SEED))
    mt23 = P.panel_truth(reg, cal23, mt, np.random.default_rng([SEED, 2023]))
    y19, y23 = mt23["yes_2019"][ITEM].astype(bool), mt23["yes_2023"][ITEM].astype(bool)
    link = ItemMap(2019, 2023, (ItemLink(ITEM, ITEM, "same"),))
    N_h = stratum_sizes(reg)
    rng = np.random.default_rng(1)

    def frame(responded, y):
        return reg[["kommunkod", "kommungrupp"]].assign(
            responded=responded, **{ITEM: pd.array(y, dtype="boolean")}).assign(
            **{ITEM: lambda d: d[ITEM].where(d["responded"], pd.NA)})

    est, se_ref, se_ind, se_nofpc = [], [], [], []
    for _ in range(replicates):
        r19 = M.draw_response(cal["q"], N_RESPONDENTS, rng)
        r23 = M.draw_response(cal23["q"], RESPONSE_2023["n_respondents"], rng)
        a, b = frame(r19, y19), frame(r23, y23)
        st = compare.stack(a, b, link)
        args = (st[ITEM], st["wave"], st["kommunkod"], st["kommungrupp"], st["w"])
        e = compare.linearised_change(*args, N_h, 2019, 2023)
        est.append(e["change"])
        se_ref.append(e["se_change"])
        se_nofpc.append(compare.linearised_change(*args, {h: 1e15 for h in N_h}, 2019, 2023)["se_change"])
        v = sum(survey.linearised_mean(st.loc[st["wave"] == w, ITEM], st.loc[st["wave"] == w, "kommungrupp"],
                                       N_h)["var"] for w in (2019, 2023))
        se_ind.append(np.sqrt(v))
    print(f"population change {y23.mean() - y19.mean():.4f}; {replicates} response sets")
    print(f"spread (SD) of the estimated change: {np.std(est):.4f} (mean {np.mean(est):.4f})")
    print(f"mean SE: reference {np.mean(se_ref):.4f}, independent waves {np.mean(se_ind):.4f}, "
          f"no FPC {np.mean(se_nofpc):.4f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)
