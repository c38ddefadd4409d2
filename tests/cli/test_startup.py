"""CLI start-up (issue 21): the top-level command line imports its sub-commands lazily.

``oncotrial --help`` and ``oncotrial design ...`` must not pay for pandas, scipy, matplotlib,
statsmodels, dask or shiny; the lazy assembly must print and behave exactly like the eager
one (every module imported and registered up front, ``oncotrial.cli.eager_app``).
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from oncotrial import cli

SRC = str(Path(cli.__file__).resolve().parents[1])
HEAVY = ("matplotlib", "dask", "distributed", "shiny", "statsmodels", "pandas", "scipy")


def _modules_after(code: str) -> dict[str, bool]:
    """Which heavy top-level packages a fresh interpreter holds after running ``code``."""
    probe = (f"import sys\n{code}\nimport json\n"
             f"print(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                         check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_startup_1_import_cli_loads_no_heavy_library():
    loaded = _modules_after("import oncotrial.cli")
    assert not any(loaded.values()), loaded


def test_startup_2_help_and_design_help_load_no_heavy_library():
    code = ("from oncotrial.cli import app\n"
            "for args in (['--help'], ['design', '--help'], ['design', 'single-stage', '--help']):\n"
            "    try:\n"
            "        app(args, prog_name='oncotrial')\n"
            "    except SystemExit as e:\n"
            "        assert e.code == 0, e.code\n")
    loaded = _modules_after(code)
    assert not any(loaded.values()), loaded


def test_startup_3_lazy_table_matches_registered_commands():
    """``_LAZY_COMMANDS`` lists every command, in order, with the help paragraph it shows."""
    eager = typer.main.get_command(cli.eager_app())
    names = eager.list_commands(None)  # type: ignore[arg-type]
    assert names == list(cli._LAZY_COMMANDS)
    for name in names:
        cmd = eager.commands[name]  # type: ignore[attr-defined]
        module, help_text = cli._LAZY_COMMANDS[name]
        assert inspect.cleandoc(cmd.short_help or cmd.help or "").split("\n\n")[0] == help_text, name
        assert not cmd.hidden and not cmd.deprecated
        # the stand-ins sit in the default "Commands" panel
        assert not isinstance(getattr(cmd, "rich_help_panel", None), str), name
        assert name in cli._load_commands(module)


@pytest.mark.parametrize("args", [["--help"], [], ["design", "--help"], ["stats", "--help"],
                                  ["design", "single-stage", "--help"], ["desing"],
                                  ["design", "single-stage", "--p0", "0.1", "--p1", "0.3"],
                                  ["design", "single-stage", "--p0", "0.5", "--p1", "0.3"],
                                  ["--version"], ["validate", "--help"]])
def test_startup_4_lazy_and_eager_print_the_same(args):
    runner = CliRunner()
    lazy = runner.invoke(cli.app, args, prog_name="oncotrial", terminal_width=100)
    eager = runner.invoke(cli.eager_app(), args, prog_name="oncotrial", terminal_width=100)
    assert (lazy.exit_code, lazy.output) == (eager.exit_code, eager.output)
