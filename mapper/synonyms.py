"""Header, cue and value-label knowledge in every language pmo-sync ships, as one index.

The knowledge itself is data (``mappings/synonyms/<lang>.toml``, format in the README
there), so a PMO can add the words its trackers use without touching code. This module
loads the files once (``mapper.synonym_files`` checks each against the canonical model;
one label meaning two values of a map, across all files, fails loudly here), and answers
three questions: which fields a header may mean, which entity a sheet, table or
title names, and which canonical value a label has in some language.

Comparison is on a *key*: Unicode NFKC (full-width "Ｒｉｓｋ" is "Risk", "①" is "1"),
Latin accents dropped ("Echeance" is "Échéance"), case folded, numbering ("1.", "(2)")
and punctuation removed, spaces ignored. Parenthesised parts ("(%)", "(days)", "(Y/N)")
are tried with and without. A header that no synonym equals may still *contain* one
(CJK "风险描述说明" contains "风险描述"; "Risk Owner Name" contains "Risk Owner"; German
"Projektrisikobeschreibung" ends with "Risikobeschreibung") or be a spelling variant
("Probabilty"); both score lower than an exact match, by how much of the header they
explain.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from mapper.synonym_files import (
    OWN_ID,
    Language,
    Synonym,
    SynonymFileError,
    ValueLabel,
    edits,
    is_cjk,
    key_of,
    label_key,
    parse_file,
    tokens,
)
from mappings import values as vm

IDENTITY = ("key", "sync_id")
RAID_ENTITIES = ("risk", "raid_issue", "assumption", "dependency", "action", "decision")
"""What a "RAID log" cue may hold: risks, assumptions, issues, dependencies (and the
actions and decisions most RAID logs also track)."""

# Scores (0..1) of a header match; classify.py documents how they become confidences.
EXACT = 1.0  # the header is a synonym listed for this entity type
EXACT_COMMON = 0.95  # ... listed under [common]: any entity with the field
WEAK = 0.8  # listed under [ENTITY.weak]: usually this field, yields to an outright one
WEAK_COMMON = 0.75
STRIPPED = 0.97  # matched only once a parenthesised part was removed ("Impact (1-5)")
INSIDE = 0.9  # matched by the parenthesised part alone ("Budget (BAC)" -> BAC)
CONTAINS_BASE, CONTAINS_SPAN, HEAD_BONUS = 0.55, 0.3, 0.05
FUZZY_FACTOR, FUZZY_CUTOFF = 0.85, 0.85
CUE_EXACT, CUE_CONTAINS, CUE_EMBEDDED, RAID_SHARE = 1.0, 0.8, 0.7, 0.6

_FOLDER = "synonyms"
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_CACHE_SIZE = 20_000


@dataclass(frozen=True)
class HeaderMatch:
    """One field a header may mean, and how well the header says so."""

    entity: str | None  # None: any entity that has the field
    field: str
    score: float
    how: str  # "exact", "weak", "contains", "fuzzy"
    synonym: Synonym

    def describe(self, header: str) -> str:
        """The match in words: "header '概率' means probability in Chinese (simplified)"."""
        lang = self.synonym.language.name
        if self.field == OWN_ID and self.how == "exact":
            return f"header {header!r} is the tracker's own numbering ({lang})"
        if self.field == "key" and self.synonym.entity == "project" and self.how == "exact":
            return f"header {header!r} is the project's Jira key ({lang})"
        if self.field in IDENTITY and self.how == "exact":
            column = "Jira Key" if self.field == "key" else "Sync ID"
            return f"header {header!r} is pmo-sync's {column} column ({lang})"
        if self.how in ("exact", "weak"):
            said = "" if key_of(header) == self.synonym.key else f" ({self.synonym.text!r})"
            usually = " usually" if self.how == "weak" else ""
            return f"header {header!r}{said}{usually} means {self.field} in {lang}"
        if self.how == "contains":
            return f"header {header!r} contains {self.synonym.text!r} ({self.field}, {lang})"
        return f"header {header!r} is close to {self.synonym.text!r} ({self.field}, {lang})"


@dataclass(frozen=True)
class CueMatch:
    """Evidence that a sheet, table or title names an entity type."""

    score: float
    cue: str
    language: str


def _variants(text: str) -> list[tuple[str, float]]:
    """A header's keys: as written, without parenthesised parts, and those parts alone."""
    text = unicodedata.normalize("NFKC", text)
    found = [(key_of(text), 1.0)]
    stripped = key_of(_PARENS.sub(" ", text))
    if stripped and stripped != found[0][0]:
        found.append((stripped, STRIPPED))
    for inner in _PARENS.findall(text):
        key = key_of(inner[1:-1])
        if len(key) >= 2 and not key.isdigit():
            found.append((key, INSIDE))
    return [(k, s) for k, s in found if k]


