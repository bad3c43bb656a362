"""config.yaml: every key of the contract, its default, and one-line errors for bad files.

The sections are plain dataclasses checked by `build` below rather than pydantic models:
validation is needed on every `run`, and pydantic's import and model building cost more than
the rest of an unchanged cycle put together (see the benchmarks in the README).
"""

from __future__ import annotations

import operator
import os
import re
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from partnerwatch import __version__

DEFAULT_ALLOWED_HOSTS = (
    "agendastad.nl",
    "ec.europa.eu",
    "futurium.ec.europa.eu",
    "urbanagenda.urban-initiative.eu",
)


class ConfigError(Exception):
    """A config file that cannot be used; the message is one line for the user."""


class Invalid(Exception):
    """One bad value, as 'key: problem', before the file name is added."""


def bounded(default: Any, **limits: float) -> Any:
    """A field with a default and numeric limits (gt, ge, le) that `build` enforces."""
    return field(default=default, metadata=limits)


@dataclass(frozen=True)
class SourceSettings:
    """What to watch: `source:`."""

    overview_url: str
    follow_links: bool = True
    allowed_hosts: list[str] = field(default_factory=lambda: list(DEFAULT_ALLOWED_HOSTS))


@dataclass(frozen=True)
class StorageSettings:
    """Where the history is kept: `storage:`."""

    database: str = "partnerwatch.db"


@dataclass(frozen=True)
class HttpSettings:
    """How to fetch, politely: `http:`."""

    timeout: float = bounded(20.0, gt=0)
    retries: int = bounded(3, ge=0, le=10)
    backoff: float = bounded(1.0, ge=0)
    per_host_delay: float = bounded(1.0, ge=0)
    concurrency: int = bounded(4, ge=1, le=32)
    max_bytes: int = bounded(10_000_000, gt=0)
    user_agent: str = f"partnerwatch/{__version__} (+https://github.com/partnerwatch/partnerwatch)"
    respect_robots_txt: bool = True


@dataclass(frozen=True)
class ScheduleSettings:
    """When `schedule` runs cycles: `schedule:`."""

    cron: str = "0 7 * * 1-5"
    timezone: str = "Europe/Amsterdam"
    jitter: int = bounded(0, ge=0, le=3600)  # seconds of random delay, to spread the load


