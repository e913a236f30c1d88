"""The canonical PMO model, value maps, declarative mappings and configuration.

The bottom layer of pmo-sync: it depends on nothing else in the project, and
connectors, sync and the add-in all speak its records.
"""

from mappings.config import Config, JiraSite, SyncPair, SyncSettings, load_config, parse_config
from mappings.errors import (
    ConfigError,
    EmbeddedSecretError,
    MappingFileError,
    MappingsError,
    Problem,
    RecordValidationError,
    UnknownValueError,
)
from mappings.mapping import (
    EntityMapping,
    FieldMapping,
    MappingSpec,
    builtin_mapping_names,
    load_mapping,
    parse_mapping,
)
from mappings.model import (
    ENTITY_TYPES,
    Action,
    Assumption,
    ChangeRequest,
    DecisionRecord,
    Dependency,
    Project,
    RaidIssue,
    Record,
    Risk,
    WorkItem,
    build_record,
)
from mappings.scoring import DEFAULT_THRESHOLDS, RiskLevelThresholds, risk_score
from mappings.values import BUILTIN_MAPS, ValueMap

__all__ = [
    "BUILTIN_MAPS",
    "DEFAULT_THRESHOLDS",
    "ENTITY_TYPES",
    "Action",
    "Assumption",
    "ChangeRequest",
    "Config",
    "ConfigError",
    "DecisionRecord",
    "Dependency",
    "EmbeddedSecretError",
    "EntityMapping",
    "FieldMapping",
    "JiraSite",
    "MappingFileError",
    "MappingSpec",
    "MappingsError",
    "Problem",
    "Project",
    "RaidIssue",
    "Record",
    "RecordValidationError",
    "Risk",
    "RiskLevelThresholds",
    "SyncPair",
    "SyncSettings",
    "UnknownValueError",
    "ValueMap",
    "WorkItem",
    "build_record",
    "builtin_mapping_names",
    "load_config",
    "load_mapping",
    "parse_config",
    "parse_mapping",
    "risk_score",
]
