"""config.yaml: every key of the contract, its default, and one-line errors for bad files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from partnerwatch import __version__

DEFAULT_ALLOWED_HOSTS = [
    "agendastad.nl",
    "ec.europa.eu",
    "futurium.ec.europa.eu",
    "urbanagenda.urban-initiative.eu",
]


class ConfigError(Exception):
    """A config file that cannot be used; the message is one line for the user."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class SourceSettings(_Section):
    overview_url: str
    follow_links: bool = True
    allowed_hosts: list[str] = Field(default_factory=lambda: list(DEFAULT_ALLOWED_HOSTS))

    @field_validator("overview_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value


class StorageSettings(_Section):
    database: str = "partnerwatch.db"


class HttpSettings(_Section):
    timeout: float = Field(20.0, gt=0)
    retries: int = Field(3, ge=0, le=10)
    backoff: float = Field(1.0, ge=0)
    per_host_delay: float = Field(1.0, ge=0)
    concurrency: int = Field(4, ge=1, le=32)
    max_bytes: int = Field(10_000_000, gt=0)
    user_agent: str = f"partnerwatch/{__version__} (+https://github.com/partnerwatch/partnerwatch)"
    respect_robots_txt: bool = True


class ScheduleSettings(_Section):
    cron: str = "0 7 * * 1-5"
    timezone: str = "Europe/Amsterdam"


class EmailSettings(_Section):
    enabled: bool = False
    smtp_host: str = "localhost"
    smtp_port: int = Field(587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password_env: str = "PARTNERWATCH_SMTP_PASSWORD"
    sender: str = "partnerwatch@example.org"
    recipients: list[str] = Field(default_factory=lambda: ["beleid@example.org"])
    language: Literal["nl", "en"] = "nl"
    subject_prefix: str = "[Partnerschappen]"

    def password(self) -> str | None:
        """The SMTP password from the environment variable the config names."""
        return os.environ.get(self.password_env)


class AlertSettings(_Section):
    failure_threshold: int = Field(3, ge=1)


class Config(_Section):
    source: SourceSettings
    storage: StorageSettings = Field(default_factory=StorageSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)

    path: Path | None = Field(None, exclude=True)

    def database_path(self) -> Path:
        """The SQLite file; a relative path is relative to the config file."""
        database = Path(self.storage.database).expanduser()
        if database.is_absolute() or self.path is None:
            return database
        return self.path.parent / database


def _describe(error: dict) -> str:
    """One error of pydantic's, as 'key: problem'."""
    location = ".".join(str(part) for part in error["loc"]) or "(top level)"
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{location}: unknown key"
    if kind == "missing":
        return f"{location}: required key is missing"
    message = error["msg"].removeprefix("Value error, ")
    return f"{location}: {message} (got {error.get('input')!r})"


def default_config_path() -> Path:
    """--config's fallback: $PARTNERWATCH_CONFIG, else ./config.yaml."""
    return Path(os.environ.get("PARTNERWATCH_CONFIG") or "config.yaml")


def parse_config(data: object, path: Path) -> Config:
    """Validate already-loaded YAML data as a Config."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the file must be a mapping of sections (source:, http:, ...)")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc.errors()[0])}") from None
    config.path = path.resolve()
    if config.email.enabled and config.email.username and config.email.password() is None:
        raise ConfigError(
            f"{path}: email.password_env: environment variable "
            f"{config.email.password_env} is not set (email is enabled with a username)"
        )
    return config


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
