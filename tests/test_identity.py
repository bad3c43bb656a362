"""Stable keys: a partnership keeps its key through renames, moves and absences."""

from snapshots.identity import assign_keys, name_identity, unique_slug
from snapshots.model import Partnership

HOUSING_LINK = "https://futurium.ec.europa.eu/en/urban-agenda/housing"


def parsed(name: str, link: str | None = None) -> Partnership:
    """A block as the parser returns it: keyed provisionally by the slug of its name."""
    slug = "-".join(name.lower().split())
    return Partnership(key=slug, name=name, status="ongoing", futurium_url=link)


def known(key: str, name: str, link: str | None = None) -> Partnership:
    """A partnership the database has seen before, under its stable key."""
    return Partnership(key=key, name=name, status="ongoing", futurium_url=link)


def keys(records: list[Partnership]) -> list[str]:
    return [record.key for record in records]


def test_first_run_uses_the_parsers_slugs_in_page_order():
    result = assign_keys([], [parsed("Housing"), parsed("Urban Mobility")])
    assert keys(result) == ["housing", "urban-mobility"]
    assert [record.name for record in result] == ["Housing", "Urban Mobility"]


def test_a_renamed_partnership_keeps_its_key_by_its_futurium_link():
    before = [known("housing", "Housing", HOUSING_LINK)]
    result = assign_keys(before, [parsed("Affordable Housing", HOUSING_LINK)])
    assert keys(result) == ["housing"]
    assert result[0].name == "Affordable Housing"


def test_a_partnership_with_a_new_link_keeps_its_key_by_its_name():
    before = [known("housing", "Housing", HOUSING_LINK)]
    result = assign_keys(before, [parsed("Housing", "https://urbanagenda.eu/housing")])
    assert keys(result) == ["housing"]


def test_name_matching_ignores_case_and_whitespace():
    before = [known("urban-mobility", "Urban Mobility")]
    assert keys(assign_keys(before, [parsed(" urban  mobility ")])) == ["urban-mobility"]


def test_a_new_name_and_a_new_link_make_a_new_partnership():
    before = [known("housing", "Housing", HOUSING_LINK)]
    result = assign_keys(before, [parsed("Affordable Housing", "https://urbanagenda.eu/ah")])
    assert keys(result) == ["affordable-housing"]


def test_two_new_blocks_with_the_same_name_get_distinct_keys():
    result = assign_keys([], [parsed("Housing"), parsed("Housing")])
    assert keys(result) == ["housing", "housing-2"]


def test_a_known_key_goes_to_one_block_only():
    before = [known("housing", "Housing")]
    result = assign_keys(before, [parsed("Housing"), parsed("Housing")])
    assert keys(result) == ["housing", "housing-2"]


def test_a_removed_partnership_that_reappears_gets_its_old_key():
    removed = [known("culture", "Culture and Cultural Heritage")]
    result = assign_keys(removed, [parsed("Culture and Cultural Heritage")])
    assert keys(result) == ["culture"]


def test_a_new_key_never_reuses_a_removed_partnerships_key():
    removed = [known("housing", "Housing (old)"), known("housing-2", "Housing 2")]
    assert keys(assign_keys(removed, [parsed("Housing")])) == ["housing-3"]


def test_the_link_is_claimed_before_the_name():
    # Housing was renamed, and a new block further up took over its old name.
    before = [known("housing", "Housing", HOUSING_LINK)]
    result = assign_keys(before, [parsed("Housing"), parsed("Affordable Housing", HOUSING_LINK)])
    assert keys(result) == ["housing-2", "housing"]


def test_partnerships_sharing_a_link_are_told_apart_by_name():
    shared = "https://futurium.ec.europa.eu/en/urban-agenda"
    before = [known("housing", "Housing", shared), known("mobility", "Urban Mobility", shared)]
    result = assign_keys(before, [parsed("Urban Mobility", shared), parsed("Housing", shared)])
    assert keys(result) == ["mobility", "housing"]


def test_unique_slug_counts_up_and_reserves_the_result():
    taken = {"housing"}
    assert unique_slug("housing", taken) == "housing-2"
    assert unique_slug("housing", taken) == "housing-3"
    assert unique_slug("", taken) == "partnership"


def test_name_identity_ignores_case_and_spacing():
    assert name_identity("Jobs and  Skills\u00a0in the Local Economy") == name_identity(
        "jobs and skills in the local economy"
    )


def test_namesakes_on_one_page_get_distinct_keys():
    first = Partnership(key="housing", name="Housing", status="ongoing", summary="Een.")
    second = Partnership(key="housing", name="Housing", status="ongoing", summary="Twee.")
    assert [p.key for p in assign_keys([], [first, second])] == ["housing", "housing-2"]
