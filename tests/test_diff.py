"""Change detection: what a policy officer is told, given two observations of the page."""

from dataclasses import replace

from snapshots.diff import carry_over, changed_passage, diff_snapshots, importance
from snapshots.identity import assign_keys
from snapshots.model import ActionPlan, Change, Document, FuturiumPage, Partnership, Start

LINK = "https://futurium.ec.europa.eu/en/urban-agenda/housing"
DRAFT = ActionPlan("draft", "concept!", "https://futurium.ec.europa.eu/housing-draft.pdf")
FINAL = ActionPlan(
    "final", "november 2017.", "https://futurium.ec.europa.eu/housing.pdf", "2017-11"
)
REPORT = Document("Final report", "https://futurium.ec.europa.eu/report.pdf")
MINUTES = Document("Minutes", "https://futurium.ec.europa.eu/minutes.pdf")
PAGE = FuturiumPage(title="Housing", intro="Affordable housing.", documents=(REPORT,))


def housing(**fields) -> Partnership:
    """The Housing partnership, with some fields changed."""
    base = Partnership(
        key="housing",
        name="Housing",
        status="ongoing",
        summary="Het partnerschap Huisvesting.",
        focus=("betaalbare woningen",),
        coordinators=("Slovakije", "Wenen"),
        start=Start(2016, None, "voorjaar 2016"),
        futurium_url=LINK,
        action_plan=ActionPlan("none", "Nog geen actieplan"),
        futurium=PAGE,
    )
    return replace(base, **fields)


def mobility(**fields) -> Partnership:
    """The Urban Mobility partnership, with some fields changed."""
    return replace(
        Partnership(key="urban-mobility", name="Urban Mobility", status="ongoing"), **fields
    )


def only_change(**fields) -> Change:
    """The single change between Housing and Housing with these fields changed."""
    (change,) = diff_snapshots([housing()], [housing(**fields)])
    return change


def summary(changes: list[Change]) -> list[tuple]:
    return [(change.kind, change.key, change.field, change.old, change.new) for change in changes]


def test_identical_observations_have_no_changes():
    assert diff_snapshots([housing(), mobility()], [housing(), mobility()]) == []


def test_the_order_of_blocks_is_not_a_change():
    assert diff_snapshots([housing(), mobility()], [mobility(), housing()]) == []


def test_a_new_block_is_an_added_partnership_with_its_whole_record():
    (change,) = diff_snapshots([housing()], [housing(), mobility()])
    assert (change.kind, change.key, change.name, change.field) == (
        "partnership_added",
        "urban-mobility",
        "Urban Mobility",
        None,
    )
    assert change.old is None
    assert change.new["name"] == "Urban Mobility" and change.new["focus"] == []


def test_a_missing_block_is_a_removed_partnership_with_its_last_record():
    (change,) = diff_snapshots([housing(), mobility()], [housing()])
    assert (change.kind, change.key, change.name) == (
        "partnership_removed",
        "urban-mobility",
        "Urban Mobility",
    )
    assert change.old["status"] == "ongoing" and change.new is None


def test_a_rename_is_reported_as_such_under_the_new_name():
    change = only_change(name="Affordable Housing")
    assert (change.kind, change.name, change.field, change.old, change.new) == (
        "partnership_renamed",
        "Affordable Housing",
        "name",
        "Housing",
        "Affordable Housing",
    )


def test_a_renamed_block_is_never_removed_and_added():
    keyed = assign_keys([housing()], [housing(key="affordable-housing", name="Affordable Housing")])
    assert [change.kind for change in diff_snapshots([housing()], keyed)] == ["partnership_renamed"]


def test_a_move_to_another_section_is_a_status_change():
    change = only_change(status="completed")
    assert (change.kind, change.field, change.old, change.new) == (
        "status_changed",
        "status",
        "ongoing",
        "completed",
    )


