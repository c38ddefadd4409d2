"""Growth modulation index: time to progression on study / on the last prior line."""

from __future__ import annotations

import numpy as np
import pandas as pd

from oncotrial.derive._checks import require_columns
from oncotrial.derive._dates import parse_iso_dates

#: Von Hoff (1998): a GMI >= 1.33 marks a drug as active in that patient.
GMI_ACTIVE = 1.33


def derive_gmi(dataset: pd.DataFrame, *, prior_therapy: pd.DataFrame) -> pd.DataFrame:
    """Growth modulation index per subject (Von Hoff 1998).

    Parameters
    ----------
    dataset : DataFrame
        ADTTE ``PFS`` rows (``USUBJID``, ``AVAL``, ``CNSR``, ``EVNTDESC``) of one evaluator.
    prior_therapy : DataFrame
        Canonical ``prior_therapy`` table (``subject_id``, ``line``, ``start_date``,
        ``progression_date``).

    Returns
    -------
    DataFrame
        ``USUBJID``, ``PRIORLN`` (the line used), ``TTP1`` (days on the prior line),
        ``TTP2`` (days on study), ``TTP2CNSR`` (1 when on-study progression is not
        observed, so GMI is a lower bound), ``GMI``, ``GMIFL`` (``'Y'`` when GMI >= 1.33 and
        either progression was observed or the lower bound already reaches 1.33).

    Notes
    -----
    :math:`GMI = TTP_2 / TTP_1` [1]_ [2]_. :math:`TTP_1 = ` progression date - start date + 1
    of the highest-numbered prior line with both dates (partial dates: start takes the last
    day, progression the first, so that :math:`TTP_1` is never overstated);
    :math:`TTP_2` = PFS ``AVAL``, an observed progression only when ``CNSR = 0`` and the
    event is progression (a death or a censoring makes :math:`TTP_2` a lower bound).
    Subjects without a usable prior line are absent.

    References
    ----------
    .. [1] Von Hoff DD. There are no bad anticancer agents, only bad clinical trial designs.
       Clin Cancer Res 1998;4:1079-1086.
    .. [2] Mick R, Crowley JJ, Carroll RJ. Phase II clinical trial design for noncytotoxic
       anticancer agents for which time to disease progression is the primary endpoint.
       Control Clin Trials 2000;21:343-359.

    Examples
    --------
    >>> pfs = pd.DataFrame({"USUBJID": ["S1"], "AVAL": [200.0], "CNSR": [0],
    ...                     "EVNTDESC": ["DISEASE PROGRESSION"]})
    >>> prior = pd.DataFrame({"subject_id": ["S1"], "line": [1],
    ...     "start_date": ["2013-01-01"], "progression_date": ["2013-04-10"]})
    >>> derive_gmi(pfs, prior_therapy=prior)[["TTP1", "TTP2", "GMI", "GMIFL"]].values.tolist()
    [[100.0, 200.0, 2.0, 'Y']]
    """
    func = "derive_gmi"
    require_columns(dataset, ["USUBJID", "AVAL", "CNSR", "EVNTDESC"], func, "dataset")
    require_columns(prior_therapy, ["subject_id", "line", "start_date", "progression_date"],
                    func, "prior_therapy")
    ctx = prior_therapy[["subject_id", "line"]]
    st, _ = parse_iso_dates(prior_therapy["start_date"], impute="last", func=func,
                            param="start_date", context=ctx)
    pg, _ = parse_iso_dates(prior_therapy["progression_date"], impute="first", func=func,
                            param="progression_date", context=ctx)
    p = pd.DataFrame({"USUBJID": prior_therapy["subject_id"].astype(str).to_numpy(),
                      "PRIORLN": pd.to_numeric(prior_therapy["line"]).to_numpy(),
                      "TTP1": ((pg - st).dt.days + 1).to_numpy(dtype=float)})
    p = p[p["TTP1"] > 0].sort_values(["USUBJID", "PRIORLN"]).drop_duplicates(
        "USUBJID", keep="last")
    m = p.merge(dataset[["USUBJID", "AVAL", "CNSR", "EVNTDESC"]], on="USUBJID")
    observed = (m["CNSR"] == 0) & (m["EVNTDESC"] == "DISEASE PROGRESSION")
    gmi = m["AVAL"] / m["TTP1"]
    return pd.DataFrame({
        "USUBJID": m["USUBJID"], "PRIORLN": m["PRIORLN"], "TTP1": m["TTP1"],
        "TTP2": m["AVAL"], "TTP2CNSR": np.where(observed, 0, 1), "GMI": gmi,
        "GMIFL": np.where(gmi >= GMI_ACTIVE, "Y", "N")}).reset_index(drop=True)
