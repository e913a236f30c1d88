"""The synonyms files read and checked: what ``mappings/synonyms/<lang>.toml`` may say.

A file that names a field the canonical model lacks, a value map that is not built in,
or a canonical value the map does not have is refused with its location, because a
wrong entry would silently propose wrong mappings. The comparison keys that both the
files and the headers of workbooks are reduced to are defined here too, so the two can
never be normalised differently.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from typing import Any

from mappings import values as vm
from mappings.model import ENTITY_TYPES, Record

OWN_ID = "own_id"
"""Pseudo-field of a tracker's own numbering ("Risk ID", "风险编号"): recognised, unmapped."""

_TOP_KEYS = {
    "language",
    "name",
    "head",
    "compounds",
    "stopwords",
    "common",
    "cues",
    "issue_types",
    "values",
}
_NUMBERING = re.compile(r"^\s*(?:\d{1,3}(?:\.\d{1,3})*[.)、:：]|\(\d{1,3}\)|\d{1,3}\s+-)\s*(?=\S)")
_TOKEN = re.compile(r"[^\W_]+|[%#]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af]")


class SynonymFileError(ValueError):
    """A synonyms file that does not fit the model or the value maps (a packaging bug)."""


@dataclass(frozen=True)
class Language:
    """One synonyms file's language and how its headers are built."""

    code: str  # "zh-Hans"
    name: str  # "Chinese (simplified)"
    head: str  # "first" or "last": where a compound header's head word sits
    compounds: bool  # words join into compounds (German)
    stopwords: frozenset[str]


@dataclass(frozen=True)
class Synonym:
    """A header a tracker uses for a field, as one language's file lists it."""

    text: str
    entity: str | None  # None: listed under [common]
    field: str  # a canonical field, "key"/"sync_id", or OWN_ID
    weak: bool
    language: Language
    key: str
    tokens: tuple[str, ...]  # words without the language's stopwords


@dataclass(frozen=True)
class ValueLabel:
    """A label for a canonical value of a built-in value map."""

    map_name: str
    canonical: str  # as a mapping's excel_labels writes it: "4", "open", "True"
    label: str
    source: str  # "built-in" or the language's name
    rank: int  # position among the value's labels in its source (0 = the usual one)


def _unaccent(text: str) -> str:
    """Latin accents dropped ("é" -> "e"); kana voicing marks and other scripts kept."""
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(char) and out and out[-1].isascii():
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


def tokens(text: str) -> list[str]:
    """A header's words after NFKC, accent and case folding, without its numbering."""
    text = _unaccent(unicodedata.normalize("NFKC", text)).casefold()
    return _TOKEN.findall(_NUMBERING.sub("", text, count=1))


def key_of(text: str) -> str:
    """The comparison key of a header or label: width, case, accents, numbering,
    punctuation and spaces do not count."""
    return "".join(tokens(text))


def label_key(text: str) -> str:
    """The comparison key of a value label (words kept apart: "In Progress")."""
    return " ".join(_TOKEN.findall(_unaccent(unicodedata.normalize("NFKC", text)).casefold()))


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def _strings(raw: object, where: str) -> list[str]:
    if not isinstance(raw, list) or not raw or not all(isinstance(s, str) and s for s in raw):
        raise SynonymFileError(f"{where}: expected a non-empty list of non-empty strings")
    return raw


def _record_fields() -> set[str]:
    return {
        name
        for cls in ENTITY_TYPES.values()
        if issubclass(cls, Record)
        for name in cls.model_fields
    }


def _field_table(
    table: object, entity: str | None, language: Language, where: str
) -> list[Synonym]:
    if not isinstance(table, dict):
        raise SynonymFileError(f"{where}: expected a table")
    allowed = _record_fields() if entity is None else set(ENTITY_TYPES[entity].model_fields)
    found: list[Synonym] = []
    for name, headers in table.items():
        if name == "weak" and isinstance(headers, dict):
            for weak in _field_table(headers, entity, language, f"{where}.weak"):
                found.append(Synonym(**{**weak.__dict__, "weak": True}))
            continue
        if name != OWN_ID and (name not in allowed or name == "updated"):
            raise SynonymFileError(
                f"{where}.{name}: not a field of {entity or 'any record'}; "
                f"fields: {', '.join(sorted(allowed - {'updated'}))}, {OWN_ID}"
            )
        for text in _strings(headers, f"{where}.{name}"):
            words = [t for t in tokens(text) if t not in language.stopwords]
            found.append(Synonym(text, entity, name, False, language, key_of(text), tuple(words)))
    return found


