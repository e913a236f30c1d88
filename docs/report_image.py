"""Regenerate docs/report.png: the demo portfolio synced, reported and rendered.

python docs/report_image.py      (needs LibreOffice and poppler's pdftoppm)
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from connectors.excel.template import write_template
from mappings.config import load_config
from mappings.mapping import load_mapping
from report import generate
from report.pdf import to_pdf, to_png
from sandbox import running_sandbox
from sync.runner import Runner
from sync.store import StateStore

CONFIG = """\
[jira]
url = "{url}"
email = "{email}"

[sync]
state_store = "state.db"

[[pair]]
name = "raid"
workbook = "raid.xlsx"
mapping = "builtin:raid_log"
projects = ["ALPHA", "BETA", "GAMMA"]

[[pair]]
name = "status"
workbook = "status.xlsx"
mapping = "builtin:status_tracker"
projects = ["ALPHA", "BETA", "GAMMA"]
"""


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    with running_sandbox(mode="cloud", seed="demo") as server:
        write_template(load_mapping("builtin:raid_log"), folder / "raid.xlsx")
        write_template(load_mapping("builtin:status_tracker"), folder / "status.xlsx")
        (folder / "pmo-sync.toml").write_text(
            CONFIG.format(url=server.url, email=server.credentials.email)
        )
        os.environ["PMO_SYNC_JIRA_TOKEN"] = server.credentials.api_token or ""
        runner = Runner(load_config(folder / "pmo-sync.toml"))
        runner.run()
        runner.run()
        runner.close()
    with StateStore(folder / "state.db") as store:
        result = generate(store, folder / "status-report.xlsx")
    png = to_png(to_pdf(result.path), first_page=2, dpi=90)  # the Charts page
    target = Path(__file__).resolve().parent / "report.png"
    shutil.copy(png, target)
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
