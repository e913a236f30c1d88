"""Does a [[pair]] fit its mapping? One answer for `pmo-sync check`, `sync` and `daemon`.

The configuration file can be validated on its own, but `entities` and the keys of
`conflict_policy` name things that only the pair's mapping defines (a mapping is a
separate file, possibly edited after the configuration). A misspelt name used to match
nothing: `entities = ["unicorn"]` synced nothing and reported success, and a policy for
`"risk.nosuchfield"` silently never applied. Both are refused here, with the names that
would have been valid, so the user can correct the spelling in one pass.
"""

from __future__ import annotations

from mappings.config import SyncPair
from mappings.errors import PairMappingError, Problem
from mappings.mapping import EntityMapping, FieldMapping, MappingSpec
from mappings.model import ENTITY_TYPES


def policy_fields(entity: EntityMapping) -> list[str]:
    """Fields a conflict policy can apply to: synced both ways, so both sides can edit
    them and disagree. Derived fields (a risk's score) are computed on each side and
    never compared; a one-way field always takes its owner's value."""
    derived = ENTITY_TYPES[entity.type].derived_fields if entity.type in ENTITY_TYPES else ()
    return [
        f.name
        for f in entity.fields
        if f.excel and f.jira and f.direction == "both" and f.name not in derived
    ]


def _names(names: list[str]) -> str:
    return ", ".join(names) if names else "none"


def _why_no_policy(entity: EntityMapping, mapped: FieldMapping, mapping: MappingSpec) -> str | None:
    """Why a policy for this mapped field could never be used, or None when it can."""
    derived = ENTITY_TYPES[entity.type].derived_fields if entity.type in ENTITY_TYPES else ()
    if mapped.name in derived:
        return (
            f"{entity.type}.{mapped.name} is computed on each side from other fields, never "
            "synced, so it is never in conflict"
        )
    if not mapped.excel or not mapped.jira:
        missing = "no Excel column" if not mapped.excel else "no Jira field"
        return (
            f"{entity.type}.{mapped.name} is not synced both ways: mapping {mapping.name} "
            f"gives it {missing}, so the two sides can never disagree about it"
        )
    if mapped.direction != "both":
        owner = "Jira" if mapped.direction == "jira-to-excel" else "Excel"
        return (
            f"{entity.type}.{mapped.name} has direction = {mapped.direction!r} in mapping "
            f"{mapping.name}: {owner}'s value always wins, so a policy has no effect"
        )
    return None


def pair_problems(pair: SyncPair, mapping: MappingSpec) -> list[Problem]:
    """Every way ``pair`` asks for something ``mapping`` does not have, each naming
    what it does have; locations are keys of the pair's [[pair]] table."""
    problems: list[Problem] = []
    known = [e.type for e in mapping.entities]
    unknown = [name for name in pair.entities or () if name not in known]
    if unknown:
        problems.append(
            Problem(
                "entities",
                f"{_names([repr(n) for n in unknown])} not in mapping {mapping.name}; "
                f"its entities: {_names(known)}",
            )
        )
    synced = [name for name in known if not pair.entities or name in pair.entities]
    for key in pair.conflict_policy:
        at = f'conflict_policy."{key}"'
        entity_name, _, field_name = key.partition(".")
        if entity_name not in known:
            problems.append(
                Problem(
                    at,
                    f"no entity {entity_name!r} in mapping {mapping.name}; write "
                    f"'ENTITY' or 'ENTITY.FIELD' with one of its entities: {_names(known)}",
                )
            )
            continue
        if entity_name not in synced:
            problems.append(
                Problem(
                    at,
                    f"{entity_name} is not synced by this pair (entities = "
                    f"{_names(list(pair.entities or ()))}); remove the policy or add "
                    f"{entity_name!r} to entities",
                )
            )
            continue
        entity = mapping.entity(entity_name)
        valid = policy_fields(entity)
        if entity.jira is None:
            problems.append(
                Problem(
                    at,
                    f"{entity_name} is kept only in the workbook (no Jira side in mapping "
                    f"{mapping.name}), so it has no conflicts to decide; remove the policy",
                )
            )
            continue
        if not field_name:
            continue
        try:
            mapped = entity.field(field_name)
        except KeyError:
            model = ENTITY_TYPES.get(entity_name)
            if model is not None and field_name in model.model_fields:
                what = f"mapping {mapping.name} does not map {entity_name}.{field_name}"
            else:
                what = f"{entity_name} has no field {field_name!r}"
            problems.append(Problem(at, f"{what}; fields a policy can name: {_names(valid)}"))
            continue
        why = _why_no_policy(entity, mapped, mapping)
        if why:
            problems.append(Problem(at, f"{why}; fields a policy can name: {_names(valid)}"))
    return problems


def check_pair(pair: SyncPair, mapping: MappingSpec) -> None:
    """Refuse a pair that does not fit its mapping (raise PairMappingError)."""
    problems = pair_problems(pair, mapping)
    if problems:
        raise PairMappingError(f"pair {pair.name} (mapping {mapping.name})", problems)
