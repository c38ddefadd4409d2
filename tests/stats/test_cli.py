"""Tests for the ``oncotrial stats`` CLI group (a thin layer: values come from the API)."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from oncotrial.stats._cli import register


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test root."""

    register(app)
    return app


def test_stats_cli_1_prop_ci():
    res = CliRunner().invoke(_app(), ["stats", "prop-ci", "23", "52", "--method", "wilson-cc"])
    assert res.exit_code == 0, res.output
    assert "0.307" in res.output and "wilson-cc" in res.output


def test_stats_cli_2_km_and_logrank(tmp_path):
    csv = tmp_path / "adtte.csv"
    csv.write_text("AVAL,EVENT,ARM\n1,1,A\n2,1,B\n2,0,A\n3,1,B\n4,1,A\n4,1,B\n")
    out = tmp_path / "km.csv"
    res = CliRunner().invoke(_app(), ["stats", "km", str(csv), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "3.0" in res.output and out.read_text().startswith("time,n_risk")
    first = out.read_bytes()
    out.write_text("the user's own file\n")
    res = CliRunner().invoke(_app(), ["stats", "km", str(csv), "--out", str(out)])
    assert res.exit_code == 2 and "exists; pass --force" in " ".join(res.output.replace("│", " ").split())
    assert out.read_text() == "the user's own file\n"          # kept
    res = CliRunner().invoke(_app(), ["stats", "km", str(csv), "--out", str(out), "--force"])
    assert res.exit_code == 0 and out.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adtte.csv", "km.csv"]  # no temporary file left
    res = CliRunner().invoke(_app(), ["stats", "logrank", str(csv), "--group", "ARM"])
    assert res.exit_code == 0, res.output and "chisq" in res.output


def test_stats_cli_3_bad_input_is_a_usage_error():
    res = CliRunner().invoke(_app(), ["stats", "prop-ci", "60", "52"])
    assert res.exit_code == 2
    assert "must be <= `n` (52)" in res.output
