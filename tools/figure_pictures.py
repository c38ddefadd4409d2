"""Pictures of the report figures for docs/report.md (issue 13: before/after).

Usage: ``PYTHONPATH=src python tools/figure_pictures.py [OUT_DIR] [--dpi 100]`` (default
``docs/img/figures``). Generates the TALENT and NICE-NEC twins, analyses them with the bundled
specs and saves each selected figure as ``<twin>-<stem>.png`` at a screen resolution (the report
itself writes 300 dpi). Run it with another checkout's ``src`` first on ``PYTHONPATH`` to picture
that version (the "before" pictures were made from the commit before issue 13's figures).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tomllib
from pathlib import Path

SELECTION = {"talent": ("flow", "km_os", "km_pfs", "waterfall", "spider", "swimmer", "forest_cox",
                        "ae_bars", "gmi"),
             "nice-nec": ("forest_cox", "ae_bars", "km_os")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", nargs="?", default=str(Path(__file__).resolve().parents[1] / "docs"
                                                  / "img" / "figures"))
    ap.add_argument("--dpi", type=int, default=100)
    args = ap.parse_args(argv)
    import matplotlib as mpl

    from oncotrial.analysis import analyze_study, example_spec_path, parse_study_spec
    from oncotrial.evidence.twins import generate_twin, write_twin
    from oncotrial.report import build_figures

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for twin, stems in SELECTION.items():
            write_twin(generate_twin(twin), Path(tmp) / "data" / twin)
            raw = tomllib.loads(example_spec_path(twin).read_text(encoding="utf-8"))
            figs = build_figures(analyze_study(parse_study_spec(raw, tmp)))
            for stem in stems:
                if stem in figs:
                    with mpl.rc_context({"text.parse_math": False}):
                        figs[stem].savefig(out / f"{twin}-{stem}.png", dpi=args.dpi,
                                           metadata={"Software": None})
                    print(out / f"{twin}-{stem}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
