"""config.yaml: defaults, path resolution, and one-line errors for every kind of bad file."""

from pathlib import Path

import pytest

from partnerwatch.config import ConfigError, check_email, load_config

MINIMAL = "source:\n  overview_url: https://agendastad.nl/europese-partnerschappen/\n"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_only_overview_url_is_required_and_every_other_key_has_the_contract_default(tmp_path):
    config = load_config(write(tmp_path, MINIMAL))
    assert config.source.follow_links is True
    assert "futurium.ec.europa.eu" in config.source.allowed_hosts
    assert (config.http.timeout, config.http.retries, config.http.backoff) == (20, 3, 1.0)
    assert (config.http.per_host_delay, config.http.concurrency) == (1.0, 4)
    assert config.http.max_bytes == 10_000_000
    assert config.http.respect_robots_txt is True
    assert config.schedule.cron == "0 7 * * 1-5"
    assert config.schedule.timezone == "Europe/Amsterdam"
    assert config.email.enabled is False and config.email.security == "starttls"
    assert config.email.language == "nl" and config.email.subject_prefix == "[Partnerschappen]"
    assert config.alerts.failure_threshold == 3


def test_a_relative_database_path_is_relative_to_the_config_file(tmp_path, monkeypatch):
    (tmp_path / "etc").mkdir()
    path = write(tmp_path / "etc", MINIMAL + "storage:\n  database: data/pw.db\n")
    monkeypatch.chdir(tmp_path)
    config = load_config(Path("etc/config.yaml"))
    assert config.database_path() == tmp_path / "etc" / "data" / "pw.db"
    assert path.exists()


def test_the_repository_config_monitors_the_real_site_with_email_off():
    config = load_config(Path(__file__).parent.parent / "config.yaml")
    assert config.source.overview_url == "https://agendastad.nl/europese-partnerschappen/"
    assert config.email.enabled is False


def test_an_unknown_key_is_refused_by_name(tmp_path):
    message = error_of(write(tmp_path, MINIMAL + "http:\n  timout: 5\n"))
    assert "config.yaml" in message and "http.timout" in message and "unknown key" in message


def test_a_wrong_type_names_the_key_and_the_value(tmp_path):
    message = error_of(write(tmp_path, MINIMAL + "http:\n  retries: many\n"))
    assert "http.retries" in message and "'many'" in message


def test_a_missing_overview_url_is_named(tmp_path):
    message = error_of(write(tmp_path, "source:\n  follow_links: false\n"))
    assert "source.overview_url" in message and "missing" in message


def test_broken_yaml_gives_the_line(tmp_path):
    message = error_of(write(tmp_path, MINIMAL + "http: [unclosed\n"))
    assert "not valid YAML" in message and "line" in message


def test_a_missing_file_is_named(tmp_path):
    message = error_of(tmp_path / "nowhere.yaml")
    assert "nowhere.yaml" in message and "not found" in message


def test_a_bad_choice_is_refused(tmp_path):
    message = error_of(write(tmp_path, MINIMAL + "email:\n  security: tls\n"))
    assert "email.security" in message


def test_email_with_a_login_needs_the_password_variable_to_send(tmp_path, monkeypatch):
    monkeypatch.delenv("PW_TEST_PASSWORD", raising=False)
    text = MINIMAL + "email:\n  enabled: true\n  username: u\n  password_env: PW_TEST_PASSWORD\n"
    config = load_config(write(tmp_path, text))  # reading the history needs no password
    with pytest.raises(ConfigError, match="email.password_env: .*PW_TEST_PASSWORD is not set"):
        check_email(config)
    monkeypatch.setenv("PW_TEST_PASSWORD", "secret")
    check_email(config)
    assert config.email.password() == "secret"


def test_numbers_outside_their_range_are_refused(tmp_path):
    message = error_of(write(tmp_path, MINIMAL + "http:\n  concurrency: 0\n"))
    assert "http.concurrency: must be at least 1" in message
    message = error_of(write(tmp_path, MINIMAL + "http:\n  timeout: -1\n"))
    assert "http.timeout: must be greater than 0" in message


def test_a_section_that_is_not_a_mapping_is_refused(tmp_path):
    message = error_of(write(tmp_path, MINIMAL + "http: fast\n"))
    assert "http: must be a mapping" in message


def test_a_yes_no_key_must_be_a_boolean(tmp_path):
    message = error_of(
        write(tmp_path, MINIMAL.replace("source:\n", "source:\n  follow_links: 1\n"))
    )
    assert "source.follow_links: must be bool" in message


def test_a_list_of_hosts_must_be_strings(tmp_path):
    text = MINIMAL + "  allowed_hosts: [agendastad.nl, 42]\n"
    assert "source.allowed_hosts[1]: must be str" in error_of(write(tmp_path, text))


def test_a_non_http_overview_url_is_refused(tmp_path):
    message = error_of(write(tmp_path, "source:\n  overview_url: ftp://agendastad.nl/\n"))
    assert "source.overview_url: must be an http:// or https:// URL" in message


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        ('http:\n  user_agent: "partnerwatch/\\u00fc"\n', "http.user_agent"),
        ('http:\n  user_agent: "a\\nb"\n', "http.user_agent"),
        ("storage:\n  database: ''\n", "storage.database"),
        ("schedule:\n  timezone: Mars/Olympus\n", "schedule.timezone"),
        ("schedule:\n  timezone: ''\n", "schedule.timezone"),
        ("schedule:\n  cron: '@daily'\n", "schedule.cron"),
    ],
)
def test_values_that_cannot_work_are_refused_by_key(tmp_path, extra, key):
    assert f"{key}: " in error_of(write(tmp_path, MINIMAL + extra))


@pytest.mark.parametrize("url", ["http://[::1/x", "http://", "http://agendastad.nl:99999/"])
def test_an_overview_url_without_a_usable_host_is_refused(tmp_path, url):
    message = error_of(write(tmp_path, f"source:\n  overview_url: '{url}'\n"))
    assert "source.overview_url: must be an http:// or https:// URL" in message


def test_allowed_hosts_are_host_names_not_urls(tmp_path):
    text = MINIMAL + "  allowed_hosts: [agendastad.nl, 'http://localhost']\n"
    assert "source.allowed_hosts[1]: must be a host name" in error_of(write(tmp_path, text))
