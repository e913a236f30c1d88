"""Regenerate docs/report.png: the demo's portfolio (seven projects, twelve replayed weeks
of syncs through the real engine, then today's cycle), its status report, and the
report's first page (the executive dashboard) rendered as leadership sees it
(LibreOffice -> PDF -> PNG).

python docs/report_image.py      (needs LibreOffice and poppler's pdftoppm)
"""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

from rich.console import Console

from pmo_sync.demo import run_demo
from report.pdf import to_pdf, to_png


def main() -> None:
    folder = Path(tempfile.mkdtemp()) / "demo-output"
    if run_demo(folder, Console(file=io.StringIO())) != 0:
        raise SystemExit("the demo failed: run `pmo-sync demo` to see why")
    report = folder / "pmo-status-report.xlsx"
    (png,) = to_png(to_pdf(report), first_page=1, last_page=1, dpi=110)  # the dashboard
    target = Path(__file__).resolve().parent / "report.png"
    shutil.copy(png, target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
