"""Which parsed block is which known partnership: stable keys from one run to the next.

A block keeps the key of the known partnership (current or removed) it matches, tried in
this order over the whole page: the same Futurium link and the same name, the same Futurium
link (a rename), the same name (a changed link). Each known key goes to one block at most.
A block that matches nothing gets the parser's slug, made unique with "-2", "-3", ...
A partnership whose name and link both changed cannot be recognised: it is reported as the
old one removed and a new one added.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import replace

from snapshots.model import Partnership

Identity = Callable[[Partnership], Hashable | None]


def name_identity(name: str) -> str:
    """A name as identity compares it: case and whitespace do not count."""
    return " ".join(name.split()).casefold()


def _link_and_name(partnership: Partnership) -> Hashable | None:
    """The Futurium link together with the name, when there is a link."""
    if partnership.futurium_url is None:
        return None
    return partnership.futurium_url, name_identity(partnership.name)


def _link(partnership: Partnership) -> Hashable | None:
    """The Futurium link, the identity that survives a rename."""
    return partnership.futurium_url


def _name(partnership: Partnership) -> Hashable | None:
    """The name, the identity of a partnership without a (stable) link."""
    return name_identity(partnership.name)


# The link-and-name pass settles which of several known partnerships sharing one link a
# block is, so that a shared link never turns into a pair of false renames.
MATCHING_ORDER: tuple[Identity, ...] = (_link_and_name, _link, _name)


def _keys_by_identity(known: Sequence[Partnership], identity: Identity) -> dict:
    """Known keys under each identity value, in the order they were known."""
    index: dict[Hashable, list[str]] = {}
    for partnership in known:
        value = identity(partnership)
        if value is not None:
            index.setdefault(value, []).append(partnership.key)
    return index


def _claim(candidates: list[str], used: set[str]) -> str | None:
    """The first candidate key not used yet in this run, now marked as used."""
    for key in candidates:
        if key not in used:
            used.add(key)
            return key
    return None


def unique_slug(slug: str, taken: set[str]) -> str:
    """The slug, or the slug with the first free "-N" suffix; it is added to `taken`."""
    base = slug or "partnership"
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


def assign_keys(known: Sequence[Partnership], parsed: Sequence[Partnership]) -> list[Partnership]:
    """Give each parsed partnership its stable key: by Futurium link, then name, else a new slug."""
    keys: list[str | None] = [None] * len(parsed)
    used: set[str] = set()
    for identity in MATCHING_ORDER:
        index = _keys_by_identity(known, identity)
        for position, partnership in enumerate(parsed):
            if keys[position] is None:
                keys[position] = _claim(index.get(identity(partnership), []), used)
    taken = used | {partnership.key for partnership in known}
    return [
        replace(partnership, key=key or unique_slug(partnership.key, taken))
        for partnership, key in zip(parsed, keys, strict=True)
    ]
