"""The HTTP server: a threaded stdlib server bound to 127.0.0.1 around ``App``.

It owns what happens on the wire: fault injection (status answers, latency, dropped
connections, responses lost after the write committed) and the request log tests read to
count a client's calls. ``SandboxServer`` is the public handle; ``running_sandbox`` starts
and stops one around a ``with`` block.
"""

from __future__ import annotations

import gc
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

from sandbox import api as _api  # noqa: F401  (importing it registers the REST routes)
from sandbox import persistence
from sandbox.app import App, Credentials, Request, Response
from sandbox.errors import JiraError
from sandbox.faults import Faults
from sandbox.seed import build_catalog
from sandbox.seed.site import API_USER, VIEWER_USER
from sandbox.store import Store

CLOUD_API_TOKEN = "sandbox-token"
DC_PAT = "sandbox-pat"
DC_PASSWORD = "sandbox-password"  # Data Center Basic auth: pmo-bot / sandbox-password
VIEWER_API_TOKEN = "viewer-token"  # the read-only user (Cloud: viewer@example.com)
VIEWER_PAT = "viewer-pat"
VIEWER_PASSWORD = "viewer-password"
# Tomcat's default maxHttpHeaderSize: request line plus headers, in bytes.
MAX_HEADER_BYTES = 8192


@dataclass(frozen=True)
class LogEntry:
    """One request as the server saw it; ``status`` 0 means no response was sent."""

    method: str
    path: str
    query: str
    status: int
    timestamp: float
    fault: str | None = None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer

    def setup(self) -> None:
        """Turn off Nagle: headers and body go out in separate writes, and a keep-alive
        client would otherwise wait for a delayed ACK (~40 ms) on every request."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the stdlib's per-request stderr line; the request log records requests."""

    def _serve(self) -> None:
        self.server.sandbox._serve(self)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr: tuple[str, int], sandbox: SandboxServer) -> None:
        self.sandbox = sandbox
        super().__init__(addr, _Handler)


