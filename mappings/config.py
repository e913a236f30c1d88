"""The pmo-sync configuration file: Jira site, sync pairs, schedule, policies, paths.

Secrets never live in the file. Config files get copied between machines, committed
and attached to tickets, so a token found in one is refused outright; tokens come from
an environment variable or the OS keyring, and are held as SecretStr so they never
appear in a repr, a log line or a traceback.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from mappings.errors import ConfigError, EmbeddedSecretError, Problem
from mappings.mapping import validation_problems
from mappings.scoring import RiskLevelThresholds

Deployment = Literal["auto", "cloud", "datacenter"]
ConflictPolicy = Literal["manual", "jira-wins", "excel-wins"]

_SECRET_KEY = re.compile(r"(token|password|passwd|secret|api[_-]?key|^pat$|credential)", re.I)
_REFERENCE_SUFFIXES = ("_env", "_service", "_keyring")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JiraSite(_Strict):
    """How to reach one Jira site; the token itself is looked up, never stored."""

    url: str = Field(description="Base URL, e.g. https://yourcompany.atlassian.net")
    deployment: Deployment = Field("auto", description="auto asks serverInfo.deploymentType")
    email: str | None = Field(None, description="Cloud: the account email used with the API token")
    token_env: str = Field("PMO_SYNC_JIRA_TOKEN", description="Environment variable with the token")
    keyring_service: str | None = Field(
        "pmo-sync", description="OS keyring service to try when the variable is unset"
    )
    verify_tls: bool = True
    timeout_seconds: float = Field(30.0, gt=0)

    @field_validator("url")
    @classmethod
    def _plain_http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url.rstrip("/")

    @property
    def keyring_username(self) -> str:
        return self.email or self.url

    def token(self, environ: Mapping[str, str] | None = None) -> SecretStr:
        """The API token (Cloud) or personal access token (Data Center)."""
        environ = os.environ if environ is None else environ
        value = environ.get(self.token_env)
        if value:
            return SecretStr(value)
        if self.keyring_service:
            try:
                import keyring

                value = keyring.get_password(self.keyring_service, self.keyring_username)
            except Exception:  # no usable keyring backend on this machine
                value = None
            if value:
                return SecretStr(value)
        where = f"set the environment variable {self.token_env}"
        if self.keyring_service:
            where += (
                f", or store it in the OS keyring: keyring set {self.keyring_service} "
                f"{self.keyring_username}"
            )
        raise ConfigError("jira", [Problem("jira.token", f"no token found; {where}")])


class Schedule(_Strict):
    """When the daemon runs: an interval, or a cron expression, plus jitter."""

    interval: str | None = Field("15m", description="e.g. 30s, 15m, 2h")
    cron: str | None = Field(None, description="5-field cron expression; replaces interval")
    jitter_seconds: float = Field(30.0, ge=0)

    @field_validator("interval")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        if value is not None and not _DURATION.match(value):
            raise ValueError(f"{value!r} is not a duration like 30s, 15m, 2h or 1d")
        return value

    @field_validator("cron")
    @classmethod
    def _five_fields(cls, value: str | None) -> str | None:
        if value is not None and len(value.split()) != 5:
            raise ValueError(f"{value!r} is not a 5-field cron expression (min hour dom mon dow)")
        return value

    @property
    def interval_seconds(self) -> int | None:
        if self.interval is None:
            return None
        match = _DURATION.match(self.interval)
        assert match  # validated above
        number, unit = int(match.group(1)), match.group(2)
        return number * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]


class SyncPair(_Strict):
    """One workbook kept consistent with one Jira scope through one mapping."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    workbook: Path
    mapping: str = Field("builtin:raid_log", description="builtin:NAME or a TOML file path")
    projects: tuple[str, ...] = Field(min_length=1)
    jql: str | None = Field(None, description="Extra JQL ANDed with every entity's scope")
    entities: tuple[str, ...] | None = Field(None, description="Subset of the mapping's entities")
    conflict_policy: dict[str, ConflictPolicy] = Field(
        default_factory=dict,
        description="Per entity ('risk') or field ('risk.status') policy overrides",
    )

    @field_validator("projects")
    @classmethod
    def _project_keys(cls, keys: tuple[str, ...]) -> tuple[str, ...]:
        for key in keys:
            if not re.match(r"^[A-Z][A-Z0-9_]{1,9}$", key):
                raise ValueError(f"{key!r} is not a Jira project key (e.g. ALPHA)")
        return keys


class SyncSettings(_Strict):
    """Settings shared by every pair."""

    state_store: Path = Path(".pmo-sync/state.db")
    log_file: Path = Path(".pmo-sync/pmo-sync.log")
    conflict_policy: ConflictPolicy = "manual"
    on_excel_delete: Literal["ignore", "close"] = "ignore"
    on_jira_delete: Literal["flag"] = "flag"
    mass_change_guard: float = Field(
        0.5, gt=0, le=1, description="Refuse a cycle when more than this share vanished"
    )
    backups_to_keep: int = Field(10, ge=1)
    log_sheet: bool = Field(
        False, description="Mirror the newest audit entries into a 'Sync Log' sheet"
    )
    schedule: Schedule = Schedule()
    risk_thresholds: RiskLevelThresholds = RiskLevelThresholds()


class Config(_Strict):
    """A whole configuration file, with relative paths resolved against its folder."""

    jira: JiraSite
    sync: SyncSettings = SyncSettings()
    pairs: tuple[SyncPair, ...] = Field(alias="pair", min_length=1)
    base_dir: Path = Field(Path("."), exclude=True)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def resolve(self, path: Path) -> Path:
        return path if path.is_absolute() else self.base_dir / path

    def pair(self, name: str) -> SyncPair:
        for pair in self.pairs:
            if pair.name == name:
                return pair
        raise KeyError(name)


def _embedded_secrets(node: Any, where: str = "") -> list[Problem]:
    """Find keys that hold secrets, and URLs with a password in them."""
    problems: list[Problem] = []
    if isinstance(node, dict):
        for key, value in node.items():
            at = f"{where}.{key}" if where else str(key)
            if (
                _SECRET_KEY.search(str(key))
                and not str(key).endswith(_REFERENCE_SUFFIXES)
                and isinstance(value, str)
                and value
            ):
                problems.append(
                    Problem(
                        at,
                        "secrets may not be written in the config file; remove it and set "
                        "the environment variable named by jira.token_env (default "
                        "PMO_SYNC_JIRA_TOKEN) or store it in the OS keyring",
                    )
                )
            else:
                problems.extend(_embedded_secrets(value, at))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            problems.extend(_embedded_secrets(item, f"{where}[{index}]"))
    elif isinstance(node, str) and "://" in node and urlsplit(node).password:
        problems.append(Problem(where, "URL embeds a password; remove the user:password@ part"))
    return problems


def parse_config(text: str, source: str, base_dir: Path) -> Config:
    """Validate config TOML text; raise ConfigError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, [Problem("(syntax)", str(exc))]) from None
    secrets = _embedded_secrets(data)
    if secrets:
        raise EmbeddedSecretError(source, secrets)
    try:
        config = Config.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        raise ConfigError(source, validation_problems(exc, data)) from None
    names = [pair.name for pair in config.pairs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ConfigError(
            source, [Problem("pair.name", f"pair names repeat: {', '.join(duplicates)}")]
        )
    return config


def load_config(path: Path) -> Config:
    """Read and validate a configuration file."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise ConfigError(str(path), [Problem("(file)", f"cannot read: {exc.strerror}")]) from None
    return parse_config(text, str(path), path.resolve().parent)
