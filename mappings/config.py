"""The pmo-sync configuration file: Jira site, sync pairs, schedule, policies, paths.

Secrets never live in the file. Config files get copied between machines, committed
and attached to tickets, so a token found in one is refused outright; tokens come from
an environment variable or the OS keyring, and are held as SecretStr so they never
appear in a repr, a log line or a traceback.

Everything that can be checked without Jira is checked when the file loads, so
`pmo-sync check`, `sync` and `daemon` agree on what is valid: booleans and numbers must
be TOML booleans and numbers (``verify_tls = "no"`` is text, and used to turn TLS checks
off), schedules must be ones the daemon can run, and each workbook belongs to one pair.
Paths written in the file are relative to the file's folder (docs/configuration.md).
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from croniter import CroniterError, croniter
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from mappings.errors import ConfigError, EmbeddedSecretError, Problem
from mappings.mapping import readable_location, validation_problems
from mappings.scoring import RiskLevelThresholds
from mappings.textfile import decode_text as decode_config

Deployment = Literal["auto", "cloud", "datacenter"]
ConflictPolicy = Literal["manual", "jira-wins", "excel-wins"]
UnknownPeople = Literal["error", "text"]

_SECRET_KEY = re.compile(r"(token|password|passwd|secret|api[_-]?key|^pat$|credential)", re.I)
_REFERENCE_SUFFIXES = ("_env", "_service", "_keyring")
_DURATION = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_POLICY_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")

MIN_INTERVAL_SECONDS = 1
"""The shortest daemon interval: "0s" would run cycles back to back with no pause. One
second keeps the sandbox and tests fast; a cycle with nothing to do still costs a Jira
request, so a real site wants a minute or more (docs/configuration.md says so)."""
MAX_INTERVAL_SECONDS = 365 * 86400
"""The longest interval: beyond a year the next start overflows date arithmetic, and a
rarer schedule is better said with cron."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class JiraSite(_Strict):
    """How to reach one Jira site; the token itself is looked up, never stored."""

    url: str = Field(description="Base URL, e.g. https://yourcompany.atlassian.net")
    deployment: Deployment = Field("auto", description="auto asks serverInfo.deploymentType")
    email: str | None = Field(None, description="Cloud: the account email used with the API token")
    username: str | None = Field(
        None,
        description="Data Center: log in with this username and the password in token_env "
        "(Basic auth) instead of a personal access token",
    )
    token_env: str = Field("PMO_SYNC_JIRA_TOKEN", description="Environment variable with the token")
    keyring_service: str | None = Field(
        "pmo-sync", description="OS keyring service to try when the variable is unset"
    )
    verify_tls: StrictBool = True
    timeout_seconds: StrictFloat = Field(30.0, gt=0)

    @field_validator("url")
    @classmethod
    def _plain_http_url(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url.rstrip("/")

    @model_validator(mode="after")
    def _one_login(self) -> JiraSite:
        if self.username and self.email:
            raise ValueError(
                "give email (Cloud, with an API token) or username (Data Center, with a "
                "password), not both"
            )
        if self.username and self.deployment == "cloud":
            raise ValueError(
                "username is for Data Center; Jira Cloud logs in with email and an API token"
            )
        return self

    @property
    def keyring_username(self) -> str:
        return self.email or self.username or self.url

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
    jitter_seconds: StrictFloat = Field(30.0, ge=0)

    @field_validator("interval")
    @classmethod
    def _duration(cls, value: str | None) -> str | None:
        """Refused here rather than when the daemon starts, so `check` and `sync` see it."""
        if value is None:
            return value
        match = _DURATION.match(value)
        if not match:
            raise ValueError(f"{value!r} is not a duration like 30s, 15m, 2h or 1d")
        seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        if not MIN_INTERVAL_SECONDS <= seconds <= MAX_INTERVAL_SECONDS:
            raise ValueError(
                f"{value!r} is outside what the daemon can run: give at least "
                f"{MIN_INTERVAL_SECONDS}s and at most {MAX_INTERVAL_SECONDS // 86400}d "
                "(e.g. 15m; for rarer cycles use cron)"
            )
        return value

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        """Read with croniter, the parser the daemon uses, so whatever loads can run."""
        if value is None:
            return value
        if len(value.split()) != 5:
            raise ValueError(f"{value!r} is not a 5-field cron expression (min hour dom mon dow)")
        if not croniter.is_valid(value):
            raise ValueError(
                f"{value!r} is not a valid cron expression: the fields are minute (0-59), "
                "hour (0-23), day of month (1-31), month (1-12 or JAN-DEC) and day of week "
                "(0-6 or SUN-SAT), each *, a number, a range (1-5), a list (1,15) or a step "
                "(*/15), e.g. '*/15 7-19 * * 1-5'"
            )
        try:
            croniter(value, datetime.now()).get_next(datetime)
        except (CroniterError, ValueError, OverflowError):
            raise ValueError(
                f"{value!r} never fires: no date matches it (e.g. the 31st of a month that "
                "has 30 days); check the day-of-month and month fields"
            ) from None
        return value

    @model_validator(mode="after")
    def _runs_at_all(self) -> Schedule:
        """TOML cannot write a null, but Python callers can unset both; the daemon would
        then have no next start."""
        if self.cron is None and self.interval is None:
            raise ValueError("set an interval (e.g. 15m) or a cron expression")
        return self

    @property
    def interval_seconds(self) -> int | None:
        if self.interval is None:
            return None
        match = _DURATION.match(self.interval)
        assert match  # validated above
        number, unit = int(match.group(1)), match.group(2)
        return number * _UNIT_SECONDS[unit]


class ScopeCheck(_Strict):
    """Jira Cloud: how often a cycle also checks that the scope still holds exactly the
    issues known (an issue deleted, or moved out of the scope, never shows up in the
    incremental search). Cloud's search has no total, so the check costs a request of its
    own (the approximate count); a quiet cycle between checks costs one request. Data
    Center's search returns the scope's total with the changes: it checks every cycle
    for free."""

    every_cycles: StrictInt = Field(
        10, ge=1, description="Check at least every this many cycles (1: every cycle)"
    )
    every: str = Field("15m", description="...and at least this often: 30s, 15m, 2h, 1d")

    @field_validator("every")
    @classmethod
    def _duration(cls, value: str) -> str:
        if not _DURATION.match(value):
            raise ValueError(f"{value!r} is not a duration like 30s, 15m, 2h or 1d")
        return value

    @property
    def every_seconds(self) -> int:
        match = _DURATION.match(self.every)
        assert match  # validated above
        return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


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

    @field_validator("entities")
    @classmethod
    def _some_entities(cls, names: tuple[str, ...] | None) -> tuple[str, ...] | None:
        """An empty list used to mean "every entity", the opposite of what it says.
        Whether each name is in the mapping is checked with the mapping
        (mappings.pair_checks), which this file does not read."""
        if names is None:
            return names
        if not names:
            raise ValueError(
                "an empty list syncs nothing; leave entities out to sync every entity of "
                "the mapping, or list the ones to sync"
            )
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"listed more than once: {', '.join(repeated)}")
        return names

    @field_validator("conflict_policy")
    @classmethod
    def _policy_keys(cls, policies: dict[str, ConflictPolicy]) -> dict[str, ConflictPolicy]:
        bad = [key for key in policies if not _POLICY_KEY.match(key)]
        if bad:
            raise ValueError(
                f"{', '.join(repr(k) for k in bad)}: a key is an entity ('risk') or an entity "
                "and one of its fields ('risk.status')"
            )
        return policies

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
    mass_change_guard: StrictFloat = Field(
        0.5, gt=0, le=1, description="Refuse a cycle when more than this share vanished"
    )
    backups_to_keep: StrictInt = Field(10, ge=1)
    log_sheet: StrictBool = Field(
        False, description="Mirror the newest audit entries into a 'Sync Log' sheet"
    )
    unknown_people: UnknownPeople = Field(
        "error",
        description="A person matching no Jira user: 'error' refuses the row, 'text' writes "
        "the name into the field's text fallback when the mapping gives one",
    )
    outside_list: Literal["write", "skip"] = Field(
        "write",
        description="A Jira value a column's drop-down list does not allow: 'write' writes it "
        "and reports it, 'skip' leaves the cell as it is and reports it (Jira keeps its "
        "value either way; a new row always gets it)",
    )
    schedule: Schedule = Schedule()
    scope_check: ScopeCheck = ScopeCheck()
    risk_thresholds: RiskLevelThresholds = RiskLevelThresholds()
    policy: str = Field(
        "builtin:pmo",
        description="The PMO policy every sync and daemon cycle audits the portfolio "
        "against: 'builtin:pmo', a policy file (relative to this file), or '' for none",
    )
    compliance_sheet: StrictBool = Field(
        False,
        description="After every audit, write a 'PMO Compliance' sheet (the pair's projects' "
        "scores and breaches) into each pair's workbook",
    )
    hours_per_point: StrictFloat = Field(
        0,
        ge=0,
        description="Hours one story point stands for when work is compared with capacity "
        "(0: story points are not converted into hours)",
    )
    resource_load_sheet: StrictBool = Field(
        False,
        description="After every cycle, write a 'Resource Load' sheet (each person's "
        "utilisation for the next 12 weeks, and who is over-allocated by which items) "
        "into the workbook of each pair whose mapping has resources",
    )
    breach_notes: Literal["off", "comment", "label"] = Field(
        "off",
        description="Tell Jira about breaches: 'comment' adds one comment per breach to the "
        "issue (once, deleted when the breach is resolved), 'label' adds the label "
        "pmo-breach while any breach stands",
    )


