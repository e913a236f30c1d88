"""Trackers as PMOs write them in each shipped language: the entity and every column."""

from __future__ import annotations

from datetime import date
from string import ascii_uppercase
from typing import Any

import pytest

from mapper.classify import classify
from mapper.evidence import ColumnEvidence, TrackerEvidence


def _tracker(
    sheet: str, columns: list[tuple[str, dict[str, Any]]], *, name: str | None = None, title=None
) -> TrackerEvidence:
    return TrackerEvidence(
        name=name or sheet,
        sheet=sheet,
        title=title,
        columns=tuple(
            ColumnEvidence(header, letter=ascii_uppercase[i], **values)
            for i, (header, values) in enumerate(columns)
        ),
    )


def _assert_fields(guess, expected: list[str | None]) -> None:
    got = [(f.header, f.field) for f in guess.fields]
    assert got == [(f.header, e) for f, e in zip(guess.fields, expected, strict=True)], "\n".join(
        f"{f.header}: {f.field} ({f.reason})" for f in guess.fields
    )


def _list(*labels: str) -> dict[str, Any]:
    return {"list_values": labels}


def _values(*samples: Any) -> dict[str, Any]:
    return {"samples": samples}


# Each case: sheet, table, title, columns (header, evidence, expected field), entity.
CASES: dict[str, tuple[str, str | None, str | None, list[tuple[str, dict, str | None]], str]] = {
    "Chinese RAID log": (
        "RAID日志",
        None,
        "项目风险登记册",
        [
            ("风险编号", _values("R-001", "R-002"), None),
            ("风险描述", _values("供应商交付延迟", "关键人员流失"), "summary"),
            ("概率", _list("高", "中", "低"), "probability"),
            ("影响", _list("很高", "高", "中", "低", "很低"), "impact"),
            ("负责人", _values("张伟", "李娜"), "owner"),
            ("状态", _list("打开", "处理中", "关闭"), "status"),
            (
                "应对措施",
                _values(
                    "与供应商签订延期罚则并每周跟踪交付计划",
                ),
                "mitigation",
            ),
            ("到期日", _values(date(2025, 3, 31), date(2025, 4, 15)), "due_date"),
        ],
        "risk",
    ),
    "Chinese (traditional) risk register": (
        "風險登記冊",
        None,
        None,
        [
            ("風險編號", {}, None),
            ("風險描述", {}, "summary"),
            ("機率", _list("高", "中", "低"), "probability"),
            ("影響", _list("高", "中", "低"), "impact"),
            ("負責人", {}, "owner"),
            ("狀態", _list("開啟", "處理中", "關閉"), "status"),
            ("應對措施", {}, "mitigation"),
            ("截止日期", {}, "due_date"),
        ],
        "risk",
    ),
    "German change log": (
        "Änderungen",
        "tblAenderungen",
        "Projekt Alpha – Änderungsanträge",
        [
            ("Nr.", _values(1, 2, 3), None),
            (
                "Änderungstitel",
                _values("Zusätzliche Schnittstelle", "Berichte auf Englisch"),
                "summary",
            ),
            ("Beschreibung", {}, "description"),
            ("Antragsteller", _values("M. Müller", "S. Schmidt"), "requester"),
            ("Erfasst am", _values(date(2025, 1, 3), date(2025, 2, 1)), "created"),
            ("Änderungsart", _list("Umfang", "Termin", "Kosten", "Qualität"), "change_type"),
            ("Kostenauswirkung", _values(12000, 0, 3500.5), "cost_impact"),
            ("Terminauswirkung (Tage)", _values(10, 0), "schedule_impact_days"),
            ("Status", _list("Eingereicht", "In Prüfung", "Genehmigt", "Abgelehnt"), "status"),
            ("Entscheidung", _list("Offen", "Genehmigt", "Abgelehnt"), "decision"),
            ("Entscheidungsdatum", {}, "decision_date"),
        ],
        "change_request",
    ),
    "Japanese risk register": (
        "リスク管理表",
        None,
        None,
        [
            ("リスクNo.", _values(1, 2), None),
            ("リスク内容", _values("ベンダーの納期遅延", "要員の離脱"), "summary"),
            ("発生確率", _list("高", "中", "低"), "probability"),
            ("影響度", _list("大", "中", "小"), "impact"),
            ("リスクオーナー", {}, "owner"),
            ("対応策", {}, "mitigation"),
            ("ステータス", _list("オープン", "対応中", "クローズ"), "status"),
            ("期限", {}, "due_date"),
        ],
        "risk",
    ),
    "French issue log": (
        "Problèmes",
        None,
        "Registre des problèmes",
        [
            ("N°", {}, None),
            ("Intitulé", {}, "summary"),
            ("Description", {}, "description"),
            ("Priorité", _list("Haute", "Moyenne", "Basse"), "priority"),
            ("Responsable", {}, "owner"),
            ("Date d'ouverture", {}, "created"),
            ("Échéance", {}, "due_date"),
            ("Statut", _list("Ouvert", "En cours", "Bloqué", "Terminé"), "status"),
            ("Escalade requise", _list("Oui", "Non"), "escalate"),
            ("Résolution", {}, "resolution"),
        ],
        "raid_issue",
    ),
    "Spanish status tracker": (
        "Seguimiento de tareas",
        None,
        None,
        [
            ("ID tarea", {}, None),
            ("Tarea", {}, "summary"),
            ("Tipo", _list("Épica", "Historia", "Tarea"), "item_type"),
            ("Asignado a", {}, "assignee"),
            ("Estado", _list("Por hacer", "En curso", "Bloqueado", "Completado"), "status"),
            ("% de avance", {"samples": (0.5, 0.8, 1.0), "kinds": {"percent": 3}}, "progress"),
            ("Fecha de inicio", {}, "start_date"),
            ("Fecha fin", {}, "due_date"),
            ("Épica", _values("ALPHA-1", "ALPHA-7"), "parent"),
        ],
        "work_item",
    ),
    "Portuguese status tracker": (
        "Acompanhamento de status",
        None,
        None,
        [
            ("Tarefa", {}, "summary"),
            ("Tipo", _list("Épico", "História", "Tarefa"), "item_type"),
            ("Atribuído a", {}, "assignee"),
            ("Status", _list("A fazer", "Em andamento", "Bloqueado", "Concluído"), "status"),
            ("% concluído", _values("80%", "20%"), "progress"),
            ("Início", {}, "start_date"),
            ("Término", {}, "due_date"),
            ("Estimativa", _values(3, 5, 8), "estimate"),
        ],
        "work_item",
    ),
    "English project list": (
        "Projects",
        None,
        "PMO portfolio",
        [
            ("Project Key", _values("ALPHA", "BETA"), "key"),
            ("Project Name", {}, "name"),
            ("Project Manager", {}, "manager"),
            ("RAG", _list("Green", "Amber", "Red"), "rag"),
            ("Baseline Finish", {}, "baseline_finish"),
            ("Forecast Finish", {}, "forecast_finish"),
            ("Budget (BAC)", _values(100000, 250000), "bac"),
            ("Earned Value (EV)", {}, "ev"),
            ("Actual Cost (AC)", {}, "ac"),
        ],
        "project",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_entity_and_every_column(case):
    sheet, table, title, columns, entity = CASES[case]
    guess = classify(_tracker(sheet, [(h, v) for h, v, _ in columns], name=table, title=title))
    assert guess.entity == entity, guess.reason
    assert guess.confidence >= 0.8, guess.reason
    _assert_fields(guess, [field for _, _, field in columns])


def test_reasons_name_the_language_and_the_values():
    sheet, table, title, columns, _ = CASES["Chinese RAID log"]
    guess = classify(_tracker(sheet, [(h, v) for h, v, _ in columns], name=table, title=title))
    by_header = {f.header: f for f in guess.fields}
    assert "Chinese (simplified)" in by_header["概率"].reason
    assert "高/中/低 fit the probability map" in by_header["概率"].reason
    assert "own numbering" in by_header["风险编号"].reason
    assert by_header["风险编号"].confidence >= 0.9  # sure it is the tracker's own id
    assert "项目风险登记册" in guess.reason  # the title block named the tracker


def test_a_french_tracker_says_french_for_a_header_spanish_also_uses():
    sheet, table, title, columns, _ = CASES["French issue log"]
    guess = classify(_tracker(sheet, [(h, v) for h, v, _ in columns], name=table, title=title))
    assert "(French)" in guess.fields[0].reason  # "N°" is listed for French and Spanish
