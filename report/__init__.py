"""`pmo-sync report`: the portfolio status report, from the synced state store."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from compliance.audit import AuditResult, audit_store
from compliance.policy import Policy
from report import history
from report.compliance_sheet import Compliance
from report.figures import Figures, compute
from report.resources_sheet import RED_ABOVE, Resources, resources_of
from report.strings import Strings
from report.workbook import write
from sync.store import StateStore
from sync.store_audits import KEEP_AUDITS, AuditRow


@dataclass
class ReportResult:
    path: Path
    figures: Figures
    changes: history.Changes
    pdf: Path | None = None
    pngs: list[Path] = field(default_factory=list)  # the PDF's pages, in order
    audit: AuditResult | None = None  # the Compliance sheet's audit (with a policy)
    resources: Resources | None = None  # the Resources sheet's data (with a resource plan)


def generate(
    store: StateStore,
    out: Path,
    *,
    since: timedelta | None = None,
    as_of: date | None = None,
    pdf: bool = False,
    png: bool = False,
    remember: bool = True,
    lang: str = "en",
    title: str | None = None,
    policy: Policy | None = None,
    hours_per_point: float = 0.0,
    overallocated_above: float = RED_ABOVE,
) -> ReportResult:
    """Compute the figures, compare with the baseline report, write the workbook (and
    with ``pdf`` its PDF; with ``png`` the PDF and a PNG per page of it).

    ``lang`` is the language of the report's headings and labels: "en" or "zh"
    (Simplified Chinese); any other raises report.strings.UnknownLanguage first.
    ``title`` is the portfolio's name, for the report's title and page headers.
    ``policy``: a Compliance sheet (after Changes) with the policy audited now over the
    portfolio (dates as of ``as_of``) and the score trend of the audits the store kept;
    None: no Compliance sheet.
    With a resource plan in the store (resources copied from a builtin:resource_plan
    workbook), a Resources sheet: the capacity engine as of ``as_of`` with story points
    as ``hours_per_point`` hours (the config's ``[sync] hours_per_point``), people above
    ``overallocated_above`` (1.0 = 100 %) listed as over-allocated.
    """
    Strings(lang)  # an unknown language fails here, before anything is read or written
    if not overallocated_above > 0:
        raise ValueError(
            f"the over-allocation threshold must be above 0, not {overallocated_above}"
        )
    figures = compute(store, as_of)
    previous = history.baseline(store, since, figures.generated_at)
    changes = history.changes_since(figures, previous)
    compliance = None
    if policy is not None:
        audited = audit_store(store, policy, today=figures.as_of, at=store.clock())
        compliance = Compliance(audited, policy.source, _kept_audits(store, audited.projects))
    planned = resources_of(resource_items(store), figures.as_of, hours_per_point,
                           overallocated_above)  # fmt: skip
    path = write(out, figures, changes, lang, title, compliance, planned)
    result = ReportResult(path, figures, changes, resources=planned)
    result.audit = compliance.result if compliance is not None else None
    if pdf or png:
        from report.pdf import pdftoppm, to_pdf, to_png

        if png:
            pdftoppm()  # missing: say so before the slow PDF conversion
        result.pdf = to_pdf(path)
        if png:
            result.pngs = to_png(result.pdf)
    if remember:
        history.remember(store, figures)
    return result


def resource_items(store: StateStore) -> list[dict[str, Any]]:
    """What the capacity engine reads: the plan's rows and the portfolio's work items."""
    return [
        {**item, "_entity": entity}
        for entity in ("resource", "allocation", "work_item")
        for item in store.items(entity)
    ]


def _kept_audits(store: StateStore, projects: Iterable[str]) -> list[AuditRow]:
    """The audits the store kept of these projects (up to KEEP_AUDITS each, all there
    are), oldest first."""
    kept = [row for p in projects for row in store.audits(project=p, limit=KEEP_AUDITS)]
    return sorted(kept, key=lambda row: row.at)
