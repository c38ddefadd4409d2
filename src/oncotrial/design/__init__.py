"""oncotrial.design — phase II trial designs with exact operating characteristics.

Binary endpoint: exact single stage (A'Hern 2001), Simon two-stage (optimal, minimax,
admissible) with inference after the trial, Bayesian posterior monitoring (Thall & Simon 1994),
predictive probability (Lee & Liu 2008) and BOP2 (Zhou, Lee & Yuan 2017).
Survival: single-arm landmark Kaplan-Meier test (Nagashima et al. 2021) and two-arm
Schoenfeld / Freedman event and sample-size calculations. See ``docs/design.md``.
"""

from oncotrial.design._bayes_posterior import PosteriorMonitoring, posterior_monitoring
from oncotrial.design._bayes_predictive import (
    PredictiveDesign,
    predictive_design,
    predictive_probability,
)
from oncotrial.design._bop2 import Bop2Design, bop2_design
from oncotrial.design._landmark import (
    TRANSFORMS,
    LandmarkDesign,
    landmark_power,
    landmark_survival_design,
)
from oncotrial.design._simon import SimonDesign, SimonSearch, simon_design, simon_oc
from oncotrial.design._simon_inference import SimonInference, simon_inference
from oncotrial.design._single_stage import SingleStageDesign, single_stage_design
from oncotrial.design._two_arm import (
    TwoArmSurvivalDesign,
    event_probability,
    two_arm_survival_design,
)

__all__ = [
    "TRANSFORMS",
    "Bop2Design",
    "LandmarkDesign",
    "PosteriorMonitoring",
    "PredictiveDesign",
    "SimonDesign",
    "SimonInference",
    "SimonSearch",
    "SingleStageDesign",
    "TwoArmSurvivalDesign",
    "bop2_design",
    "event_probability",
    "landmark_power",
    "landmark_survival_design",
    "posterior_monitoring",
    "predictive_design",
    "predictive_probability",
    "simon_design",
    "simon_inference",
    "simon_oc",
    "single_stage_design",
    "two_arm_survival_design",
]

# Operating characteristics by simulation (docs/simulate.md).
from oncotrial.design._simulate import SimulationResult, simulate
from oncotrial.design._simulate_binary import BinaryTrial
from oncotrial.design._simulate_dist import (
    Accrual,
    CureFraction,
    Dropout,
    Exponential,
    HazardRatio,
    PiecewiseExponential,
    Weibull,
)
from oncotrial.design._simulate_landmark import LandmarkTrial
from oncotrial.design._simulate_two_arm import TwoArmScenario, TwoArmTrial

__all__ += [
    "Accrual", "BinaryTrial", "CureFraction", "Dropout", "Exponential", "HazardRatio",
    "LandmarkTrial", "PiecewiseExponential", "SimulationResult", "TwoArmScenario", "TwoArmTrial",
    "Weibull", "simulate",
]
