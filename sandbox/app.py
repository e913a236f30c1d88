"""The request pipeline, independent of sockets: auth, routing, Jira-shaped errors.

``App.handle`` takes a parsed request and returns a ``Response``; the HTTP server wraps it
with faults and the request log. Routes are registered by the ``api`` modules with a path
pattern relative to ``/rest/api/{2|3|latest}/``.
"""

from __future__ import annotations

import base64
import json
import re
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sandbox import render
from sandbox.errors import JiraError
from sandbox.model import User
from sandbox.serialize import IssueRenderer
from sandbox.store import Store

_API_PREFIX = re.compile(r"^/rest/api/(2|3|latest)/(.*)$")
_SESSION = re.compile(r"^/rest/auth/(1|latest)/session/?$")
UNAUTHORISED = "You are not authenticated. Authentication required to perform this operation."


@dataclass
class Request:
    """One API request after parsing."""

    method: str
    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]
    raw_body: bytes = b""
    api: str = "2"
    groups: tuple[str, ...] = ()
    user: User | None = None

    def param(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter."""
        vals = self.params.get(name)
        return vals[0] if vals else default

    def param_list(self, name: str) -> list[str]:
        """All values of a query parameter (repeated or comma-separated)."""
        out: list[str] = []
        for v in self.params.get(name, []):
            out.extend(p.strip() for p in v.split(",") if p.strip())
        return out

    def int_param(self, name: str, default: int) -> int:
        """An integer query parameter, 400 if it is not one."""
        raw = self.param(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise JiraError(400, f"The value '{raw}' for '{name}' is not a valid number.") from None

    def json(self) -> Any:
        """The JSON body, or Jira's 400 for malformed JSON."""
        if not self.raw_body:
            return {}
        try:
            return json.loads(self.raw_body)
        except ValueError:
            raise JiraError(
                400, "Unexpected character in the request body: invalid JSON."
            ) from None

    @property
    def me(self) -> User:
        """The authenticated user (routes other than public ones always have one)."""
        assert self.user is not None
        return self.user


@dataclass
class Response:
    """What to send back: status, JSON (or nothing) and extra headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        """The body as bytes (empty for no body)."""
        if self.body is None:
            return b""
        return json.dumps(self.body, separators=(",", ":")).encode()


Handler = Callable[["App", Request], Response | Any]


@dataclass(frozen=True)
class Route:
    """A method + path pattern and its handler."""

    method: str
    pattern: re.Pattern[str]
    handler: Handler
    public: bool = False


ROUTES: list[Route] = []


def route(method: str, pattern: str, *, public: bool = False) -> Callable[[Handler], Handler]:
    """Register a handler for ``METHOD pattern`` (pattern relative to /rest/api/N/)."""

    def deco(fn: Handler) -> Handler:
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "/?$")
        ROUTES.append(Route(method, regex, fn, public))
        return fn

    return deco


@dataclass
class Credentials:
    """What a client needs to log in: email + API token (Cloud) or a PAT (Data Center).

    Data Center also takes Basic auth with ``username`` + ``password``. The ``viewer_*``
    fields log in the read-only user (browse only), to test what a client does when Jira
    refuses a write.
    """

    email: str | None = None
    api_token: str | None = None
    token: str | None = None
    username: str | None = None
    password: str | None = None
    viewer_email: str | None = None
    viewer_api_token: str | None = None
    viewer_token: str | None = None
    viewer_username: str | None = None
    viewer_password: str | None = None


class App:
    """Everything a handler can reach: the store, the deployment mode, rendering, auth."""

    def __init__(self, store: Store, mode: str, timezone: str, base_url: str = "") -> None:
        if mode not in ("cloud", "datacenter"):
            raise ValueError(f"mode must be 'cloud' or 'datacenter', not {mode!r}")
        self.store = store
        self.mode = mode
        self.tz = ZoneInfo(timezone)
        self.base_url = base_url
        self.basic_tokens: dict[tuple[str, str], str] = {}  # (email, api token) -> username
        self.bearer_tokens: dict[str, str] = {}  # PAT -> username
        self.passwords: dict[tuple[str, str], str] = {}  # (username, password) -> username
        self.renderer = IssueRenderer(self.ctx, lambda ident: self.store.find(ident))
        self.result_cache: dict[Any, Any] = {}

    @property
    def cloud(self) -> bool:
        """True when serving as Jira Cloud."""
        return self.mode == "cloud"

    def set_timezone(self, name: str) -> None:
        """Switch the users' time zone; rendered payloads carry it, so drop cached ones."""
        self.tz = ZoneInfo(name)
        self.renderer.clear_cache()
        self.result_cache.clear()

    def ctx(self, api: str) -> render.Ctx:
        """Rendering context for an API version (``latest`` is v2, as on Jira)."""
        return render.Ctx(self.base_url, self.mode, self.store.catalog, self.tz, api)

    # -- auth ---------------------------------------------------------------------------------
    def grant(self, username: str, secret: str) -> None:
        """Let ``username`` authenticate with ``secret`` (API token or PAT by mode)."""
        user = self.store.catalog.users[username]
        self.basic_tokens[(user.email.lower(), secret)] = username
        self.bearer_tokens[secret] = username

    def grant_password(self, username: str, password: str) -> None:
        """Let ``username`` log in with Basic username + password (Data Center only)."""
        user = self.store.catalog.users[username]
        self.passwords[(user.username.lower(), password)] = username

    def authenticate(self, headers: dict[str, str]) -> User | None:
        """The user behind the Authorization header; None if absent; 401 if wrong."""
        auth = headers.get("authorization")
        if not auth:
            return None
        scheme, _, value = auth.partition(" ")
        username: str | None = None
        if scheme.lower() == "basic":
            try:
                login, _, secret = base64.b64decode(value).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                raise JiraError(401, UNAUTHORISED) from None
            if self.cloud:  # email + API token
                username = self.basic_tokens.get((login.lower(), secret))
            else:  # Data Center: username + password (PATs go as Bearer)
                username = self.passwords.get((login.lower(), secret))
        elif not self.cloud and scheme.lower() == "bearer":
            username = self.bearer_tokens.get(value.strip())
        if username is None:
            raise JiraError(401, UNAUTHORISED)
        return self.store.catalog.users[username]

    def _session(self, req: Request) -> dict[str, Any]:
        """``/rest/auth/1/session``: what ``JIRA(validate=True)`` reads to check a login."""
        user = self.authenticate(req.headers)
        if user is None:
            raise JiraError(401, UNAUTHORISED)
        ctx = self.ctx("2")
        return {
            "self": ctx.rest(f"user?username={user.username}")
            if not self.cloud
            else ctx.rest(f"user?accountId={user.account_id}"),
            "name": user.username if not self.cloud else user.email,
            "loginInfo": {"failedLoginCount": 0, "loginCount": 1},
        }

    # -- dispatch -----------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        """Authenticate, route and run a request; every failure becomes a Jira error body."""
        try:
            return self._dispatch(req)
        except JiraError as err:
            return Response(err.status, err.body(), err.headers)
        except Exception as exc:  # a sandbox bug: answer 500 like Jira, keep the traceback
            traceback.print_exc(file=sys.stderr)
            body = JiraError(500, f"Internal server error: {type(exc).__name__}: {exc}").body()
            return Response(500, body)

    def _dispatch(self, req: Request) -> Response:
        if req.method == "GET" and _SESSION.match(req.path):
            return Response(200, self._session(req))
        m = _API_PREFIX.match(req.path)
        if not m:
            raise JiraError(404, "Not Found")
        req.api = "2" if m.group(1) == "latest" else m.group(1)
        rest = m.group(2)
        allowed_methods = []
        for r in ROUTES:
            match = r.pattern.match(rest)
            if not match:
                continue
            if r.method != req.method:
                allowed_methods.append(r.method)
                continue
            req.user = self.authenticate(req.headers)
            if req.user is None and not r.public:
                raise JiraError(401, UNAUTHORISED)
            req.groups = tuple(match.groups())
            with self.store.lock:
                result = r.handler(self, req)
            return result if isinstance(result, Response) else Response(200, result)
        if allowed_methods:
            raise JiraError(405, f"Method {req.method} is not allowed here.")
        raise JiraError(404, "Not Found")
