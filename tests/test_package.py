"""Package-level contract: version, CLI help, error message style."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import oncotrial
from oncotrial._errors import OncotrialValueError
from oncotrial._validation import as_event_array, as_float_array, check_same_length
from oncotrial.cli import app


def test_version_matches_metadata():
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"oncotrial {oncotrial.__version__}"


def test_float_array_names_argument_and_index():
    with pytest.raises(OncotrialValueError, match=r"`time` of `km` must be finite; got nan at index 2"):
        as_float_array([1, 2, float("nan")], "km", "time")


def test_event_array_rejects_cnsr_like_codes_with_remedy():
    with pytest.raises(ValueError, match=r"index 1.*1 - CNSR"):
        as_event_array([0, 2], "km")


def test_same_length_lists_each_length():
    with pytest.raises(ValueError, match=r"`time` has 2, `event` has 3"):
        check_same_length("km", time=[1, 2], event=[1, 0, 1])


def test_python_dash_m_oncotrial_is_the_cli():
    """``python -m oncotrial`` runs the same command line as the ``oncotrial`` script."""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-m", "oncotrial", "stats", "prop-ci", "1", "10"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "0.002529 0.445016" in r.stdout            # R binom.test(1, 10)$conf.int
    r = subprocess.run([sys.executable, "-m", "oncotrial", "--help"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and "Usage: oncotrial" in r.stdout
