"""Jira connector: canonical PMO records over Jira's REST API (Cloud and Data Center).

Typical use: ``site = open_configured_site(config_site)``, then ``JiraReader(site, spec)``
to read records and ``JiraWriter(site, spec)`` to update, move and create them.
"""

from connectors.jira.errors import JiraAuthError, JiraError, JiraUnreachable, UnknownJiraField
from connectors.jira.fields import FieldCatalog, JiraField
from connectors.jira.reader import IssueProblem, JiraReader, ReadResult
from connectors.jira.retry import RetryPolicy
from connectors.jira.session import connect
from connectors.jira.site import JiraSiteContext, open_configured_site, open_site
from connectors.jira.transitions import StatusUnreachable
from connectors.jira.transport import JiraHttp, JiraRequestError
from connectors.jira.users import UnknownJiraUser
from connectors.jira.writer import JiraWriter, WriteOutcome

__all__ = [
    "FieldCatalog",
    "IssueProblem",
    "JiraAuthError",
    "JiraError",
    "JiraField",
    "JiraHttp",
    "JiraReader",
    "JiraRequestError",
    "JiraSiteContext",
    "JiraUnreachable",
    "JiraWriter",
    "ReadResult",
    "RetryPolicy",
    "StatusUnreachable",
    "UnknownJiraField",
    "UnknownJiraUser",
    "WriteOutcome",
    "connect",
    "open_configured_site",
    "open_site",
]
