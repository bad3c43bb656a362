"""robots.txt rules: whose group applies to us, and what an unreadable robots.txt means."""

from scraper.robots import parse_rules, robots_url, rules_after_fetch, user_agent_token

AGENT = "partnerwatch/0.1 (+https://example.org/partnerwatch)"
PAGE = "https://agendastad.nl/futurium/housing"


def test_robots_txt_lives_at_the_root_of_the_origin() -> None:
    assert (
        robots_url("https://agendastad.nl:8443/a/b?c=d") == "https://agendastad.nl:8443/robots.txt"
    )


def test_the_user_agent_token_is_the_product_name() -> None:
    assert user_agent_token(AGENT) == "partnerwatch"
    assert user_agent_token("partnerwatch") == "partnerwatch"
    assert user_agent_token("  ") == "*"


def test_a_group_for_our_token_wins_over_the_wildcard_group() -> None:
    rules = parse_rules("User-agent: *\nDisallow: /\n\nUser-agent: partnerwatch\nAllow: /\n")

    assert rules.allows(PAGE, AGENT)
    assert not rules.allows(PAGE, "otherbot/1.0")


def test_a_client_error_means_there_is_no_robots_txt() -> None:
    for status in (401, 403, 404, 410):
        assert rules_after_fetch(None, status, f"HTTP {status}", "Disallow: /").allows(PAGE, AGENT)


def test_overload_and_server_errors_fall_back_to_the_stored_copy() -> None:
    stored = "User-agent: *\nDisallow: /futurium/\n"
    for status in (429, 503, None):
        rules = rules_after_fetch(None, status, "down", stored)
        assert not rules.allows(PAGE, AGENT)
        assert rules.allows("https://agendastad.nl/europese-partnerschappen/", AGENT)


def test_without_a_stored_copy_an_unreadable_robots_txt_allows_nothing() -> None:
    rules = rules_after_fetch(None, None, "timed out after 20 s", None)

    assert not rules.allows("https://agendastad.nl/", AGENT)
    assert rules.refusal() == (
        "robots.txt could not be read (timed out after 20 s), so the site is left alone"
    )
