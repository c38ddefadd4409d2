"""``python -m oncotrial ...``: the same command line as the ``oncotrial`` script."""

from oncotrial.cli import app

if __name__ == "__main__":  # pragma: no cover - exercised through a subprocess in the tests
    app(prog_name="oncotrial")
