"""The report's one palette: every RAG status, risk level and chart series colour.

Conventional colours (red/amber/green, and green -> amber -> orange -> red for risk
levels), each paired with a text colour that reads on it (WCAG contrast 4.5:1 or more,
checked by the tests). Colour is never the only signal: every coloured cell also shows
its label ("Red", "High 3"), so the report reads the same to a colour-blind reader and
on a black-and-white printer.

Colours are RGB hex strings without '#', as openpyxl and DrawingML take them.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl.styles import Font, PatternFill

from mappings.scoring import DEFAULT_THRESHOLDS


@dataclass(frozen=True)
class Swatch:
    """A fill and the text colour to write on it."""

    fill: str
    text: str

    def pattern(self) -> PatternFill:
        # fgColor is what a cell fill shows; bgColor is what a conditional format's
        # (differential) fill shows: both, so one PatternFill serves both uses.
        return PatternFill("solid", fgColor=self.fill, bgColor=self.fill)

    def font(self, **kwargs: object) -> Font:
        return Font(name=FONT, color=self.text, **kwargs)  # type: ignore[arg-type]


RAG = {
    "Red": Swatch("C0392B", "FFFFFF"),
    "Amber": Swatch("FFC000", "000000"),
    "Green": Swatch("2E7D32", "FFFFFF"),
}
LEVEL = {
    "low": Swatch("A9D08E", "000000"),
    "medium": Swatch("FFE699", "000000"),
    "high": Swatch("F4B183", "000000"),
    "critical": Swatch("C0392B", "FFFFFF"),
}

FONT = "Calibri"  # the workbook's default font: every styled cell names it too
HEADER = Swatch("1F3864", "FFFFFF")  # table headers: dark navy, white text
TILE = Swatch("F2F2F2", "1F1F1F")  # KPI tiles
NOTE = Swatch("F2F2F2", "595959")  # "not enough history" boxes, footnotes
TEXT = "1F1F1F"  # body text
MUTED = "595959"  # secondary text (7:1 on white)
GRID = "BFBFBF"  # thin borders

PROGRESS_BAR = "5B9BD5"  # data bars and the progress chart: neutral blue
SERIES = {
    "open_risks": "1F4E79",  # dark blue
    "exposure": "C55A11",  # dark orange
    "approved_changes": "2E7D32",  # green: approved
    "progress": PROGRESS_BAR,
}


def _luminance(rgb: str) -> float:
    def channel(part: str) -> float:
        c = int(part, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(rgb[i : i + 2]) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two RGB colours (1 to 21)."""
    a, b = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def level_of(score: int) -> str:
    """The zone of the 5 x 5 matrix a score falls in (the sync's default thresholds)."""
    return str(DEFAULT_THRESHOLDS.level(score))
