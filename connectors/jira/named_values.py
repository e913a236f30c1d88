"""A project's versions and components, which issues name in fixVersions, versions and
components.

Jira refuses an issue edit that names a version the project lacks, with a message about
the whole edit; asking first (one request per project and kind per run) lets the writer
say which value is missing and what the project has instead, or, when the mapping says
``create_missing = true``, create it (``POST version`` / ``POST component``) so a release
planned in the workbook appears in Jira.
"""

from __future__ import annotations

from collections.abc import Sequence

from connectors.jira.transport import JiraHttp
from mappings.values import fold

KINDS = {"fixVersions": "versions", "versions": "versions", "components": "components"}
"""Jira field id -> the project's list that holds its values."""
_CREATE = {"versions": "version", "components": "component"}


class ProjectValues:
    """Checks (and, when asked, creates) the names an issue's version or component field
    carries."""

    def __init__(self, http: JiraHttp) -> None:
        self.http = http
        self._known: dict[tuple[str, str], dict[str, str]] = {}  # (project, kind) -> fold -> name

    def names(self, project: str, kind: str) -> dict[str, str]:
        cached = self._known.get((project, kind))
        if cached is None:
            answer = self.http.get(f"project/{project}/{kind}") or []
            cached = {fold(str(v.get("name", ""))): str(v.get("name", "")) for v in answer}
            self._known[(project, kind)] = cached
        return cached

    def ensure(
        self, project: str, field_id: str, wanted: Sequence[str], create: bool, field_name: str
    ) -> list[str]:
        """The names as the project spells them; missing ones created when ``create``,
        else refused with the project's names listed."""
        kind = KINDS[field_id]
        known = self.names(project, kind)
        missing = [w for w in wanted if fold(w) not in known]
        if missing and not create:
            have = ", ".join(sorted(known.values())[:12]) or "none yet"
            raise ValueError(
                f"{field_name}: {', '.join(map(repr, missing))} is not one of project "
                f"{project}'s {kind} ({have}); create it in Jira, or set create_missing = "
                "true on the field so pmo-sync creates it"
            )
        for name in missing:
            made = self.http.post(_CREATE[kind], {"name": name, "project": project}) or {}
            known[fold(name)] = str(made.get("name", name))
        return [known[fold(w)] for w in wanted]
