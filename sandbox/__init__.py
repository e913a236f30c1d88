"""A faithful local Jira-compatible REST server for demos, training and end-to-end tests.

Written from Atlassian's published REST description (OpenAPI v3) and independent of the
product's Jira client code, so the two cannot share a misunderstanding. Start one with
``running_sandbox()`` in tests or ``main()`` from the command line.
"""

from __future__ import annotations

from sandbox.app import Credentials
from sandbox.cli import main
from sandbox.faults import Fault, Faults
from sandbox.server import LogEntry, SandboxServer, running_sandbox
from sandbox.store import Store

__all__ = [
    "Credentials",
    "Fault",
    "Faults",
    "LogEntry",
    "SandboxServer",
    "Store",
    "main",
    "running_sandbox",
]
