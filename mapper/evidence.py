"""What the mapper knows about a tracker before it guesses: its headers and its values.

This is the contract between the workbook survey (``connectors.excel.survey``, which
reads the file) and the classifier (``mapper.classify``, which guesses the entity type and
each column's field from headers in any language and from the values). Plain frozen data,
so the classifier is a pure function that tests can feed directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ColumnEvidence:
    """One column of a tracker.

    Attributes:
        header: the header text as the person wrote it (a two-row header joined with
            " / ", a merged header cell's text on every column it spans).
        samples: up to a few hundred non-empty typed values from the data rows (str, int,
            float, bool, date, datetime), in row order.
        kinds: how many sampled cells were "text", "number", "percent", "date",
            "datetime", "time", "bool", "error", and "formula" (cells holding formulas,
            counted in addition to their value's kind).
        distinct: the number of distinct sampled values.
        list_values: the items of the column's drop-down list, when it has one that can
            be read (None otherwise).
        hidden: the column is hidden in Excel.
        letter: the column's letter ("C"), for messages.
    """

    header: str
    samples: tuple[Any, ...] = ()
    kinds: Mapping[str, int] = field(default_factory=dict)
    distinct: int = 0
    list_values: tuple[str, ...] | None = None
    hidden: bool = False
    letter: str = ""


@dataclass(frozen=True)
class TrackerEvidence:
    """One tracker: a table or a header row with data rows under it.

    Attributes:
        name: the Excel table's name, else the sheet's.
        sheet: the sheet's name.
        title: text of the title block above the header, if any ("Project Risk Register").
        columns: left to right.
        rows: how many data rows the tracker has.
    """

    name: str
    sheet: str
    columns: tuple[ColumnEvidence, ...]
    title: str | None = None
    rows: int = 0


@dataclass(frozen=True)
class FieldGuess:
    """The classifier's answer for one column.

    Attributes:
        header: the column's header (as in ColumnEvidence).
        field: the canonical field of the chosen entity, "key" / "sync_id" for pmo-sync's
            identity columns, or None when the column maps to no field (kept in the
            workbook only).
        confidence: 0..1.
        reason: why, in words a PMO reads ("header 概率 = probability (Chinese); values 1-5
            fit the probability scale").
        alternatives: other fields it could be, best first, with their confidence.
    """

    header: str
    field: str | None
    confidence: float
    reason: str
    alternatives: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class TrackerGuess:
    """The classifier's answer for one tracker."""

    entity: str | None  # an ENTITY_TYPES name, or None when nothing fits
    confidence: float
    reason: str
    fields: tuple[FieldGuess, ...]  # one per column, in column order
    alternatives: tuple[tuple[str, float], ...] = ()


__all__ = ["ColumnEvidence", "FieldGuess", "TrackerEvidence", "TrackerGuess"]