class SandboxServer:
    """A local Jira-compatible REST server (Cloud or Data Center flavour).

    Args:
        mode: ``"cloud"`` or ``"datacenter"``.
        seed: ``"demo"``, ``"portfolio"`` (seven projects that differ), ``"scale:N"`` or
            None (site configuration only, no issues).
        data_file: JSON file to load state from (if it exists) and save to on ``stop()``.
        host: interface to bind; only loopback is allowed.
        port: TCP port; 0 picks a free one.
        search_lag: seconds during which search still shows an issue's previous version.
        timezone: the users' time zone (JQL dates, timestamps in payloads).
        context_path: serve under this prefix (e.g. ``"/jira"``, as Data Center often runs);
            ``url`` includes it and requests outside it get Tomcat's 404.
        max_header_bytes: request line plus headers larger than this get Tomcat's 400.
        count_jitter: Cloud's ``search/approximate-count`` is approximate: each answer is
            off by a random amount up to this many issues (0: exact), as a real site's
            count lags writes and jitters.
    """

    def __init__(
        self,
        mode: str = "cloud",
        seed: str | None = "demo",
        data_file: str | Path | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        search_lag: float = 0.0,
        timezone: str = "UTC",
        context_path: str = "",
        max_header_bytes: int = MAX_HEADER_BYTES,
        count_jitter: int = 0,
    ) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the sandbox only binds to the loopback interface")
        self.host = "127.0.0.1" if host == "localhost" else host
        self.port = port
        self.mode = mode
        self.context_path = _context_path(context_path)
        self.max_header_bytes = max_header_bytes
        self.data_file = Path(data_file) if data_file else None
        store = None
        if self.data_file and self.data_file.exists():
            store = persistence.load(self.data_file)
        if store is None:
            store = Store(build_catalog(), mode=mode)
            _apply_seed(store, seed)
        store.mode = mode
        store.search_lag = search_lag
        store.count_jitter = count_jitter
        store.prepare_indexes()
        if len(store.issues) > 10_000:
            # Long-lived seed data: keep the cyclic GC from rescanning it on every collection.
            gc.collect()
            gc.freeze()
        self.store = store
        self.app = App(store, mode, timezone)
        self.faults = Faults()
        self.request_log: list[LogEntry] = []
        self._log_lock = threading.Lock()
        self.echo: TextIO | None = None  # a stream to print one line per request to (CLI)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.app.grant(API_USER, CLOUD_API_TOKEN if mode == "cloud" else DC_PAT)
        self.app.grant_password(API_USER, DC_PASSWORD)
        if VIEWER_USER in store.catalog.users:  # absent from states saved before it existed
            self.app.grant(VIEWER_USER, VIEWER_API_TOKEN if mode == "cloud" else VIEWER_PAT)
            self.app.grant_password(VIEWER_USER, VIEWER_PASSWORD)

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> SandboxServer:
        """Bind and serve in a background thread; returns self."""
        self._httpd = _HTTPServer((self.host, self.port), self)
        self.port = self._httpd.server_address[1]
        self.app.base_url = self.url
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="jira-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and persist to ``data_file`` if one was given."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self.data_file is not None:
            self.save()

    def save(self, path: str | Path | None = None) -> None:
        """Write the whole state to ``path`` (default: ``data_file``)."""
        target = Path(path) if path else self.data_file
        if target is None:
            raise ValueError("no data file to save to")
        with self.store.lock:
            persistence.save(self.store, target)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- public surface -----------------------------------------------------------------------
    @property
    def url(self) -> str:
        """Base URL clients use, e.g. ``http://127.0.0.1:54321`` (plus the context path)."""
        return f"http://{self.host}:{self.port}{self.context_path}"

    @property
    def credentials(self) -> Credentials:
        """How the API user (and the read-only ``viewer_*`` user) log in for this mode."""
        users = self.store.catalog.users
        if self.mode == "cloud":
            viewer = users.get(VIEWER_USER)
            return Credentials(
                email=users[API_USER].email,
                api_token=CLOUD_API_TOKEN,
                viewer_email=viewer.email if viewer else None,
                viewer_api_token=VIEWER_API_TOKEN if viewer else None,
            )
        has_viewer = VIEWER_USER in users
        return Credentials(
            token=DC_PAT,
            username=API_USER,
            password=DC_PASSWORD,
            viewer_token=VIEWER_PAT if has_viewer else None,
            viewer_username=VIEWER_USER if has_viewer else None,
            viewer_password=VIEWER_PASSWORD if has_viewer else None,
        )

    @property
    def search_lag(self) -> float:
        """Seconds search lags behind writes."""
        return self.store.search_lag

    @search_lag.setter
    def search_lag(self, seconds: float) -> None:
        self.store.search_lag = seconds

    @property
    def timezone(self) -> str:
        """The users' time zone: timestamps in payloads and JQL dates use it."""
        return str(self.app.tz)

    @timezone.setter
    def timezone(self, name: str) -> None:
        with self.store.lock:
            self.app.set_timezone(name)

    def grant(self, username: str, secret: str) -> None:
        """Let another user log in (email + ``secret`` in Cloud, ``secret`` as PAT in DC)."""
        self.app.grant(username, secret)

    def set_read_only(
        self, *, users: set[str] | None = None, projects: set[str] | None = None
    ) -> None:
        """Deny writes (403) to these usernames and/or project keys."""
        self.store.read_only_users = set(users or ())
        self.store.read_only_projects = set(projects or ())

    def clear_request_log(self) -> None:
        """Forget logged requests."""
        with self._log_lock:
            self.request_log.clear()

    def requests(
        self, method: str | None = None, path_contains: str | None = None
    ) -> list[LogEntry]:
        """Logged requests filtered by method and a path substring."""
        with self._log_lock:
            return [
                e
                for e in self.request_log
                if (method is None or e.method == method)
                and (path_contains is None or path_contains in e.path)
            ]

    # -- request handling -----------------------------------------------------------------------
    def _serve(self, h: _Handler) -> None:
        method = h.command
        parts = urlsplit(h.path)
        if _header_bytes(h) > self.max_header_bytes:
            self._log(method, parts, 400, "header-too-large")
            _tomcat_error(h, 400, "Bad Request")
            return
        if self.context_path:
            inside = parts.path == self.context_path or parts.path.startswith(
                self.context_path + "/"
            )
            if not inside:
                self._log(method, parts, 404, None)
                _tomcat_error(h, 404, "Not Found", close=False)
                return
            parts = parts._replace(path=parts.path[len(self.context_path) :] or "/")
        length = int(h.headers.get("Content-Length") or 0)
        body = h.rfile.read(length) if length else b""
        fault_name: str | None = None
        response: Response | None = None
        for fault, retry_after in self.faults.firing(method, parts.path):
            if fault.kind == "latency":
                time.sleep(fault.latency_ms / 1000)
            elif fault.kind in ("drop", "lost") and fault_name is None:
                fault_name = fault.kind
            elif fault.kind == "status" and response is None and fault_name is None:
                fault_name = f"status:{fault.status}"
                err = JiraError(
                    fault.status,
                    _fault_message(fault.status),
                    headers=fault.headers(self.mode, retry_after),
                )
                response = Response(err.status, err.body(), err.headers)
        if fault_name == "drop":
            self._log(method, parts, 0, fault_name)
            h.close_connection = True
            return
        if response is None:
            headers = {k.lower(): v for k, v in h.headers.items()}
            req = Request(method, parts.path, parse_qs(parts.query), headers, body)
            response = self.app.handle(req)
        if fault_name == "lost":
            self._log(method, parts, 0, fault_name)
            h.close_connection = True
            return
        payload = response.encode()
        # Log before answering so a client that has its response always finds it logged.
        self._log(method, parts, response.status, fault_name)
        h.send_response(response.status)
        if response.body is not None:
            h.send_header("Content-Type", "application/json;charset=UTF-8")
        h.send_header("Content-Length", str(len(payload)))
        for k, v in response.headers.items():
            h.send_header(k, v)
        if response.status == 401:
            h.send_header(
                "WWW-Authenticate", 'Basic realm="sandbox"' if self.mode == "cloud" else "Bearer"
            )
        h.end_headers()
        if payload:
            h.wfile.write(payload)

    def _log(self, method: str, parts: Any, status: int, fault: str | None) -> None:
        entry = LogEntry(method, parts.path, parts.query, status, time.time(), fault)
        with self._log_lock:
            self.request_log.append(entry)
        if self.echo is not None:
            query = f"?{parts.query}" if parts.query else ""
            note = f"  [{fault}]" if fault else ""
            print(
                f"{method:6} {status or '---'} {parts.path}{query}{note}",
                file=self.echo,
                flush=True,
            )


