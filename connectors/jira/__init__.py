"""Jira connector: canonical PMO records over Jira's REST API (Cloud and Data Center)."""

from connectors.jira.errors import JiraAuthError, JiraError, JiraUnreachable, UnknownJiraField
from connectors.jira.fields import FieldCatalog, JiraField
from connectors.jira.session import connect

__all__ = [
    "FieldCatalog",
    "JiraAuthError",
    "JiraError",
    "JiraField",
    "JiraUnreachable",
    "UnknownJiraField",
    "connect",
]
