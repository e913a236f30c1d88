"""Saving a workbook pmo-sync creates from scratch with openpyxl (template, report, add-in).

openpyxl is fine for *new* files (nothing of the user's can be lost), but it writes a
cell holding the empty string as ``<c t="inlineStr"/>``: an inline-string cell without
its ``<is>`` child, which the schema does not allow and Excel repairs on open ("We
found a problem with some content"). An empty string means "no value" in a cell
anyway, so such cells are saved as empty cells (their style kept). The file is written
to a temporary name beside the target and renamed over it, so a crash never leaves
half a workbook under the real name.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from openpyxl import Workbook


def drop_empty_strings(book: Workbook) -> int:
    """Turn every cell holding "" into an empty cell; returns how many there were."""
    count = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value == "":
                    cell.value = None
                    count += 1
    return count


def save_new_workbook(book: Workbook, path: Path) -> Path:
    """Save `book` at `path` atomically (temp file in the same folder, then rename)."""
    path = Path(path)
    drop_empty_strings(book)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(
        prefix=f".~{path.stem}-", suffix=path.suffix or ".xlsx", dir=path.parent
    )
    os.close(handle)
    try:
        book.save(temp_name)
        os.replace(temp_name, path)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    return path