def test_an_action_plan_that_advances_is_published():
    steps = [
        (ActionPlan("none"), DRAFT),
        (ActionPlan("none"), FINAL),
        (DRAFT, FINAL),
        (None, DRAFT),
        (DRAFT, replace(DRAFT, url="https://futurium.ec.europa.eu/housing-draft-2.pdf")),
        (replace(DRAFT, url=None), DRAFT),
    ]
    for before, after in steps:
        (change,) = diff_snapshots([housing(action_plan=before)], [housing(action_plan=after)])
        assert change.kind == "action_plan_published", (before, after)


def test_any_other_action_plan_change_is_a_change_not_a_publication():
    steps = [
        (FINAL, DRAFT),
        (DRAFT, replace(DRAFT, label="concept")),
        (FINAL, replace(FINAL, date="2017-12")),
        (DRAFT, replace(DRAFT, url=None)),
        (DRAFT, None),
        (None, ActionPlan("none", "Nog geen actieplan")),
    ]
    for before, after in steps:
        (change,) = diff_snapshots([housing(action_plan=before)], [housing(action_plan=after)])
        assert change.kind == "action_plan_changed", (before, after)


def test_an_action_plan_change_carries_both_plans_as_plain_data():
    change = only_change(action_plan=DRAFT)
    assert change.field == "action_plan"
    assert change.old == {"state": "none", "label": "Nog geen actieplan", "url": None, "date": None}
    assert change.new["state"] == "draft" and change.new["url"] == DRAFT.url


def test_new_coordinators_are_reported_as_lists():
    change = only_change(coordinators=("Wenen", "Amsterdam"))
    assert (change.kind, change.field, change.old, change.new) == (
        "coordinators_changed",
        "coordinators",
        ["Slovakije", "Wenen"],
        ["Wenen", "Amsterdam"],
    )


def test_coordinators_named_in_another_order_are_not_a_change():
    assert diff_snapshots([housing()], [housing(coordinators=("Wenen", "Slovakije"))]) == []


def test_details_name_the_field_that_changed():
    assert summary([only_change(summary="Nieuw.")])[0][2:] == (
        "summary",
        "Het partnerschap Huisvesting.",
        "Nieuw.",
    )
    assert only_change(focus=("sociale huur",)).new == ["sociale huur"]
    assert only_change(start=Start(2016, 5, "mei 2016")).new == {
        "year": 2016,
        "month": 5,
        "text": "mei 2016",
    }
    moved = "https://urbanagenda.urban-initiative.eu/partnerships/housing"
    assert summary([only_change(futurium_url=moved)]) == [
        ("details_changed", "housing", "futurium_url", LINK, moved)
    ]


def test_changes_of_one_partnership_come_in_the_contracts_order():
    changed = housing(name="Affordable Housing", status="completed", action_plan=FINAL, summary="")
    kinds = [change.kind for change in diff_snapshots([housing()], [changed])]
    assert kinds == [
        "partnership_renamed",
        "status_changed",
        "action_plan_published",
        "details_changed",
    ]


def test_changes_follow_page_order_with_removals_last():
    culture = Partnership(key="culture", name="Culture", status="announced")
    changes = diff_snapshots(
        [housing(), culture, mobility()],
        [
            mobility(status="completed"),
            Partnership("security", "Security", "announced"),
            housing(status="completed"),
        ],
    )
    assert [(change.key, change.kind) for change in changes] == [
        ("urban-mobility", "status_changed"),
        ("security", "partnership_added"),
        ("housing", "status_changed"),
        ("culture", "partnership_removed"),
    ]


def test_documents_are_added_and_removed_one_by_one_by_url():
    page = replace(PAGE, documents=(MINUTES,))
    assert summary(diff_snapshots([housing()], [housing(futurium=page)])) == [
        (
            "futurium_document_added",
            "housing",
            "documents",
            None,
            {"title": "Minutes", "url": MINUTES.url},
        ),
        (
            "futurium_document_removed",
            "housing",
            "documents",
            {"title": "Final report", "url": REPORT.url},
            None,
        ),
    ]


def test_a_document_retitled_at_the_same_url_is_no_document_change():
    page = replace(PAGE, documents=(replace(REPORT, title="Final report (2018)"),))
    assert diff_snapshots([housing()], [housing(futurium=page)]) == []