def _context_path(raw: str | None) -> str:
    """Normalise a context path to ``/name`` (or "" for the root)."""
    cleaned = (raw or "").strip().strip("/")
    return f"/{cleaned}" if cleaned else ""


def _header_bytes(h: _Handler) -> int:
    """Bytes of the request line and headers, which Tomcat's maxHttpHeaderSize bounds."""
    size = len(h.raw_requestline)
    for key, value in h.headers.items():
        size += len(key) + len(value) + 4  # "Key: value\r\n"
    return size + 2


def _tomcat_error(h: _Handler, status: int, reason: str, *, close: bool = True) -> None:
    """Tomcat's own HTML error page, for what never reaches Jira (oversized headers, a path
    outside the context). After a header overflow Tomcat drops the connection."""
    page = (
        f'<!doctype html><html lang="en"><head><title>HTTP Status {status} – {reason}'
        f"</title></head><body><h1>HTTP Status {status} – {reason}</h1></body></html>"
    ).encode()
    length = int(h.headers.get("Content-Length") or 0)
    if not close and length:
        h.rfile.read(length)
    h.send_response(status)
    h.send_header("Content-Type", "text/html;charset=utf-8")
    h.send_header("Content-Language", "en")
    h.send_header("Content-Length", str(len(page)))
    if close:
        h.send_header("Connection", "close")
        h.close_connection = True
    h.end_headers()
    h.wfile.write(page)


def _fault_message(status: int) -> str:
    return {
        429: "Rate limit exceeded.",
        503: "Service Unavailable: the sandbox is simulating an outage.",
        409: "The issue was changed by another request; retry the operation.",
    }.get(status, f"Injected failure {status}.")


def _apply_seed(store: Store, seed: str | None) -> None:
    if seed in (None, "", "none"):
        return
    if seed == "demo":
        from sandbox.seed.demo import seed_demo

        seed_demo(store)
        return
    if seed == "portfolio":
        from sandbox.seed.portfolio import seed_portfolio

        seed_portfolio(store)
        return
    if seed.startswith("scale:"):
        from sandbox.seed.scale import seed_scale

        seed_scale(store, int(seed.split(":", 1)[1]))
        return
    raise ValueError(f"unknown seed {seed!r} (use demo, portfolio, scale:N or none)")


@contextmanager
def running_sandbox(**kwargs: Any) -> Iterator[SandboxServer]:
    """A started ``SandboxServer`` for the duration of a ``with`` block."""
    server = SandboxServer(**kwargs).start()
    try:
        yield server
    finally:
        server.stop()