@dataclass(frozen=True)
class EmailSettings:
    """Whom to tell, and how: `email:`."""

    enabled: bool = False
    smtp_host: str = "localhost"
    smtp_port: int = bounded(587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_env: str = "PARTNERWATCH_SMTP_PASSWORD"
    sender: str = "partnerwatch@example.org"
    recipients: list[str] = field(default_factory=lambda: ["beleid@example.org"])
    language: Literal["nl", "en"] = "nl"
    subject_prefix: str = "[Partnerschappen]"

    def password(self) -> str | None:
        """The SMTP password from the environment variable the config names."""
        return os.environ.get(self.password_env)


@dataclass(frozen=True)
class AlertSettings:
    """When to raise an operational alert: `alerts:`."""

    failure_threshold: int = bounded(3, ge=1)


@dataclass(frozen=True)
class Config:
    """The whole config file, and where it was read from."""

    source: SourceSettings
    storage: StorageSettings = field(default_factory=StorageSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    alerts: AlertSettings = field(default_factory=AlertSettings)
    path: Path | None = field(default=None, metadata={"internal": True})

    def database_path(self) -> Path:
        """The SQLite file; a relative path is relative to the config file."""
        database = Path(self.storage.database).expanduser()
        if database.is_absolute() or self.path is None:
            return database
        return self.path.parent / database


def check_value(value: Any, kind: Any, key: str) -> Any:
    """`value` if it is of the annotated `kind`, else Invalid naming the key."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return None
        return check_value(value, next(a for a in args if a is not type(None)), key)
    if origin is Literal:
        if value not in args:
            choices = ", ".join(str(a) for a in args)
            raise Invalid(f"{key}: must be one of {choices} (got {value!r})")
        return value
    if origin is list:
        if not isinstance(value, list):
            raise Invalid(f"{key}: must be a list (got {value!r})")
        return [check_value(item, args[0], f"{key}[{i}]") for i, item in enumerate(value)]
    if dataclass_fields := getattr(kind, "__dataclass_fields__", None):
        return build(kind, value, key, dataclass_fields)
    accepted = (int, float) if kind is float else (kind,)
    if isinstance(value, bool) is not (kind is bool) or not isinstance(value, accepted):
        raise Invalid(f"{key}: must be {kind.__name__} (got {value!r})")
    return value


LIMITS = {
    "gt": (operator.gt, "greater than"),
    "ge": (operator.ge, "at least"),
    "le": (operator.le, "at most"),
}


def check_limits(value: float, limits: typing.Mapping[str, float], key: str) -> None:
    """Invalid unless `value` respects the field's gt / ge / le limits."""
    for name, limit in limits.items():
        holds, words = LIMITS[name]
        if not holds(value, limit):
            raise Invalid(f"{key}: must be {words} {limit} (got {value!r})")


def build(cls: type, data: Any, location: str, cls_fields: dict | None = None) -> Any:
    """An instance of the settings dataclass `cls` from YAML data, refusing unknown keys."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise Invalid(f"{location or '(top level)'}: must be a mapping of keys (got {data!r})")
    prefix = f"{location}." if location else ""
    known = {f.name: f for f in fields(cls) if not f.metadata.get("internal")}
    for key in data:
        if key not in known:
            raise Invalid(f"{prefix}{key}: unknown key")
    hints = typing.get_type_hints(cls)
    values = {}
    for name, spec in known.items():
        key = prefix + name
        if name not in data:
            if spec.default is MISSING and spec.default_factory is MISSING:
                raise Invalid(f"{key}: required key is missing")
            continue
        values[name] = check_value(data[name], hints[name], key)
        check_limits(values[name], spec.metadata, key)
    return cls(**values)


HOST_NAME = re.compile(r"[A-Za-z0-9.-]+|\[?[0-9A-Fa-f:]+\]?")


def check_values(config: Config) -> None:
    """Invalid when a value has the right type but cannot work (a URL without a host, ...)."""
    url = config.source.overview_url
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        parts, port_ok = None, False
    if not (parts and parts.scheme in ("http", "https") and parts.hostname and port_ok):
        raise Invalid(f"source.overview_url: must be an http:// or https:// URL (got {url!r})")
    for index, host in enumerate(config.source.allowed_hosts):
        if not HOST_NAME.fullmatch(host):
            raise Invalid(f"source.allowed_hosts[{index}]: must be a host name (got {host!r})")
    if not config.storage.database.strip():
        raise Invalid("storage.database: must name a file")
    agent = config.http.user_agent
    if not (agent.isascii() and agent.isprintable() and agent.strip()):
        raise Invalid(f"http.user_agent: must be printable ASCII (got {agent!r})")
    if len(config.schedule.cron.split()) != 5:
        message = "must have 5 fields: minute hour day month weekday"
        raise Invalid(f"schedule.cron: {message} (got {config.schedule.cron!r})")
    try:
        ZoneInfo(config.schedule.timezone)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        raise Invalid(
            f"schedule.timezone: not a time zone (got {config.schedule.timezone!r})"
        ) from None


def default_config_path() -> Path:
    """--config's fallback: $PARTNERWATCH_CONFIG, else ./config.yaml."""
    return Path(os.environ.get("PARTNERWATCH_CONFIG") or "config.yaml")


def parse_config(data: object, path: Path) -> Config:
    """Validate already-loaded YAML data as a Config."""
    try:
        config = build(Config, data, "")
        check_values(config)
    except Invalid as exc:
        raise ConfigError(f"{path}: {exc}") from None
    return replace(config, path=path.resolve())


def check_email(config: Config) -> None:
    """ConfigError when enabled email has a login but its password variable is not set.

    Checked only by the commands that send, so that a missing password never stops a reader.
    """
    email = config.email
    if email.enabled and email.username and email.password() is None:
        raise ConfigError(
            f"{config.path}: email.password_env: environment variable "
            f"{email.password_env} is not set (email is enabled with a username)"
        )


def load_config(path: Path) -> Config:
    """Read and validate a config file, raising ConfigError with a one-line message."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file ({exc})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise ConfigError(f"{path}: not valid YAML{where}: {problem}") from None
    return parse_config(data, path)