def person_key(name: str) -> str:
    """How two spellings of a person's name are compared: Unicode-normalised (NFKC, so a
    full-width "Ｗei" is "Wei"), case-folded, runs of whitespace made one space."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


class Config(_Strict):
    """A whole configuration file, with relative paths resolved against its folder."""

    jira: JiraSite
    sync: SyncSettings = SyncSettings()
    pairs: tuple[SyncPair, ...] = Field(alias="pair", min_length=1)
    people: dict[str, str] = Field(
        default_factory=dict,
        description="A name as written in workbooks -> the Jira account (an email, a Cloud "
        "accountId or a Data Center username)",
    )
    base_dir: Path = Field(Path("."), exclude=True)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("people")
    @classmethod
    def _one_account_per_person(cls, people: dict[str, str]) -> dict[str, str]:
        """Names are matched ignoring case and spacing, so two keys that differ only in
        those would be one person with two accounts: which one wins must not be a guess."""
        problems: list[str] = []
        seen: dict[str, str] = {}
        for name, account in people.items():
            if not name.strip():
                problems.append("an empty name; write the person's name as the workbooks do")
                continue
            if not account.strip():
                problems.append(
                    f"{name!r} has an empty account; give an email, a Cloud accountId or a "
                    "Data Center username"
                )
            key = person_key(name)
            if key in seen:
                problems.append(
                    f"{seen[key]!r} and {name!r} are the same name once case and spaces are "
                    f"ignored (accounts {people[seen[key]].strip()!r} and {account.strip()!r}); "
                    "keep one"
                )
            else:
                seen[key] = name
        if problems:
            raise ValueError("; ".join(problems))
        return {name: account.strip() for name, account in people.items()}

    def resolve(self, path: Path) -> Path:
        """A path written in the configuration: relative ones are read from the
        configuration file's folder, wherever pmo-sync is started from."""
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


