"""config.yaml: every key of the contract, its default, and one-line errors for bad files.

The sections are plain dataclasses checked by `build` below rather than pydantic models:
validation is needed on every `run`, and pydantic's import and model building cost more than
the rest of an unchanged cycle put together (see the benchmarks in the README).
"""

from __future__ import annotations

import operator
import os
import types
import typing
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

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
    overview_url: str
    follow_links: bool = True
    allowed_hosts: list[str] = field(default_factory=lambda: list(DEFAULT_ALLOWED_HOSTS))


@dataclass(frozen=True)
class StorageSettings:
    database: str = "partnerwatch.db"


@dataclass(frozen=True)
class HttpSettings:
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
    cron: str = "0 7 * * 1-5"
    timezone: str = "Europe/Amsterdam"


@dataclass(frozen=True)
class EmailSettings:
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
    failure_threshold: int = bounded(3, ge=1)


@dataclass(frozen=True)
class Config:
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


def check_source(source: SourceSettings) -> None:
    """Invalid unless the overview URL is an http(s) URL."""
    if not source.overview_url.startswith(("http://", "https://")):
        raise Invalid(f"source.overview_url: must be an http:// or https:// URL "
                      f"(got {source.overview_url!r})")  # fmt: skip


def default_config_path() -> Path:
    """--config's fallback: $PARTNERWATCH_CONFIG, else ./config.yaml."""
    return Path(os.environ.get("PARTNERWATCH_CONFIG") or "config.yaml")


def parse_config(data: object, path: Path) -> Config:
    """Validate already-loaded YAML data as a Config."""
    try:
        config = build(Config, data, "")
        check_source(config.source)
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