def test_a_new_page_title_is_a_page_change():
    change = only_change(futurium=replace(PAGE, title="Housing Partnership"))
    assert (change.kind, change.field, change.old, change.new) == (
        "futurium_page_changed",
        "title",
        "Housing",
        "Housing Partnership",
    )


def test_a_text_change_is_shown_as_a_short_excerpt_around_the_change():
    words = [f"word{number}" for number in range(2000)]
    edited = words[:1000] + ["CHANGED"] + words[1001:]
    page = replace(PAGE, intro="", text=" ".join(words))
    (change,) = diff_snapshots(
        [housing(futurium=page)], [housing(futurium=replace(page, text=" ".join(edited)))]
    )
    assert (change.kind, change.field) == ("futurium_page_changed", "text")
    assert "word1000" in change.old and "CHANGED" not in change.old
    assert "CHANGED" in change.new and "word1000" not in change.new
    assert change.new.startswith("… ") and change.new.endswith(" …")
    assert len(change.old) <= 210 and len(change.new) <= 210


def test_a_long_changed_passage_is_cut_short():
    old, new = changed_passage(["intro"], ["intro"] + ["nieuw"] * 200)
    assert old == "intro"
    assert new.startswith("intro nieuw") and new.endswith(" …") and len(new) <= 210


def test_a_page_seen_for_the_first_time_gives_no_page_events():
    assert diff_snapshots([housing(futurium=None)], [housing()]) == []
    assert diff_snapshots([housing()], [housing(futurium=None)]) == []


def test_a_failed_futurium_page_keeps_its_last_good_data_and_reports_nothing():
    parsed_now = [housing(futurium=None), mobility()]
    kept = carry_over([housing(), mobility()], parsed_now, failed_urls={LINK})
    assert kept == [housing(), mobility()]
    assert diff_snapshots([housing()], [kept[0]]) == []


def test_carry_over_leaves_pages_that_were_read_alone():
    fresh = housing(futurium=replace(PAGE, title="New"))
    assert carry_over([housing()], [fresh], failed_urls=set()) == [fresh]
    assert carry_over([], [fresh], failed_urls={LINK}) == [fresh]


def test_importance_puts_news_before_housekeeping():
    changes = diff_snapshots(
        [housing(), mobility()],
        [
            housing(futurium=replace(PAGE, title="New"), status="completed"),
            Partnership("x", "X", "announced"),
        ],
    )
    ranked = [change.kind for change in sorted(changes, key=importance)]
    assert ranked == [
        "partnership_added",
        "status_changed",
        "partnership_removed",
        "futurium_page_changed",
    ]


class Watcher:
    """Identity, carry-over and diff chained as a run does, remembering what it has seen."""

    def __init__(self) -> None:
        self.known: dict[str, Partnership] = {}
        self.current: list[Partnership] = []

    def observe(self, *blocks: Partnership, failed: frozenset[str] = frozenset()) -> list[tuple]:
        """One good run over these blocks (provisional keys): the changes, briefly."""
        keyed = assign_keys(list(self.known.values()), blocks)
        keyed = carry_over(list(self.known.values()), keyed, failed)
        changes = diff_snapshots(self.current, keyed)
        self.known.update((partnership.key, partnership) for partnership in keyed)
        self.current = keyed
        return [(change.kind, change.key, change.name, change.field) for change in changes]