_WANTED = {"bool_type": "true or false", "int_type": "a whole number", "float_type": "a number"}


def _toml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _config_problems(exc: ValidationError, data: Mapping[str, Any]) -> list[Problem]:
    """Pydantic's problems, with the wrong-type ones said in TOML's terms: the usual
    mistake is a quoted value ("no", "30"), which TOML reads as text."""
    better: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        wanted = _WANTED.get(err["type"])
        if wanted is None:
            continue
        given = err.get("input")
        got = f"the text {given!r}" if isinstance(given, str) else _toml_text(given)
        better[readable_location(tuple(err["loc"]), data)] = (
            f"must be {wanted}, written without quotes; got {got}"
        )
    return [
        Problem(p.location, better.get(p.location, p.message))
        for p in validation_problems(exc, data)
    ]


def _same_file(one: Path, other: Path) -> bool:
    """Same file, also when spelt differently on a case-insensitive disk or hard-linked."""
    try:
        return os.path.samefile(one, other)
    except OSError:  # one of them does not exist (yet): only their real paths can tell
        return False


def _workbook_problems(config: Config) -> list[Problem]:
    """A workbook that is a folder, and a workbook two pairs claim.

    A pair owns its workbook: its rows' Sync IDs and the Sync Conflicts and Sync Log
    sheets are its own, so a second pair on the same file would overwrite them.
    """
    problems: list[Problem] = []
    claimed: list[tuple[SyncPair, Path, str]] = []
    for index, pair in enumerate(config.pairs):
        at = f"pair[{index}] ({pair.name}).workbook"
        path = config.resolve(pair.workbook)
        if path.is_dir():
            problems.append(
                Problem(
                    at,
                    f"{path} is a folder, not a workbook; give the path of the .xlsx or .xlsm "
                    f"file (a relative path is read from {config.base_dir})",
                )
            )
            continue
        real = os.path.normcase(os.path.realpath(path))
        for other, other_path, other_real in claimed:
            if real == other_real or _same_file(path, other_path):
                problems.append(
                    Problem(
                        at,
                        f"pairs {other.name!r} and {pair.name!r} both sync the workbook "
                        f"{other_real} (written {str(other.workbook)!r} and "
                        f"{str(pair.workbook)!r}); a workbook belongs to one pair, which owns "
                        "its Sync IDs and its Sync Conflicts and Sync Log sheets: give each "
                        "pair its own workbook, or use one pair whose mapping holds every "
                        "tracker of that workbook",
                    )
                )
                break
        claimed.append((pair, path, real))
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
        raise ConfigError(source, _config_problems(exc, data)) from None
    problems: list[Problem] = []
    names = [pair.name for pair in config.pairs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        problems.append(Problem("pair.name", f"pair names repeat: {', '.join(duplicates)}"))
    problems.extend(_workbook_problems(config))
    if problems:
        raise ConfigError(source, problems)
    return config


def load_config(path: Path) -> Config:
    """Read and validate a configuration file."""
    if path.is_dir():
        raise ConfigError(
            str(path),
            [Problem("(file)", "is a folder; give the path of the configuration file (.toml)")],
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(str(path), [Problem("(file)", f"cannot read: {exc.strerror}")]) from None
    try:
        text = decode_config(data)
    except ValueError as exc:
        raise ConfigError(str(path), [Problem("(encoding)", str(exc))]) from None
    return parse_config(text, str(path), path.resolve().parent)
