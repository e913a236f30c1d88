"""Opening a `jira.JIRA` client for a configured site, Cloud or Data Center.

The jira library's own retrying session is switched off (max_retries=0): its 429
back-off can be shorter than Retry-After, and the connector owns one retry policy.
"""

from __future__ import annotations

from typing import Literal

import requests
from jira import JIRA, JIRAError

from connectors.jira.errors import JiraAuthError, JiraError, JiraUnreachable
from mappings.config import JiraSite

Deployment = Literal["cloud", "datacenter"]


def describe_http_error(error: JIRAError, url: str) -> JiraError:
    """Turn a JIRAError into a message that says what to fix (never echoing the token)."""
    status = error.status_code
    if status == 401:
        return JiraAuthError(
            f"{url} refused the credentials (401): check the email and the token in the "
            "environment variable or keyring entry named in the config"
        )
    if status == 403:
        return JiraAuthError(
            f"{url} refused access (403): the account lacks permission (browse/edit the "
            "projects in scope), or the site requires a CAPTCHA login first"
        )
    return JiraError(f"{url} answered {status}: {error.text}")


def connect(site: JiraSite) -> tuple[JIRA, Deployment]:
    """A client for the site and its deployment type (configured, or from serverInfo)."""
    token = site.token().get_secret_value()
    options = {"server": site.url, "verify": site.verify_tls, "check_update": False}
    try:
        if site.username:  # Data Center with a username and password (Basic auth)
            client = JIRA(
                options=options,
                basic_auth=(site.username, token),
                max_retries=0,
                timeout=site.timeout_seconds,
            )
        elif site.deployment == "datacenter" or (site.deployment == "auto" and not site.email):
            client = JIRA(
                options=options, token_auth=token, max_retries=0, timeout=site.timeout_seconds
            )
        else:
            client = JIRA(
                options=options,
                basic_auth=(site.email or "", token),
                max_retries=0,
                timeout=site.timeout_seconds,
            )
        info = client.server_info()
    except JIRAError as exc:
        raise describe_http_error(exc, site.url) from None
    except requests.RequestException as exc:
        raise JiraUnreachable(
            f"cannot reach {site.url}: {type(exc).__name__}; check the URL, network or proxy"
        ) from None
    if site.deployment != "auto":
        return client, site.deployment
    return client, "cloud" if info.get("deploymentType") == "Cloud" else "datacenter"