def test_a_season_of_observations_reports_exactly_what_happened():
    air_link = "https://futurium.ec.europa.eu/en/urban-agenda/air-quality"
    air_page = FuturiumPage(title="Air Quality", documents=(REPORT,), text="Cleaner air in cities.")
    air = Partnership(
        "air-quality",
        "Air Quality",
        "ongoing",
        futurium_url=air_link,
        action_plan=DRAFT,
        futurium=air_page,
    )
    culture = Partnership("culture", "Culture", "announced", coordinators=("Duitsland", "Italië"))
    security = Partnership("security", "Security", "announced")
    watcher = Watcher()

    assert [kind for kind, *_ in watcher.observe(housing(), air, culture)] == [
        "partnership_added"
    ] * 3
    assert watcher.observe(culture, air, housing()) == []
    assert watcher.observe(housing(action_plan=DRAFT), air, replace(culture, status="ongoing")) == [
        ("action_plan_published", "housing", "Housing", "action_plan"),
        ("status_changed", "culture", "Culture", "status"),
    ]
    renamed_air = replace(air, key="air-quality-and-health", name="Air Quality and Health")
    assert watcher.observe(
        housing(action_plan=DRAFT), renamed_air, replace(culture, status="ongoing")
    ) == [
        ("partnership_renamed", "air-quality", "Air Quality and Health", "name"),
    ]
    assert watcher.observe(security, housing(action_plan=DRAFT), renamed_air) == [
        ("partnership_added", "security", "Security", None),
        ("partnership_removed", "culture", "Culture", None),
    ]
    done = housing(status="completed", action_plan=FINAL)
    assert watcher.observe(security, done, renamed_air) == [
        ("status_changed", "housing", "Housing", "status"),
        ("action_plan_published", "housing", "Housing", "action_plan"),
    ]
    assert watcher.observe(security, done, renamed_air, culture) == [
        ("partnership_added", "culture", "Culture", None),
    ]
    # Back to a state seen before: still a change, in the other direction.
    assert watcher.observe(security, housing(action_plan=DRAFT), renamed_air, culture) == [
        ("status_changed", "housing", "Housing", "status"),
        ("action_plan_changed", "housing", "Housing", "action_plan"),
    ]
    unreadable_air = replace(renamed_air, futurium=None)
    coordinated = replace(security, coordinators=("Nice (FR)",))
    assert watcher.observe(
        coordinated,
        housing(action_plan=DRAFT),
        unreadable_air,
        culture,
        failed=frozenset({air_link}),
    ) == [("coordinators_changed", "security", "Security", "coordinators")]
    grown_page = replace(air_page, documents=(REPORT, MINUTES))
    assert watcher.observe(
        coordinated, housing(action_plan=DRAFT), replace(renamed_air, futurium=grown_page), culture
    ) == [("futurium_document_added", "air-quality", "Air Quality and Health", "documents")]
    assert watcher.observe(coordinated, housing(action_plan=DRAFT), culture) == [
        ("partnership_removed", "air-quality", "Air Quality and Health", None),
    ]


def test_a_changed_intro_is_a_change_of_the_page_text():
    change = only_change(futurium=replace(PAGE, intro="Betaalbare woningen."))
    assert (change.field, change.old, change.new) == (
        "text",
        "Affordable housing.",
        "Betaalbare woningen.",
    )


def test_a_new_futurium_link_is_a_detail_not_a_change_of_page():
    old_page = FuturiumPage(title="Housing", documents=(Document("Plan", "https://a.eu/plan.pdf"),))
    new_page = FuturiumPage(title="Housing partnership", text="Moved to the new site.")
    was = Partnership(
        key="housing",
        name="Housing",
        status="ongoing",
        futurium_url="https://ec.europa.eu/futurium/en/housing",
        futurium=old_page,
    )
    now = replace(was, futurium_url="https://urbanagenda.urban-initiative.eu/partnerships/housing",
                  futurium=new_page)  # fmt: skip
    assert [(c.kind, c.field) for c in diff_snapshots([was], [now])] == [
        ("details_changed", "futurium_url")
    ]


def test_a_failed_page_at_a_new_link_carries_nothing_over():
    was = Partnership(key="housing", name="Housing", status="ongoing",
                      futurium_url="https://ec.europa.eu/futurium/en/housing",
                      futurium=FuturiumPage(title="Housing"))  # fmt: skip
    moved = replace(
        was, futurium_url="https://urbanagenda.urban-initiative.eu/housing", futurium=None
    )
    [kept] = carry_over([was], [moved], {moved.futurium_url})
    assert kept.futurium is None
    [same] = carry_over([was], [replace(was, futurium=None)], {was.futurium_url})
    assert same.futurium == was.futurium
