"""``oncotrial design <command>`` starts without pandas or scipy.stats (issue 21).

``import scipy.stats`` (~0.6 s) and ``import pandas`` (~0.3 s) used to be most of every design
command's run time. The designs now evaluate their distributions through ``design._dist``
(``scipy.special`` kernels, bit for bit ``scipy.stats``: tests/design/test_dist.py) and the
commands print ``design._table.Table`` s (tests/design/test_table.py). Each command runs here in
a fresh interpreter, which then reports which heavy modules it holds: module presence, not
timing (timing is ``benchmarks/bench_startup.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import oncotrial
from oncotrial.design._dist import HAVE_KERNELS

SRC = str(Path(oncotrial.__file__).resolve().parents[1])
HEAVY = ("pandas", "scipy.stats", "scipy.optimize", "scipy.integrate", "matplotlib", "dask",
         "statsmodels", "oncotrial.stats")

# one invocation per command; the modules each may still need beyond numpy/scipy.special
COMMANDS: dict[str, tuple[list[str], tuple[str, ...]]] = {
    "single-stage": (["--p0", "0.1", "--p1", "0.3"], ()),
    "single-stage --json": (["--p0", "0.1", "--p1", "0.25", "--json"], ()),
    "single-stage --text": (["--p0", "0.1", "--p1", "0.25", "--text", "--per", "cohort"], ()),
    "simon": (["--p0", "0.1", "--p1", "0.3"], ()),
    "simon --json": (["--p0", "0.1", "--p1", "0.3", "--json", "--choice", "minimax"], ()),
    # the exact CI is found by scipy.optimize.brentq (imported when the command runs)
    "simon-inference": (["--x", "8", "--r1", "1", "--n1", "10", "--r", "5", "--n", "29",
                         "--p0", "0.1"], ("scipy.optimize",)),
    "bayes-posterior": (["--looks", "10,20,30"], ()),
    "bayes-predictive": (["--nmax", "30", "--power", "0.8", "--nmin", "20"], ()),
    "bop2": (["--looks", "10,20,30"], ()),
    "bop2 --json": (["--looks", "10,20,30", "--json"], ()),
    "survival-landmark": (["--s0", ".5", "--s1", ".72", "--landmark", "12", "--accrual", "24",
                           "--followup", "12", "--sides", "2", "--published-n", "38"], ()),
    # a landmark beyond the follow-up needs a numerical integral (scipy.integrate.quad,
    # whose package imports scipy.optimize)
    "survival-landmark beyond follow-up": (["--s0", ".9", "--s1", ".96", "--landmark", "18",
                                            "--accrual", "24", "--followup", "12"],
                                           ("scipy.integrate", "scipy.optimize")),
    "survival-two-arm": (["--hr", "0.7", "--grid", "0.6,0.8"], ()),
}


def _run(args: list[str]) -> tuple[int, dict[str, bool], str]:
    probe = ("import json, sys\n"
             "from oncotrial.cli import app\n"
             "try:\n"
             f"    app({args!r}, prog_name='oncotrial')\n"
             "except SystemExit as e:\n"
             "    code = e.code or 0\n"
             "else:\n"
             "    code = 0\n"
             f"print(json.dumps([code, {{m: m in sys.modules for m in {HEAVY!r}}}]))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                         check=True, timeout=300)
    lines = out.stdout.strip().splitlines()
    code, loaded = json.loads(lines[-1])
    return code, loaded, "\n".join(lines[:-1])


@pytest.mark.parametrize("name", list(COMMANDS))
def test_cli_startup_1_design_command_imports_no_heavy_module(name):
    args, allowed = COMMANDS[name]
    if not HAVE_KERNELS:  # SciPy < 1.14: _dist falls back to scipy.stats (same numbers, slower)
        allowed = (*allowed, "scipy.stats", "scipy.optimize", "scipy.integrate")
    code, loaded, output = _run(["design", name.split()[0], *args])
    assert code == 0, output
    assert output.strip()
    heavy = sorted(m for m, present in loaded.items() if present and m not in allowed)
    assert heavy == [], f"`oncotrial design {name}` imported {heavy}"


def test_cli_startup_2_design_help_lists_every_command_tested_here():
    """A new design command must be added to COMMANDS (``simulate`` is covered elsewhere)."""
    from typer.main import get_group

    from oncotrial.design._cli import design_app

    names = set(get_group(design_app).commands) - {"simulate"}
    assert names == {n.split()[0] for n in COMMANDS}
