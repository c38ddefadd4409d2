"""Fixtures of the reliability probes (issue 14): study folders built in the test, and one
hostile analysis run shared by the modules that inspect its outputs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from oncotrial.analysis import example_spec_path
from oncotrial.cli import app
from oncotrial.io import example_data_path

XSS = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil","x")'
MATHTEXT = "$\\x$"
MARKUP_ANSI = "[/x]\x1b]0;owned\x07"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def copy_example(dest: Path) -> Path:
    """A writable copy of the bundled example study (template folder)."""
    shutil.copytree(example_data_path(), dest)
    return dest


def edit_csv(path: Path, func) -> None:
    """Read a template CSV as text, apply ``func(frame)`` in place, write it back."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    func(df)
    df.to_csv(path, index=False)


def example_spec_text(data: Path, *, replace: dict[str, str] | None = None, append: str = "") -> str:
    """The bundled example spec pointing at ``data``, with text replacements and additions."""
    text = example_spec_path().read_text(encoding="utf-8")
    text = text.replace('data = "../../data/example"', f'data = "{data.as_posix()}"')
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return text + append


def write_spec(path: Path, data: Path, **kw) -> Path:
    path.write_text(example_spec_text(data, **kw), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def hostile_run(tmp_path_factory):
    """``oncotrial analyze`` on a study whose strings attack every output and whose Cox model is
    singular (ki67 = age): returns (CliRunner result, output folder)."""
    root = tmp_path_factory.mktemp("hostile")
    data = copy_example(root / "data")

    def subjects(df):
        df["cohort"] = df["cohort"].replace({"pNET": f"{FORMULA} {MATHTEXT}",
                                             "siNET": MARKUP_ANSI})
        df["ki67"] = df["age"]

    def aes(df):
        df["phase"] = XSS
        df.loc[0, "term"] = "=cmd|' /C calc'!A0"

    edit_csv(data / "subjects.csv", subjects)
    edit_csv(data / "adverse_events.csv", aes)
    spec = write_spec(root / "spec.toml", data, replace={
        'title = "Example': 'title = "<script>alert(1)</script> Example',
        'order = ["pNET", "siNET"]': "order = []",
        'covariates = ["age", "sex", "ecog", "ki67"]': 'covariates = ["age", "ki67"]',
        "teae_window_days = 30": f"teae_window_days = 30\nphases = ['{XSS}']"})
    out = root / "out"
    res = CliRunner().invoke(app, ["analyze", str(spec), "--out", str(out)])
    return res, out
