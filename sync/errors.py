"""Errors of the sync engine, each saying what the user must do next.

SyncError
└── StateStoreError   the state store cannot be opened, migrated or updated
"""


class SyncError(Exception):
    """Base class of the sync engine's errors."""


class StateStoreError(SyncError):
    """The state store is unusable (corrupt, from a newer version, missing a record)."""


class MassChangeRefused(SyncError):
    """One side suddenly lost most of its synced records; the cycle was not run."""