class Knowledge:
    """Every language's synonyms, cues and value labels, indexed for lookup."""

    def __init__(self, files: Iterable[tuple[str, str]]) -> None:
        self.languages: list[Language] = []
        self.synonyms: list[Synonym] = []
        self.by_key: dict[str, list[Synonym]] = defaultdict(list)
        self.by_token: dict[str, set[str]] = defaultdict(set)
        self.cues: dict[str, list[tuple[str, str, str]]] = defaultdict(list)  # key -> cues
        self.values: dict[str, dict[str, list[ValueLabel]]] = defaultdict(dict)
        self.issue_types: dict[str, set[str]] = defaultdict(set)  # name key -> entities
        for name, labels in vm.BUILTIN_MAPS.items():
            for canonical, texts in labels.labels.items():
                for rank, text in enumerate((*texts, str(canonical))):
                    self._add_label(ValueLabel(name, str(canonical), text, "built-in", rank), name)
        for source, text in files:
            parsed = parse_file(text, source)
            language, synonyms, cues = parsed.language, parsed.synonyms, parsed.cues
            self.languages.append(language)
            self.synonyms += synonyms
            for synonym in synonyms:
                self.by_key[synonym.key].append(synonym)
                for token in synonym.tokens:
                    self.by_token[token].add(synonym.key)
            for entity, words in cues.items():
                for word in words:
                    self.cues[key_of(_CAMEL.sub(" ", word))].append((entity, word, language.name))
            for entity, names in parsed.issue_types.items():
                for name in names:
                    self.issue_types[key_of(name)].add(entity)
            for label in parsed.labels:
                self._add_label(label, source)
        self._matches: dict[str, tuple[HeaderMatch, ...]] = {}
        self._latin_keys = sorted(k for k in self.by_key if not is_cjk(k) and len(k) >= 5)

    def _add_label(self, label: ValueLabel, source: str) -> None:
        key = label_key(label.label)
        known = self.values[label.map_name].setdefault(key, [])
        clash = next((k for k in known if k.canonical != label.canonical), None)
        if clash is not None:
            raise SynonymFileError(
                f"{source}: {label.map_name} label {label.label!r} means {label.canonical}, "
                f"but {clash.source} has {clash.label!r} for {clash.canonical}"
            )
        known.append(label)

    def match_header(self, header: str) -> tuple[HeaderMatch, ...]:
        """Every field the header may mean, best first (one match per entity and field).

        Answers are kept: a 50-sheet workbook repeats the same few hundred headers."""
        found = self._matches.get(header)
        if found is None:
            if len(self._matches) > _CACHE_SIZE:
                self._matches.clear()
            found = self._matches[header] = _match_header(self, header)
        return found

    def in_language(self, match: HeaderMatch, code: str) -> HeaderMatch:
        """The same match told in another language when that language lists the same
        header for the same field ("N°" is French in a French tracker, not Spanish)."""
        for synonym in self.by_key.get(match.synonym.key, ()):
            if (synonym.language.code, synonym.field, synonym.entity) == (
                code,
                match.field,
                match.synonym.entity,
            ):
                return HeaderMatch(match.entity, match.field, match.score, match.how, synonym)
        return match

    def match_cues(self, text: str | None) -> dict[str, CueMatch]:
        """Entity types a sheet name, table name or title names, with how strongly."""
        return _match_cues(self, text or "")

    def issue_type_entities(self, name: str) -> set[str]:
        """The entity types a Jira issue type of this name holds, in any shipped language
        (a German site's "Risiko", a Chinese site's "风险")."""
        return set(self.issue_types.get(key_of(name), ()))

    def value_labels(self, map_name: str) -> Mapping[str, list[ValueLabel]]:
        """label key -> the labels (built-in first, then each language) of one value map."""
        return self.values[map_name]


