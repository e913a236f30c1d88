"""Errors raised while validating records, mappings and configuration.

Every error says where the problem is and what the user must do next, because the
people who see them are PMO staff editing a TOML file or a workbook, not developers.

    MappingsError
    ├── UnknownValueError        a value outside a value map (names field and allowed values)
    ├── RecordValidationError    one record (row / issue) failed validation; lists every field
    ├── MappingFileError         a mapping file is invalid; lists every problem with its location
    └── ConfigError              the configuration file is invalid; lists every problem
        ├── EmbeddedSecretError  the configuration contains a token or password
        └── PairMappingError     a [[pair]] names entities or fields its mapping lacks
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class MappingsError(Exception):
    """Base class for every error of the `mappings` package."""


class UnknownValueError(MappingsError, ValueError):
    """A value that no value map knows.

    It subclasses ValueError so pydantic turns it into a field error when it is raised
    from a validator, keeping the message that lists the allowed values.
    """

    def __init__(self, value: object, map_name: str, allowed: Sequence[str]) -> None:
        self.value = value
        self.map_name = map_name
        self.allowed = list(allowed)
        super().__init__(
            f"{value!r} is not a known {map_name} value; allowed: {', '.join(self.allowed)}"
        )


@dataclass(frozen=True)
class Problem:
    """One problem found in a file or a record, with where it is."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class _ProblemListError(MappingsError):
    """An error that carries every problem found, so users fix them all in one pass."""

    headline = "invalid"

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        super().__init__(f"{source}: {self.headline} ({count} {noun}):\n{lines}")


class RecordValidationError(_ProblemListError):
    """A row or an issue whose values do not fit the canonical model."""

    headline = "record rejected"


class MappingFileError(_ProblemListError):
    """A mapping file that cannot be used; nothing is synced with it."""

    headline = "mapping file is invalid"


class ConfigError(_ProblemListError):
    """A configuration file that cannot be used."""

    headline = "configuration is invalid"


class EmbeddedSecretError(ConfigError):
    """A secret written into the configuration file itself.

    Config files get copied, committed and mailed around; tokens must come from the
    environment or the OS keyring instead.
    """

    headline = "configuration embeds a secret"


class PairMappingError(ConfigError):
    """A [[pair]] that asks for entities or fields its mapping does not have.

    Only the pair is refused: it is found when the pair's mapping is loaded (a mapping
    is a separate file that may change after the configuration was read), and the
    other pairs of the configuration still sync.
    """

    headline = "pair does not fit its mapping"
