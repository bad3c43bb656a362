"""robots.txt: where it lives, whose rules apply to us, and what to do when it cannot be read."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

# Client errors mean "there is no robots.txt" (RFC 9309 2.3.1.3), except these two, which say
# the server is struggling and so count as "unreachable" like a 5xx.
_OVERLOADED = {408, 429}


@dataclass(frozen=True)
class RobotsRules:
    """The rules of one origin's robots.txt, as they apply to this run."""

    parser: Protego
    unavailable: str | None = None  # why robots.txt could not be read, when nothing is allowed

    def allows(self, url: str, user_agent: str) -> bool:
        """Whether the rules let our user-agent fetch url."""
        return self.parser.can_fetch(url, user_agent_token(user_agent))

    def refusal(self) -> str:
        """One line for a page these rules keep us from fetching."""
        if self.unavailable:
            return f"robots.txt could not be read ({self.unavailable}), so the site is left alone"
        return "disallowed by robots.txt"


def robots_url(url: str) -> str:
    """The robots.txt URL of url's origin."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


def user_agent_token(user_agent: str) -> str:
    """The product token robots.txt groups match: 'partnerwatch/0.1 (…)' gives 'partnerwatch'."""
    words = user_agent.split("/", 1)[0].split()
    return words[0] if words else "*"


def parse_rules(text: str) -> RobotsRules:
    """Rules from the text of a robots.txt."""
    return RobotsRules(Protego.parse(text))


def rules_after_fetch(
    body: str | None, http_status: int | None, reason: str | None, cached_body: str | None
) -> RobotsRules:
    """The rules to obey given how this run's robots.txt request went.

    A body (fresh or a 304's cached one) is parsed; a 4xx means no robots.txt, so everything is
    allowed; a 5xx or unreachable server falls back to the last good copy, and without one
    nothing on that origin is fetched this run (RFC 9309 2.3.1.4: assume complete disallow).
    """
    if body is not None:
        return parse_rules(body)
    if http_status is not None and 400 <= http_status < 500 and http_status not in _OVERLOADED:
        return parse_rules("")
    if cached_body is not None:
        return parse_rules(cached_body)
    return RobotsRules(Protego.parse("User-agent: *\nDisallow: /"), unavailable=reason or "unknown")
