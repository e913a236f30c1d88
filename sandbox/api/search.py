"""Search: Cloud's ``search/jql`` (token paging, no total) and approximate count, and Data
Center's legacy ``search`` (``startAt``/``total``). Cloud answers the legacy endpoint with 410.

Results come from the store's indexes narrowed by the query's project/type/key clauses, and
the ordered id list is cached per (query, user, store generation, minute), so later pages are
slices rather than new scans. Search sees recently written issues with a lag when the store
is configured with one (eventual consistency), except those named in ``reconcileIssues``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from typing import Any

from sandbox import permissions, render
from sandbox.api.issues import issue_payload
from sandbox.app import App, Request, route
from sandbox.errors import JiraError
from sandbox.jql import JqlError, compile_query, parse
from sandbox.jql.evaluate import Env
from sandbox.model import Issue
from sandbox.serialize import max_properties, split_param

UNBOUNDED = (
    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
)
GONE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at "
    "https://developer.atlassian.com/changelog/#CHANGE-2046"
)
CLOUD_MAX_WITH_FIELDS = 100
CLOUD_MAX_IDS_ONLY = 5000
DC_MAX = 1000
RECONCILE_MAX = 50
_CACHE_ENTRIES = 64
_JITTER = random.Random(20261204)  # the approximate count's noise, reproducible


def matching_issues(
    app: App, req: Request, jql: str, *, bounded: bool, reconcile: set[int] | None = None
) -> list[Issue]:
    """Run a JQL query for the requesting user; 400 with Jira's message if it is invalid."""
    store = app.store
    try:
        query = parse(jql)
        if bounded and not query.bounded:
            raise JiraError(400, UNBOUNDED)
        now_ms = int(store.clock() * 1000)
        me, cat = req.me, store.catalog

        def can_see(visibility: dict[str, str] | None, project_id: str) -> bool:
            return permissions.can_see(cat, me, visibility, project_id)

        env = Env(cat, store.find, me.username, app.tz, now_ms, can_see)
        compiled = compile_query(query, env)
    except JqlError as err:
        raise JiraError(400, err.message) from None
    cache_key = None
    if store.search_lag <= 0:
        cache_key = (
            jql,
            req.me.username,
            tuple(sorted(reconcile or ())),
            store.generation,
            now_ms // 60_000,
        )
        cached = app.result_cache.get(cache_key)
        if cached is not None:
            return cached
    narrow = compiled.narrowing
    if "id" in narrow:
        candidates: set[int] = {int(i) for i in narrow["id"]}
    else:
        sets: list[set[int]] = []
        if "project" in narrow:
            sets.append(set().union(*(store.ids_in_project(p) for p in narrow["project"])))
        if "issuetype" in narrow:
            sets.append(set().union(*(store.ids_of_type(t) for t in narrow["issuetype"])))
        since = compiled.updated_from
        if since is not None and store.search_lag <= 0:
            # Worth it only when selective: the usual incremental "updated >= last sync".
            recent = store.count_updated_since(since)
            if not sets or recent < min(len(x) for x in sets) // 4:
                sets.append(store.ids_updated_since(since))
        sets.sort(key=len)
        candidates = set.intersection(*sets) if sets else set(store.all_ids())
    if store.search_lag > 0:
        candidates |= store.search_candidates() - set(store.issues)
    view = store.search_view(reconcile)
    predicate = compiled.predicate
    if store.search_lag <= 0 and "id" not in narrow and narrow:
        # Candidates come straight from the project/type indexes: skip those clauses.
        predicate = compiled.residual
    matched = [
        issue
        for issue_id in sorted(candidates, reverse=True)
        if (issue := view(issue_id)) is not None and (predicate is None or predicate(issue))
    ]
    compiled.order(matched, presorted=True)
    if cache_key is not None:
        if len(app.result_cache) >= _CACHE_ENTRIES:
            app.result_cache.clear()
        app.result_cache[cache_key] = matched
    return matched


def _jql(params: dict[str, Any]) -> str:
    jql = params.get("jql")
    if jql is not None and not isinstance(jql, str):
        raise JiraError(400, "'jql' must be a string.")
    return jql or ""


def _token(jql: str, offset: int) -> str:
    digest = hashlib.sha1(jql.encode(), usedforsecurity=False).hexdigest()[:12]
    raw = json.dumps({"o": offset, "q": digest}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset(token: str | None, jql: str) -> int:
    if not token:
        return 0
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded))
        digest = hashlib.sha1(jql.encode(), usedforsecurity=False).hexdigest()[:12]
        if data["q"] != digest:
            raise ValueError
        return int(data["o"])
    except (ValueError, KeyError, TypeError):
        raise JiraError(400, "The provided next page token is invalid or expired.") from None