def _exact(knowledge: Knowledge, header: str) -> list[HeaderMatch]:
    found = []
    for key, factor in _variants(header):
        for synonym in knowledge.by_key.get(key, ()):
            if synonym.weak:
                base, how = (WEAK if synonym.entity else WEAK_COMMON), "weak"
            else:
                base, how = (EXACT if synonym.entity else EXACT_COMMON), "exact"
            found.append(HeaderMatch(synonym.entity, synonym.field, base * factor, how, synonym))
    return found


def _contained(knowledge: Knowledge, header: str) -> list[HeaderMatch]:
    """Synonyms inside a longer header, scored by how much of it they explain."""
    found = []
    key = key_of(_PARENS.sub(" ", header)) or key_of(header)
    words = tokens(_PARENS.sub(" ", header)) or tokens(header)
    candidates: set[str] = set()
    if is_cjk(key):
        candidates |= {
            key[i:j] for i in range(len(key)) for j in range(i + 2, len(key) + 1)
        } & knowledge.by_key.keys()
    for word in words:
        candidates |= knowledge.by_token.get(word, set())
        candidates |= {word[i:] for i in range(1, len(word) - 4)} & knowledge.by_key.keys()
    candidates.discard(key)
    for candidate in candidates:
        for synonym in knowledge.by_key[candidate]:
            if synonym.weak or synonym.field == OWN_ID:
                continue
            span = _span(synonym, key, words)
            if span is not None:
                score = (CONTAINS_BASE + CONTAINS_SPAN * span[0] + span[1]) * (
                    1.0 if synonym.entity else EXACT_COMMON
                )
                found.append(HeaderMatch(synonym.entity, synonym.field, score, "contains", synonym))
    return found


def _span(synonym: Synonym, key: str, words: list[str]) -> tuple[float, float] | None:
    """(share of the header the synonym covers, head bonus), or None if not inside it."""
    language = synonym.language
    if is_cjk(synonym.key):
        if len(synonym.key) < 2 or synonym.key not in key:
            return None
        at_head = (
            key.endswith(synonym.key) if language.head == "last" else key.startswith(synonym.key)
        )
        return len(synonym.key) / len(key), HEAD_BONUS if at_head else 0.0
    content = [w for w in words if w not in language.stopwords]
    if synonym.tokens and len(synonym.tokens) < len(content):
        size = len(synonym.tokens)
        runs = [tuple(content[i : i + size]) for i in range(len(content) - size + 1)]
        if synonym.tokens in runs:
            index = runs.index(synonym.tokens)
            at_head = index == (len(runs) - 1 if language.head == "last" else 0)
            return size / len(content), HEAD_BONUS if at_head else 0.0
    if language.compounds and len(synonym.key) >= 5 and content:
        for position, word in enumerate(content):
            if word.endswith(synonym.key) and word != synonym.key:
                at_head = position == len(content) - 1
                return len(synonym.key) / len(key), HEAD_BONUS if at_head else 0.0
    return None


