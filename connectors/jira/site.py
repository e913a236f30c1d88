"""What the connector learns about a site once per run: fields, time zone, users.

The field catalogue and the API user's time zone change rarely, so they are fetched once
(two requests) and shared by the reader and the writer; every later read or write pays
only for its own data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jira import JIRA

from connectors.jira.fields import FieldCatalog
from connectors.jira.links import LinkTypes
from connectors.jira.options import FieldOptions
from connectors.jira.permissions import Permissions
from connectors.jira.retry import RetryPolicy
from connectors.jira.session import connect
from connectors.jira.transport import JiraHttp
from connectors.jira.users import UserDirectory
from connectors.jira.values import ValueConverter
from mappings.config import JiraSite

PROPERTY_KEY = "pmo-sync"


@dataclass
class JiraSiteContext:
    """A connected site with its cached metadata."""

    http: JiraHttp
    deployment: Literal["cloud", "datacenter"]
    catalog: FieldCatalog
    time_zone: ZoneInfo
    users: UserDirectory
    converter: ValueConverter
    account: str = "the sync account"
    options: FieldOptions = field(init=False)
    links: LinkTypes = field(init=False)
    permissions: Permissions = field(init=False)

    def __post_init__(self) -> None:
        self.options = FieldOptions(self.http)
        self.links = LinkTypes(self.http)  # fetched on first use: most mappings have no links
        self.permissions = Permissions(self.http)

    @property
    def search_path(self) -> str:
        """Cloud removed the legacy search (410 Gone); Data Center only has it."""
        return "search/jql" if self.deployment == "cloud" else "search"


def open_site(
    client: JIRA,
    deployment: Literal["cloud", "datacenter"],
    policy: RetryPolicy | None = None,
) -> JiraSiteContext:
    """Fetch the metadata (GET field, GET myself) and build the shared helpers."""
    http = JiraHttp(client, policy)
    catalog = FieldCatalog(http.get("field"))
    me = http.get("myself") or {}
    try:
        zone = ZoneInfo(str(me.get("timeZone") or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    users = UserDirectory(http, deployment)
    account = str(me.get("emailAddress") or me.get("name") or me.get("displayName") or "")
    return JiraSiteContext(
        http, deployment, catalog, zone, users, ValueConverter(users), account or "the sync account"
    )


def open_configured_site(site: JiraSite, policy: RetryPolicy | None = None) -> JiraSiteContext:
    """Connect with the configured credentials (jira's own retries off) and open the site."""
    client, deployment = connect(site)
    return open_site(client, deployment, policy)