def _names_schema(
    app: App, req: Request, fields: list[str] | None, expand: set[str]
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    cat = app.store.catalog
    chosen = fields or []
    if "names" in expand:
        out["names"] = {f: cat.fields[f].name for f in chosen}
    if "schema" in expand:
        out["schema"] = {f: render.schema_json(cat.fields[f]) for f in chosen}
    return out


def _search_jql(app: App, req: Request, params: dict[str, Any]) -> Any:
    if not app.cloud:
        raise JiraError(404, "null for uri: /rest/api/2/search/jql")
    jql = _jql(params)
    fields_req = split_param(params.get("fields"), "fields")
    chosen = app.renderer.select_fields(fields_req, "id")
    expand = {e.lower() for e in split_param(params.get("expand"), "expand")}
    props = max_properties(split_param(params.get("properties"), "properties"))
    reconcile_raw = split_param(params.get("reconcileIssues"), "reconcileIssues")
    if len(reconcile_raw) > RECONCILE_MAX:
        raise JiraError(400, "The maximum number of issues to reconcile is 50.")
    try:
        reconcile = {int(x) for x in reconcile_raw}
        max_results = int(params.get("maxResults") or 50)
    except (TypeError, ValueError):
        raise JiraError(400, "maxResults and reconcileIssues must be numbers.") from None
    cap = CLOUD_MAX_IDS_ONLY if not chosen and not props else CLOUD_MAX_WITH_FIELDS
    size = min(max(max_results, 1), cap)
    token = params.get("nextPageToken")
    offset = _offset(token if isinstance(token, str) else str(token) if token else None, jql)
    matched = matching_issues(app, req, jql, bounded=True, reconcile=reconcile)
    page = matched[offset : offset + size]
    per_issue_expand = expand - {"names", "schema"}
    issues = [
        issue_payload(app, req, i, fields_req or ["id"], per_issue_expand, props, "id")
        for i in page
    ]
    out: dict[str, Any] = {"issues": issues}
    is_last = offset + size >= len(matched)
    if not is_last:
        out["nextPageToken"] = _token(jql, offset + size)
    out["isLast"] = is_last
    out.update(_names_schema(app, req, chosen, expand))
    return out


@route("GET", "search/jql")
def search_jql_get(app: App, req: Request) -> Any:
    """``GET search/jql`` (Cloud)."""
    params = {
        "jql": req.param("jql"),
        "fields": req.params.get("fields"),
        "expand": req.params.get("expand"),
        "properties": req.params.get("properties"),
        "reconcileIssues": req.params.get("reconcileIssues"),
        "maxResults": req.param("maxResults"),
        "nextPageToken": req.param("nextPageToken"),
    }
    return _search_jql(app, req, params)


@route("POST", "search/jql")
def search_jql_post(app: App, req: Request) -> Any:
    """``POST search/jql`` (Cloud); same parameters in a JSON body."""
    body = req.json()
    if not isinstance(body, dict):
        raise JiraError(400, "The request body must be a JSON object.")
    return _search_jql(app, req, body)


@route("POST", "search/approximate-count")
def approximate_count(app: App, req: Request) -> Any:
    """How many issues a bounded query matches (Cloud)."""
    if not app.cloud:
        raise JiraError(404, "null for uri: /rest/api/2/search/approximate-count")
    body = req.json()
    if not isinstance(body, dict):
        raise JiraError(400, "The request body must be a JSON object.")
    exact = len(matching_issues(app, req, _jql(body), bounded=True))
    jitter = app.store.count_jitter
    if jitter > 0:
        exact = max(0, exact + _JITTER.randint(-jitter, jitter))
    return {"count": exact}


def _legacy(app: App, req: Request, params: dict[str, Any]) -> Any:
    if app.cloud:
        raise JiraError(410, GONE)
    jql = _jql(params)
    fields_req = split_param(params.get("fields"), "fields") or ["*navigable"]
    chosen = app.renderer.select_fields(fields_req, "*navigable")
    expand = {e.lower() for e in split_param(params.get("expand"), "expand")}
    props = split_param(params.get("properties"), "properties")
    try:
        start = int(params.get("startAt") or 0)
        raw_max = params.get("maxResults")
        max_results = 50 if raw_max in (None, "") else int(raw_max)
    except (TypeError, ValueError):
        raise JiraError(400, "startAt and maxResults must be numbers.") from None
    size = min(max(max_results, 0), DC_MAX)
    matched = matching_issues(app, req, jql, bounded=False)
    page = matched[start : start + size]
    per_issue_expand = expand - {"names", "schema"}
    out: dict[str, Any] = {
        "expand": "schema,names",
        "startAt": start,
        "maxResults": size,
        "total": len(matched),
        "issues": [
            issue_payload(app, req, i, fields_req, per_issue_expand, props, "*navigable")
            for i in page
        ],
    }
    out.update(_names_schema(app, req, chosen, expand))
    return out


@route("GET", "search")
def legacy_get(app: App, req: Request) -> Any:
    """Legacy ``GET search``: Data Center only; Cloud removed it (410 Gone)."""
    params = {
        k: (v if k in ("fields", "expand", "properties") else v[0]) for k, v in req.params.items()
    }
    return _legacy(app, req, params)


@route("POST", "search")
def legacy_post(app: App, req: Request) -> Any:
    """Legacy ``POST search``: Data Center only; Cloud removed it (410 Gone)."""
    if app.cloud:
        raise JiraError(410, GONE)
    body = req.json()
    if not isinstance(body, dict):
        raise JiraError(400, "The request body must be a JSON object.")
    return _legacy(app, req, body)
