"""PDF (and PNG pages) of the report through LibreOffice headless, where installed."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path


class ConverterMissing(RuntimeError):
    """The program a conversion needs is not installed."""


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise ConverterMissing(
            "PDF output needs LibreOffice (soffice) on the PATH: install it "
            "(Debian/Ubuntu: apt install libreoffice-calc-nogui; macOS: brew install "
            "--cask libreoffice; Windows: libreoffice.org), or open the .xlsx report in "
            "Excel and save it as PDF"
        )
    return found


def to_pdf(workbook: Path, out_dir: Path | None = None, timeout: float = 180) -> Path:
    """Convert with a private LibreOffice profile (no clash with a running LibreOffice)."""
    out_dir = out_dir or workbook.parent
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [
                soffice(),
                "--headless",
                "--norestore",
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(workbook),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    pdf = out_dir / (workbook.stem + ".pdf")
    if not pdf.exists():  # soffice exits 0 even when it could not convert
        raise RuntimeError(f"LibreOffice did not convert {workbook}: {done.stdout}{done.stderr}")
    return pdf


def pdftoppm() -> str:
    found = shutil.which("pdftoppm")
    if found is None:
        raise ConverterMissing(
            "PNG output needs poppler's pdftoppm on the PATH: install it (Debian/Ubuntu: "
            "apt install poppler-utils; macOS: brew install poppler; Windows: conda install "
            "-c conda-forge poppler, or a poppler build's bin folder on the PATH), or use "
            "--format pdf"
        )
    return found


def to_png(
    pdf: Path,
    first_page: int | None = None,
    last_page: int | None = None,
    dpi: int = 80,
    timeout: float = 300,
) -> list[Path]:
    """Every page of a PDF (or pages first_page..last_page) as PNG, with poppler's
    pdftoppm: ``report.pdf`` gives ``report-1.png``, ``report-2.png``... next to it (the
    number zero-padded when the PDF has ten pages or more, as pdftoppm names them),
    returned in page order. Rendered in a private folder first, so the list holds
    exactly this conversion's pages (whatever else lies next to the PDF)."""
    tool = pdftoppm()
    command = [tool, "-png", "-r", str(dpi)]
    if first_page is not None:
        command += ["-f", str(first_page)]
    if last_page is not None:
        command += ["-l", str(last_page)]
    with tempfile.TemporaryDirectory(dir=pdf.parent) as work:
        prefix = Path(work) / pdf.stem
        done = subprocess.run(
            [*command, str(pdf), str(prefix)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        rendered = _pages(prefix)
        if done.returncode != 0 or not rendered:
            raise RuntimeError(f"pdftoppm did not render {pdf}: {done.stdout}{done.stderr}")
        return [page.replace(pdf.parent / page.name) for page in rendered]


def _pages(prefix: Path) -> list[Path]:
    """The page images pdftoppm wrote for ``prefix`` (prefix-<n>.png), in page order."""
    pattern = re.compile(re.escape(prefix.name) + r"-(\d+)\.png")
    found = []
    for path in prefix.parent.iterdir():
        match = pattern.fullmatch(path.name)
        if match:
            found.append((int(match.group(1)), path))
    return [path for _, path in sorted(found)]
