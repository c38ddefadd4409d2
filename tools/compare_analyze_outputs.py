"""Snapshot and compare ``oncotrial analyze`` outputs before/after a performance change.

``python tools/compare_analyze_outputs.py run DIR`` analyses the three bundled twins
(regomune, nice-nec, talent), ``examples/pharmaverse.toml`` (when ../shared holds the data) and
the TALENT twin replicated x9 (999 patients: the large-n figure and table paths, figures and
report.pdf in worker processes) into
``DIR/<case>/``. ``python tools/compare_analyze_outputs.py compare OLD NEW`` then checks that
``report.html``, ``results.json``, ``tables/*.csv``, ``adam/*.csv`` and the figure files are
byte-identical between the two runs, and that ``report.docx``/``report.pdf`` exist in both
(their bytes are compared too and reported, not required). Exit status 1 on any difference.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRICT = ("report.html", "results.json", "tables/*.csv", "adam/*.csv", "adam/define.xml",
          "figures/*.png", "figures/*.svg", "figures/*.pdf")
LOOSE = ("report.docx", "report.pdf", "adam/*.xpt")  # XPT headers carry the write time


def run(out: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_analyze import replicate

    from oncotrial.analysis import example_spec_path, parse_study_spec, run_analysis
    from oncotrial.evidence.twins import generate_twin, write_twin

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name in ("regomune", "nice-nec", "talent"):
            write_twin(generate_twin(name), tmp / "data" / name)
            raw = tomllib.loads(example_spec_path(name).read_text(encoding="utf-8"))
            run_analysis(parse_study_spec(raw, tmp), out / name, force=True,
                         data_cutoff="2030-01-01")
        replicate(tmp / "data" / "talent", tmp / "x9" / "data" / "talent", 9)
        raw = tomllib.loads(example_spec_path("talent").read_text(encoding="utf-8"))
        os.environ["ONCOTRIAL_FIGURE_WORKERS"] = "2"  # 999 patients: force the parallel path
        try:
            run_analysis(parse_study_spec(raw, tmp / "x9"), out / "talent-x9", force=True,
                         data_cutoff="2030-01-01")
        finally:
            del os.environ["ONCOTRIAL_FIGURE_WORKERS"]
    pv = ROOT / "examples" / "pharmaverse.toml"
    if (ROOT.parent / "shared" / "data" / "pharmaversesdtm").exists():
        run_analysis(pv, out / "pharmaverse", force=True)
    else:
        print("pharmaverse: ../shared/data/pharmaversesdtm absent, skipped")


def _digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def compare(old: Path, new: Path) -> int:
    bad = 0
    for case in sorted(d.name for d in old.iterdir() if d.is_dir()):
        a, b = old / case, new / case
        for strict, patterns in ((True, STRICT), (False, LOOSE)):
            for pat in patterns:
                fa = {p.relative_to(a) for p in a.glob(pat)}
                fb = {p.relative_to(b) for p in b.glob(pat)}
                if fa != fb:
                    print(f"{case}: {pat}: files differ: {sorted(map(str, fa ^ fb))}")
                    bad += 1
                for rel in sorted(fa & fb):
                    if _digest(a / rel) != _digest(b / rel):
                        print(f"{case}: {rel}: {'DIFFERS' if strict else 'bytes differ (allowed)'}")
                        bad += strict
        print(f"{case}: compared")
    print("PASSED: identical" if not bad else f"FAILED: {bad} differences")
    return 1 if bad else 0


if __name__ == "__main__":
    if sys.argv[1] == "run":
        d = Path(sys.argv[2])
        shutil.rmtree(d, ignore_errors=True)
        run(d)
    else:
        sys.exit(compare(Path(sys.argv[2]), Path(sys.argv[3])))
