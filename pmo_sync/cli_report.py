"""`pmo-sync report` and `pmo-sync addin`: what the synced portfolio is shown as.
Registered on the app of pmo_sync.cli."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pmo_sync.cli import EXIT_PROBLEMS, ConfigOption, _config, _fail, _store_path, app, console
from sync.errors import StateStoreError
from sync.store import StateStore

if TYPE_CHECKING:
    from compliance.policy import Policy
    from mappings.config import Config
    from report.resources_sheet import Resources


@app.command()
def report(
    config: ConfigOption = Path("pmo-sync.toml"),
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Report workbook to write (from the current folder)")
    ] = Path("pmo-status-report.xlsx"),
    since: Annotated[
        str | None,
        typer.Option(
            help="Compare with the report of this long ago: 12h, 7d, 2w "
            "(default: the previous report)"
        ),
    ] = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="xlsx; pdf (also writes the xlsx; needs LibreOffice); or png, a PNG per page "
            "of the PDF (also writes the xlsx and the pdf; needs LibreOffice and poppler's "
            "pdftoppm)",
        ),
    ] = "xlsx",
    into: Annotated[
        Path | None,
        typer.Option(
            help="Also refresh a 'PMO Dashboard' sheet inside this workbook (from the "
            "current folder)"
        ),
    ] = None,
    lang: Annotated[
        str,
        typer.Option(
            "--lang", help="Language of the report's headings and labels: en, or zh (简体中文)"
        ),
    ] = "en",
    title: Annotated[
        str | None,
        typer.Option(
            help="The portfolio's name, for the report's title and every page header "
            '(e.g. "Group IT portfolio"; default: "PMO portfolio status")'
        ),
    ] = None,
    over: Annotated[
        float,
        typer.Option(
            "--over",
            help="Resources sheet: a person is over-allocated in a week above this "
            "utilisation, in percent",
            min=1,
        ),
    ] = 100,
) -> None:
    """Write the portfolio status report from the synced state store.

    --out and --into are read from the current directory, like every path given on the
    command line (only paths inside the configuration are read from its folder).
    """
    from report import generate
    from report.history import parse_since
    from report.pdf import ConverterMissing
    from report.strings import LANGUAGES

    if lang not in LANGUAGES:
        raise _fail(f"--lang {lang!r}: use one of {', '.join(LANGUAGES)}")
    if output_format not in ("xlsx", "pdf", "png"):
        raise _fail(f"--format {output_format!r}: use xlsx, pdf or png")
    if out.is_dir():
        raise _fail(
            f"--out {out} is a folder; give the report's file name, e.g. "
            f"{out / 'pmo-status-report.xlsx'}"
        )
    loaded = _config(config)
    store_path = _store_path(loaded)
    if not store_path.exists():
        raise _fail(f"no state store at {store_path}: run `pmo-sync sync` first")
    try:
        window = parse_since(since) if since else None
    except ValueError as exc:
        raise _fail(str(exc)) from None
    policy = _report_policy(loaded)
    try:
        with StateStore(store_path) as store:
            result = generate(
                store,
                out,
                since=window,
                pdf=output_format == "pdf",
                png=output_format == "png",
                lang=lang,
                title=title,
                policy=policy,
                hours_per_point=loaded.sync.hours_per_point,
                overallocated_above=over / 100,
            )
    except ConverterMissing as exc:
        raise _fail(str(exc), EXIT_PROBLEMS) from None
    except StateStoreError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        where = exc.filename or out
        raise _fail(f"cannot write {where}: {exc.strerror or exc}") from None
    figures = result.figures
    console.print(
        f"wrote {result.path}: {len(figures.projects)} project(s), "
        f"{sum(p.open_risk_total for p in figures.projects)} open risk(s), "
        f"{sum(d['count'] for d in figures.changes_by_decision.values()):.0f} change request(s)",
        highlight=False,
    )
    if result.audit is not None:
        errors = sum(b.severity == "error" for b in result.audit.breaches)
        console.print(
            f"compliance: {len(result.audit.breaches)} breach(es), {errors} of severity error",
            highlight=False,
        )
    if result.resources is not None:
        console.print(_resources_line(result.resources), highlight=False)
    if result.pdf:
        console.print(f"wrote {result.pdf}", highlight=False)
    if result.pngs:
        console.print(
            f"wrote {len(result.pngs)} page image(s): " + ", ".join(p.name for p in result.pngs),
            highlight=False,
        )
    changes = result.changes
    if changes.baseline is not None:
        console.print(
            f"since {changes.baseline:%Y-%m-%d %H:%M}: {len(changes.new_risks)} new risk(s), "
            f"{len(changes.closed_risks)} closed, {len(changes.rag_changes)} RAG change(s)",
            highlight=False,
        )
    if into is not None:
        from connectors.excel.errors import ExcelError
        from report.dashboard import SHEET, refresh_dashboard

        try:
            refresh_dashboard(into, figures, loaded.sync.backups_to_keep)
        except (ExcelError, OSError) as exc:
            raise _fail(f"{SHEET} sheet not written: {exc}") from None
        console.print(f"refreshed the '{SHEET}' sheet in {into}", highlight=False)


def _resources_line(data: Resources) -> str:
    shown = set(data.weeks)
    over = {pid for (pid, week), u in data.load.util.items()
            if week in shown and u is not None and u > data.threshold}  # fmt: skip
    return (
        f"resources: {len(data.load.people)} people, {len(over)} over-allocated in the next "
        f"{len(data.weeks)} weeks, {len(data.load.problems)} plan row(s) or item(s) not "
        "fully counted (the Resources sheet lists them)"
    )


def _report_policy(loaded: Config) -> Policy | None:
    """The configuration's policy, for the report's Compliance sheet. One that does not
    load is printed, and the report is written without the sheet."""
    from compliance.policy import PolicyError
    from pmo_sync.cli_audit import configured_policy

    try:
        return configured_policy(loaded)
    except PolicyError as exc:
        console.print(f"no Compliance sheet: {exc}", highlight=False, markup=False)
        return None


addin_app = typer.Typer(
    help="The Excel add-in: PMO_ worksheet functions over the synced portfolio.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(addin_app, name="addin")


@addin_app.command("install")
def addin_install(config: ConfigOption = Path("pmo-sync.toml")) -> None:
    """Install the xlwings add-in into Excel and point it at the PMO functions."""
    from excel_addin.install import AddinUnavailable, install_addin

    loaded = _config(config)
    try:
        for line in install_addin(_store_path(loaded)):
            console.print(line, highlight=False)
    except AddinUnavailable as exc:
        raise _fail(str(exc)) from None


@addin_app.command("workbook")
def addin_workbook(
    path: Annotated[Path, typer.Argument(help="Workbook to write (.xlsx)")],
    config: ConfigOption = Path("pmo-sync.toml"),
    force: Annotated[bool, typer.Option(help="Overwrite an existing file")] = False,
) -> None:
    """Write a workbook with the add-in's settings sheet and example PMO_ formulas."""
    from excel_addin.install import write_addin_workbook

    loaded = _config(config)
    try:
        written = write_addin_workbook(path, _store_path(loaded), overwrite=force)
    except FileExistsError as exc:
        raise _fail(str(exc)) from None
    console.print(f"wrote {written}: open it in Excel with the xlwings add-in installed")
