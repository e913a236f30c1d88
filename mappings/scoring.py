"""Risk scoring: probability x impact, and the level bands a PMO reports on.

The bands are configurable because PMOs draw their heat maps differently; the defaults
are the common 5 x 5 bands (1-4 Low, 5-9 Medium, 10-15 High, 16-25 Critical).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

RiskLevel = Literal["low", "medium", "high", "critical"]

MAX_SCORE = 25


class RiskLevelThresholds(BaseModel):
    """Upper bounds (inclusive) of the Low, Medium and High bands; Critical is the rest."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    low_max: int = 4
    medium_max: int = 9
    high_max: int = 15

    @model_validator(mode="after")
    def _bands_are_ordered(self) -> RiskLevelThresholds:
        if not 1 <= self.low_max < self.medium_max < self.high_max < MAX_SCORE:
            raise ValueError(
                "risk level thresholds must satisfy 1 <= low_max < medium_max < high_max < 25, "
                f"got low_max={self.low_max}, medium_max={self.medium_max}, "
                f"high_max={self.high_max}"
            )
        return self

    def level(self, score: int) -> RiskLevel:
        """The band a score falls in."""
        if not 1 <= score <= MAX_SCORE:
            raise ValueError(f"risk score {score} is outside 1..{MAX_SCORE}")
        if score <= self.low_max:
            return "low"
        if score <= self.medium_max:
            return "medium"
        if score <= self.high_max:
            return "high"
        return "critical"


DEFAULT_THRESHOLDS = RiskLevelThresholds()


def risk_score(probability: int, impact: int) -> int:
    """Exposure score on the 5 x 5 matrix."""
    for name, value in (("probability", probability), ("impact", impact)):
        if not 1 <= value <= 5:
            raise ValueError(f"{name} {value} is outside 1..5")
    return probability * impact