def _fuzzy(knowledge: Knowledge, header: str) -> list[HeaderMatch]:
    """Spelling variants of Latin-script synonyms ("Probabilty", "Imapct"): similar by
    difflib's ratio, or one slip of typing away (two from nine letters)."""
    key = key_of(header)
    if len(key) < 5 or is_cjk(key):
        return []
    allowed = 1 if len(key) < 9 else 2
    found = []
    for close in difflib.get_close_matches(key, knowledge._latin_keys, n=6, cutoff=0.7):
        ratio = difflib.SequenceMatcher(None, key, close).ratio()
        slips = edits(key, close)
        if ratio < FUZZY_CUTOFF and slips > allowed:
            continue
        similarity = max(ratio, 1 - slips / len(key))
        for synonym in knowledge.by_key[close]:
            if synonym.weak:
                continue
            score = FUZZY_FACTOR * similarity * (1.0 if synonym.entity else EXACT_COMMON)
            found.append(HeaderMatch(synonym.entity, synonym.field, score, "fuzzy", synonym))
    return found


def _match_header(knowledge: Knowledge, header: str) -> tuple[HeaderMatch, ...]:
    if not key_of(header):
        return ()
    found = _exact(knowledge, header)
    if not any(m.how == "exact" for m in found):
        found += _contained(knowledge, header) + _fuzzy(knowledge, header)
    best: dict[tuple[str | None, str], HeaderMatch] = {}
    for match in found:
        slot = (match.entity, match.field)
        if slot not in best or _rank(match, header) > _rank(best[slot], header):
            best[slot] = match
    return tuple(sorted(best.values(), key=lambda m: (-m.score, m.entity or "", m.field)))


def _literal(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _rank(match: HeaderMatch, header: str) -> tuple[float, bool, bool]:
    """Best score first; among equals, the synonym spelt as the header is (accents
    included), then English: "Status" is reported as English, not as German."""
    literal = _literal(match.synonym.text) == _literal(header)
    return round(match.score, 6), literal, match.synonym.language.code == "en"


def _match_cues(knowledge: Knowledge, text: str) -> dict[str, CueMatch]:
    split = _CAMEL.sub(" ", text)
    key, words = key_of(split), set(tokens(split))
    found: dict[str, CueMatch] = {}
    if not key:
        return found
    for cue_key, cues in knowledge.cues.items():
        cjk = is_cjk(cue_key)
        if cue_key == key:
            score = CUE_EXACT
        elif (cjk and cue_key in key) or (not cjk and set(tokens(cues[0][1])) <= words):
            score = CUE_CONTAINS
        elif not cjk and len(cue_key) >= 5 and cue_key in key:
            score = CUE_EMBEDDED
        else:
            continue
        literal = [c for c in cues if _literal(c[1]) == _literal(text)]
        for entity, word, language in literal + [c for c in cues if c not in literal]:
            targets = RAID_ENTITIES if entity == "raid" else (entity,)
            share = RAID_SHARE if entity == "raid" else 1.0
            for target in targets:
                if target not in found or score * share > found[target].score:
                    found[target] = CueMatch(score * share, word, language)
    return found


@cache
def knowledge() -> Knowledge:
    """The packaged synonyms files, loaded and checked once per process."""
    folder = resources.files("mappings") / _FOLDER
    files = sorted(
        (p.name, p.read_text("utf-8")) for p in folder.iterdir() if p.name.endswith(".toml")
    )
    return Knowledge(files)


def match_header(header: str) -> tuple[HeaderMatch, ...]:
    """Every field a header may mean in any shipped language, best first."""
    return knowledge().match_header(header)


def match_cues(text: str | None) -> dict[str, CueMatch]:
    """Entity types a sheet name, table name or title names (shipped languages)."""
    return knowledge().match_cues(text)


__all__ = [
    "IDENTITY",
    "OWN_ID",
    "RAID_ENTITIES",
    "CueMatch",
    "HeaderMatch",
    "Knowledge",
    "Language",
    "Synonym",
    "SynonymFileError",
    "ValueLabel",
    "is_cjk",
    "key_of",
    "knowledge",
    "label_key",
    "match_cues",
    "match_header",
    "parse_file",
]
