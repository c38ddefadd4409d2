"""oncotrial.design — phase II trial designs with exact operating characteristics.

Binary endpoint: exact single stage (A'Hern 2001), Simon two-stage (optimal, minimax,
admissible) with inference after the trial, Bayesian posterior monitoring (Thall & Simon 1994),
predictive probability (Lee & Liu 2008) and BOP2 (Zhou, Lee & Yuan 2017).
Survival: single-arm landmark Kaplan-Meier test (Nagashima et al. 2021) and two-arm
Schoenfeld / Freedman event and sample-size calculations. See ``docs/design.md``.

Names are imported on first use (PEP 562 ``__getattr__``), so ``import oncotrial.design`` and
the ``oncotrial design`` commands load only the method they run (issue 21).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> the private module that defines it
_EXPORTS: dict[str, str] = {
    "PosteriorMonitoring": "oncotrial.design._bayes_posterior",
    "posterior_monitoring": "oncotrial.design._bayes_posterior",
    "PredictiveDesign": "oncotrial.design._bayes_predictive",
    "predictive_design": "oncotrial.design._bayes_predictive",
    "predictive_probability": "oncotrial.design._bayes_predictive",
    "Bop2Design": "oncotrial.design._bop2",
    "bop2_design": "oncotrial.design._bop2",
    "TRANSFORMS": "oncotrial.design._landmark",
    "LandmarkDesign": "oncotrial.design._landmark",
    "landmark_power": "oncotrial.design._landmark",
    "landmark_survival_design": "oncotrial.design._landmark",
    "SimonDesign": "oncotrial.design._simon",
    "SimonSearch": "oncotrial.design._simon",
    "simon_design": "oncotrial.design._simon",
    "simon_oc": "oncotrial.design._simon",
    "SimonInference": "oncotrial.design._simon_inference",
    "simon_inference": "oncotrial.design._simon_inference",
    "SingleStageDesign": "oncotrial.design._single_stage",
    "single_stage_design": "oncotrial.design._single_stage",
    "TwoArmSurvivalDesign": "oncotrial.design._two_arm",
    "event_probability": "oncotrial.design._two_arm",
    "two_arm_survival_design": "oncotrial.design._two_arm",
    "SimulationResult": "oncotrial.design._simulate",
    "simulate": "oncotrial.design._simulate",
    "BinaryTrial": "oncotrial.design._simulate_binary",
    "Accrual": "oncotrial.design._simulate_dist",
    "CureFraction": "oncotrial.design._simulate_dist",
    "Dropout": "oncotrial.design._simulate_dist",
    "Exponential": "oncotrial.design._simulate_dist",
    "HazardRatio": "oncotrial.design._simulate_dist",
    "PiecewiseExponential": "oncotrial.design._simulate_dist",
    "Weibull": "oncotrial.design._simulate_dist",
    "LandmarkTrial": "oncotrial.design._simulate_landmark",
    "TwoArmScenario": "oncotrial.design._simulate_two_arm",
    "TwoArmTrial": "oncotrial.design._simulate_two_arm",
}

__all__ = [
    "TRANSFORMS",
    "Accrual",
    "BinaryTrial",
    "Bop2Design",
    "CureFraction",
    "Dropout",
    "Exponential",
    "HazardRatio",
    "LandmarkDesign",
    "LandmarkTrial",
    "PiecewiseExponential",
    "PosteriorMonitoring",
    "PredictiveDesign",
    "SimonDesign",
    "SimonInference",
    "SimonSearch",
    "SimulationResult",
    "SingleStageDesign",
    "TwoArmScenario",
    "TwoArmSurvivalDesign",
    "TwoArmTrial",
    "Weibull",
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
    "simulate",
    "single_stage_design",
    "two_arm_survival_design",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'oncotrial.design' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


if TYPE_CHECKING:
    from oncotrial.design._bayes_posterior import PosteriorMonitoring, posterior_monitoring
    from oncotrial.design._bayes_predictive import PredictiveDesign, predictive_design, predictive_probability
    from oncotrial.design._bop2 import Bop2Design, bop2_design
    from oncotrial.design._landmark import TRANSFORMS, LandmarkDesign, landmark_power, landmark_survival_design
    from oncotrial.design._simon import SimonDesign, SimonSearch, simon_design, simon_oc
    from oncotrial.design._simon_inference import SimonInference, simon_inference
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
    from oncotrial.design._single_stage import SingleStageDesign, single_stage_design
    from oncotrial.design._two_arm import TwoArmSurvivalDesign, event_probability, two_arm_survival_design
