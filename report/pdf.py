"""PDF (and PNG pages) of the report through LibreOffice headless, where installed."""

from __future__ import annotations

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


def to_png(pdf: Path, first_page: int = 1, dpi: int = 80) -> Path:
    """One page of a PDF as PNG (poppler's pdftoppm)."""
    tool = shutil.which("pdftoppm")
    if tool is None:
        raise ConverterMissing("PNG pages need poppler's pdftoppm (apt install poppler-utils)")
    prefix = pdf.with_suffix("")
    subprocess.run(
        [tool, "-png", "-r", str(dpi), "-f", str(first_page), "-l", str(first_page),
         "-singlefile", str(pdf), str(prefix)],
        check=True,
        capture_output=True,
        timeout=120,
    )  # fmt: skip
    return prefix.with_suffix(".png")
