"""Generate the bundled example study (template format) in src/oncotrial/data/example/.

A small, synthetic, seeded phase II study of neuroendocrine tumours: 20 subjects in two cohorts
(pNET: pancreatic, siNET: small-intestinal), RECIST 1.1 lesion measurements every 8 weeks until
progression or week 48, adverse events (CTCAE v5.0 grades), 28-day exposure cycles and prior
therapy lines. It is made to pass ``oncotrial validate`` with no finding; one subject's
diameters are recorded in cm to exercise the unit conversion. Nothing here is real patient data.

Run from the repository root::

    .venv/bin/python tools/make_example_data.py

The output is byte-identical for a given SEED.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20240611
OUT = Path(__file__).resolve().parents[1] / "src" / "oncotrial" / "data" / "example"
COHORTS = {"pNET": "PANCREAS", "siNET": "SMALL INTESTINE"}
N_PER_COHORT = 10
VISIT_DAYS = 56  # tumour assessment every 8 weeks
MAX_VISITS = 6  # up to week 48
CYCLE = 28
DRUG, DOSE, UNIT = "CABOZANTINIB", 60.0, "mg"
ORGANS = ["LIVER", "LYMPH NODE", "LUNG", "PERITONEUM", "BONE", "PANCREAS"]
AES = [  # (MedDRA PT, SOC, weight)
    ("DIARRHOEA", "GASTROINTESTINAL DISORDERS", 5),
    ("FATIGUE", "GENERAL DISORDERS AND ADMINISTRATION SITE CONDITIONS", 5),
    ("HYPERTENSION", "VASCULAR DISORDERS", 4),
    ("NAUSEA", "GASTROINTESTINAL DISORDERS", 3),
    ("PALMAR-PLANTAR ERYTHRODYSAESTHESIA SYNDROME", "SKIN AND SUBCUTANEOUS TISSUE DISORDERS", 3),
    ("DECREASED APPETITE", "METABOLISM AND NUTRITION DISORDERS", 2),
    ("ALANINE AMINOTRANSFERASE INCREASED", "INVESTIGATIONS", 2),
    ("HYPOTHYROIDISM", "ENDOCRINE DISORDERS", 1),
]
REGIMENS = ["OCTREOTIDE LAR", "LANREOTIDE", "EVEROLIMUS", "SUNITINIB", "CAPTEM", "177LU-DOTATATE"]


def iso(d: date) -> str:
    return d.isoformat()


def make(seed: int = SEED) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    subjects, lesions, aes, exposure, prior = [], [], [], [], []
    start = date(2022, 1, 10)
    sid = 0
    for cohort, site in COHORTS.items():
        # log-shrinkage per 8 weeks: pNET shrinks a little on average, siNET is mostly stable
        mu = -0.10 if cohort == "pNET" else 0.02
        for _ in range(N_PER_COHORT):
            sid += 1
            subj = f"EX-{sid:03d}"
            consent = start + timedelta(days=int(rng.integers(0, 300)))
            enrol = consent + timedelta(days=int(rng.integers(2, 6)))
            first = enrol + timedelta(days=int(rng.integers(1, 4)))
            baseline = consent + timedelta(days=1)
            grade = str(rng.choice(["G1", "G2", "G3"], p=[0.3, 0.55, 0.15]))
            ki67 = {"G1": 1.5, "G2": 8.0, "G3": 30.0}[grade] * float(rng.uniform(0.6, 1.4))
            # lesions: 1-4 targets (at most 2 per organ), 0-2 non-targets
            n_t = int(rng.integers(1, 5))
            organs = list(rng.choice(ORGANS, size=n_t, replace=False))
            tgt = []
            for k, organ in enumerate(organs, start=1):
                node = organ == "LYMPH NODE"
                d0 = float(rng.uniform(15, 30) if node else rng.uniform(12, 60))
                tgt.append((f"T{k:02d}", organ, node, d0))
            n_nt = int(rng.integers(0, 3))
            nts = [(f"NT{k:02d}", str(rng.choice(["LIVER", "BONE", "PERITONEUM"])))
                   for k in range(1, n_nt + 1)]
            rate = float(rng.normal(mu, 0.12))
            in_cm = sid == 7
            pd_visit = None
            nadir = None
            visits = [(0, "BASELINE", baseline)]
            for v in range(1, MAX_VISITS + 1):
                jitter = int(rng.integers(-3, 4))
                visits.append((v, f"WEEK {8 * v}", first + timedelta(days=VISIT_DAYS * v + jitter)))
            for v, label, when in visits:
                if pd_visit is not None:
                    break
                diams = []
                for lid, organ, node, d0 in tgt:
                    d = d0 * np.exp(rate * v) + (rng.normal(0, 1.0) if v else 0.0)
                    d = max(round(d, 0), 0.0)
                    diams.append(d)
                    value = d / 10 if in_cm else d
                    status = ""
                    if not node and 0 < d < 5:
                        status, value = "TOO SMALL TO MEASURE", None
                    lesions.append(dict(subject_id=subj, assessment_date=iso(when), visit=label,
                                        lesion_id=lid, lesion_class="TARGET", site=organ,
                                        is_node="Y" if node else "N", diameter=value,
                                        unit="cm" if in_cm else "mm", status=status,
                                        evaluator="INVESTIGATOR"))
                total = sum(diams)
                nadir = total if nadir is None else min(nadir, total)
                progressed = v > 0 and total >= 1.2 * nadir and total - nadir >= 5
                new_lesion = v > 0 and not progressed and rng.uniform() < 0.04
                for lid, organ in nts:
                    st = "UNEQUIVOCAL PROGRESSION" if (progressed and rng.uniform() < 0.3) else (
                        "ABSENT" if rate < -0.2 and v >= 2 else "PRESENT")
                    lesions.append(dict(subject_id=subj, assessment_date=iso(when), visit=label,
                                        lesion_id=lid, lesion_class="NON-TARGET", site=organ,
                                        is_node="N", diameter=None, unit="", status=st,
                                        evaluator="INVESTIGATOR"))
                if new_lesion or (progressed and rng.uniform() < 0.5):
                    lesions.append(dict(subject_id=subj, assessment_date=iso(when), visit=label,
                                        lesion_id="NEW01", lesion_class="NEW", site="LIVER",
                                        is_node="N", diameter=None, unit="", status="PRESENT",
                                        evaluator="INVESTIGATOR"))
                    progressed = True
                if progressed:
                    pd_visit = (v, when)
            last_visit = pd_visit[1] if pd_visit else visits[-1][2]
            last_dose = last_visit - timedelta(days=int(rng.integers(0, 8)))
            # exposure: 28-day cycles, dose reduced to 40 mg after a grade >= 3 AE
            c_start = first
            cycle_no = 0
            while c_start <= last_dose:
                cycle_no += 1
                c_end = min(c_start + timedelta(days=CYCLE - 1), last_dose)
                exposure.append(dict(subject_id=subj, drug=DRUG, start_date=iso(c_start),
                                     end_date=iso(c_end), dose=DOSE, unit=UNIT,
                                     phase="TREATMENT"))
                c_start = c_end + timedelta(days=1)
            on_days = (last_dose - first).days
            # adverse events
            weights = np.array([w for *_, w in AES], float)
            for k in range(int(rng.poisson(3.0))):
                term, soc, _ = AES[int(rng.choice(len(AES), p=weights / weights.sum()))]
                onset = first + timedelta(days=int(rng.integers(1, max(on_days, 2) + 1)))
                g = int(rng.choice([1, 2, 3, 4], p=[0.5, 0.33, 0.15, 0.02]))
                dur = int(rng.integers(3, 60))
                end = onset + timedelta(days=dur)
                ongoing = rng.uniform() < 0.15
                aes.append(dict(subject_id=subj, ae_id=str(k + 1), term=term, soc=soc, grade=g,
                                severity="", ctcae_version="5.0", start_date=iso(onset),
                                end_date="" if ongoing else iso(end),
                                related="Y" if rng.uniform() < 0.7 else "N",
                                serious="Y" if g >= 3 and rng.uniform() < 0.5 else "N",
                                phase="TREATMENT", treatment_emergent="Y"))
            # prior therapy: lines before consent, each ending in progression
            n_prior = int(rng.integers(0, 4))
            p_end = consent - timedelta(days=int(rng.integers(20, 60)))
            lines = []
            for _ in range(n_prior):
                length = int(rng.integers(90, 500))
                p_start = p_end - timedelta(days=length)
                lines.append((p_start, p_end))
                p_end = p_start - timedelta(days=int(rng.integers(10, 40)))
            for line_no, (ps, pe) in enumerate(reversed(lines), start=1):
                prior.append(dict(subject_id=subj, line=line_no,
                                  regimen=str(rng.choice(REGIMENS)), start_date=iso(ps),
                                  end_date=iso(pe), progression_date=iso(pe)))
            # follow-up and death
            follow = last_visit + timedelta(days=int(rng.integers(30, 400)))
            died = pd_visit is not None and rng.uniform() < 0.4
            eos = ("PROGRESSIVE DISEASE" if pd_visit else
                   str(rng.choice(["COMPLETED", "ADVERSE EVENT"], p=[0.8, 0.2])))
            subjects.append(dict(
                subject_id=subj, cohort=cohort, arm=f"{DRUG} {DOSE:g} {UNIT}",
                consent_date=iso(consent), enrol_date=iso(enrol), randomization_date="",
                first_dose_date=iso(first), last_dose_date=iso(last_dose),
                death_date=iso(follow) if died else "", last_alive_date=iso(follow),
                eos_reason=eos, new_therapy_date=iso(last_visit + timedelta(days=20))
                if pd_visit else "",
                age=int(rng.integers(35, 81)), sex=str(rng.choice(["F", "M"])),
                ecog=int(rng.choice([0, 1], p=[0.6, 0.4])), primary_site=site, grade=grade,
                differentiation="POORLY" if grade == "G3" and rng.uniform() < 0.5 else "WELL",
                ki67=round(ki67, 1), chromogranin_a=round(float(rng.lognormal(5.0, 1.0)), 0),
                prior_lines=n_prior, enrolled_fl="Y", safety_fl="Y", efficacy_fl="Y",
                actual_arm=""))
    return {"subjects": pd.DataFrame(subjects), "lesions": pd.DataFrame(lesions),
            "adverse_events": pd.DataFrame(aes), "exposure": pd.DataFrame(exposure),
            "prior_therapy": pd.DataFrame(prior)}


def main() -> None:
    from oncotrial.io._schema import TABLES

    OUT.mkdir(parents=True, exist_ok=True)
    tables = make()
    for name, table in TABLES.items():
        df = tables.get(name, pd.DataFrame(columns=table.column_names))
        df = df.reindex(columns=table.column_names)
        df.to_csv(OUT / table.file, index=False, na_rep="", lineterminator="\n")
        print(f"{table.file}: {len(df)} rows")


if __name__ == "__main__":
    main()