def _value_table(table: object, language: Language, where: str) -> list[ValueLabel]:
    if not isinstance(table, dict):
        raise SynonymFileError(f"{where}: expected a table")
    found: list[ValueLabel] = []
    for map_name, values in table.items():
        if map_name not in vm.BUILTIN_MAPS:
            raise SynonymFileError(
                f"{where}.{map_name}: no such value map; built-in: {', '.join(vm.BUILTIN_MAPS)}"
            )
        if not isinstance(values, dict):
            raise SynonymFileError(f"{where}.{map_name}: expected a table")
        canonical = {str(v) for v in vm.BUILTIN_MAPS[map_name].canonical_values}
        for value, labels in values.items():
            if value not in canonical:
                raise SynonymFileError(
                    f"{where}.{map_name}.{value}: not a canonical {map_name} value; "
                    f"use one of {', '.join(sorted(canonical))}"
                )
            for rank, label in enumerate(_strings(labels, f"{where}.{map_name}.{value}")):
                found.append(ValueLabel(map_name, value, label, language.name, rank))
    return found


@dataclass(frozen=True)
class SynonymFile:
    """What one synonyms file says."""

    language: Language
    synonyms: list[Synonym]
    cues: dict[str, list[str]]  # entity (or "raid") -> sheet, table and title words
    issue_types: dict[str, list[str]]  # entity -> Jira issue type names in the language
    labels: list[ValueLabel]


def parse_file(text: str, source: str) -> SynonymFile:
    """One synonyms file: its language, header synonyms, cues and issue type names by
    entity, and value labels."""
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SynonymFileError(f"{source}: {exc}") from None
    unknown = set(data) - _TOP_KEYS - set(ENTITY_TYPES)
    if unknown:
        raise SynonymFileError(f"{source}: unknown tables {', '.join(sorted(unknown))}")
    head = data.get("head", "last")
    if head not in ("first", "last") or not isinstance(data.get("language"), str):
        raise SynonymFileError(f"{source}: needs language = '..' and head = 'first' or 'last'")
    language = Language(
        data["language"],
        str(data.get("name", data["language"])),
        head,
        bool(data.get("compounds", False)),
        frozenset(key_of(w) for w in data.get("stopwords", [])),
    )
    synonyms = _field_table(data.get("common", {}), None, language, f"{source}: common")
    for entity in ENTITY_TYPES:
        if entity in data:
            synonyms += _field_table(data[entity], entity, language, f"{source}: {entity}")
    cues: dict[str, list[str]] = {}
    for entity, words in data.get("cues", {}).items():
        if entity != "raid" and entity not in ENTITY_TYPES:
            raise SynonymFileError(f"{source}: cues.{entity}: not an entity type (or 'raid')")
        cues[entity] = _strings(words, f"{source}: cues.{entity}")
    issue_types: dict[str, list[str]] = {}
    for entity, names in data.get("issue_types", {}).items():
        if entity not in ENTITY_TYPES:
            raise SynonymFileError(f"{source}: issue_types.{entity}: not an entity type")
        issue_types[entity] = _strings(names, f"{source}: issue_types.{entity}")
    labels = _value_table(data.get("values", {}), language, f"{source}: values")
    return SynonymFile(language, synonyms, cues, issue_types, labels)


def edits(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps
    of neighbours ("Rejcted" is one swap from "Rejected")."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


__all__ = [
    "OWN_ID",
    "Language",
    "Synonym",
    "SynonymFile",
    "SynonymFileError",
    "ValueLabel",
    "edits",
    "is_cjk",
    "key_of",
    "label_key",
    "parse_file",
    "tokens",
]
