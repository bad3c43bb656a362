"""Every fixed text of the emails, per language: one layout serves both, translators edit here."""

from __future__ import annotations

from typing import Any

WORDS: dict[str, dict[str, Any]] = {
    "nl": {
        "tagline": "partnerwatch — wijzigingen in de Europese Partnerschappen",
        "run": "Run {run_id}",
        "intro": (
            "Bij de laatste controle van de overzichtspagina vond partnerwatch "
            "{changes} bij {partnerships}."
        ),
        "change": ("wijziging", "wijzigingen"),
        "partnership": ("partnerschap", "partnerschappen"),
        "overview": "Overzichtspagina",
        "futurium": "Futurium-pagina",
        "action_plan": "Actieplan",
        "footer": (
            "Je ontvangt dit bericht omdat je adres bij email.recipients in de configuratie "
            "van partnerwatch staat. Wil je andere of geen berichten meer, vraag dan de "
            "beheerder om die lijst (of email.enabled) aan te passen."
        ),
        "failing_subject": "Overzichtspagina niet leesbaar ({failures} mislukte runs op rij)",
        "failing_heading": "De overzichtspagina kan niet worden gelezen",
        "failing_text": (
            "De laatste {failures} runs konden de overzichtspagina niet lezen. Tot het weer "
            "lukt, worden er geen wijzigingen gemeld. Laatste oorzaak:"
        ),
        "recovered_subject": "Overzichtspagina weer leesbaar",
        "recovered_heading": "De overzichtspagina kan weer worden gelezen",
        "recovered_text": (
            "Na {failures} mislukte runs is de overzichtspagina weer gelezen; wijzigingen "
            "worden weer gemeld. Vorige oorzaak:"
        ),
        "status": {"announced": "aangekondigd", "ongoing": "lopend", "completed": "afgerond"},
        "plan": {"none": "geen actieplan", "draft": "concept", "final": "definitief"},
        "unknown": "niet vermeld",
        "months": (
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ),  # fmt: skip
        "label": {
            "partnership_added": "Nieuw partnerschap",
            "status_changed": "Status",
            "action_plan_published": "Actieplan gepubliceerd",
            "partnership_renamed": "Naam",
            "partnership_removed": "Niet meer op de overzichtspagina",
            "action_plan_changed": "Actieplan gewijzigd",
            "coordinators_changed": "Coördinatoren",
            "futurium_document_added": "Nieuw document op Futurium",
            "futurium_document_removed": "Document niet meer op Futurium",
            "summary": "Beschrijving",
            "focus": "Focus",
            "start": "Start",
            "futurium_url": "Futurium-link",
            "title": "Titel van de Futurium-pagina",
            "text": "Tekst van de Futurium-pagina",
        },
        "phrase": {
            "partnership_added": "toegevoegd",
            "action_plan_published": "actieplan gepubliceerd",
            "partnership_renamed": "hernoemd",
            "partnership_removed": "verwijderd",
            "action_plan_changed": "actieplan gewijzigd",
            "coordinators_changed": "coördinatoren gewijzigd",
            "details_changed": "gegevens gewijzigd",
            "futurium_document_added": "nieuw document op Futurium",
            "futurium_document_removed": "document van Futurium verdwenen",
            "futurium_page_changed": "Futurium-pagina gewijzigd",
        },
    },
    "en": {
        "tagline": "partnerwatch — changes in the European Partnerships",
        "run": "Run {run_id}",
        "intro": "The latest check of the overview page found {changes} in {partnerships}.",
        "change": ("change", "changes"),
        "partnership": ("partnership", "partnerships"),
        "overview": "Overview page",
        "futurium": "Futurium page",
        "action_plan": "Action plan",
        "footer": (
            "You receive this message because your address is listed under email.recipients "
            "in partnerwatch's configuration. To receive other messages or none at all, ask "
            "its administrator to change that list (or email.enabled)."
        ),
        "failing_subject": "Overview page cannot be read ({failures} failed runs in a row)",
        "failing_heading": "The overview page cannot be read",
        "failing_text": (
            "The last {failures} runs could not read the overview page. Until they can, no "
            "changes are reported. Latest cause:"
        ),
        "recovered_subject": "Overview page can be read again",
        "recovered_heading": "The overview page can be read again",
        "recovered_text": (
            "After {failures} failed runs the overview page was read again; changes are "
            "reported again. Previous cause:"
        ),
        "status": {"announced": "announced", "ongoing": "ongoing", "completed": "completed"},
        "plan": {"none": "no action plan", "draft": "draft", "final": "final"},
        "unknown": "not stated",
        "months": (
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ),  # fmt: skip
        "label": {
            "partnership_added": "New partnership",
            "status_changed": "Status",
            "action_plan_published": "Action plan published",
            "partnership_renamed": "Name",
            "partnership_removed": "No longer on the overview page",
            "action_plan_changed": "Action plan changed",
            "coordinators_changed": "Coordinators",
            "futurium_document_added": "New document on Futurium",
            "futurium_document_removed": "Document no longer on Futurium",
            "summary": "Description",
            "focus": "Focus",
            "start": "Start",
            "futurium_url": "Futurium link",
            "title": "Title of the Futurium page",
            "text": "Text of the Futurium page",
        },
        "phrase": {
            "partnership_added": "added",
            "action_plan_published": "action plan published",
            "partnership_renamed": "renamed",
            "partnership_removed": "removed",
            "action_plan_changed": "action plan changed",
            "coordinators_changed": "coordinators changed",
            "details_changed": "details changed",
            "futurium_document_added": "new Futurium document",
            "futurium_document_removed": "Futurium document removed",
            "futurium_page_changed": "Futurium page changed",
        },
    },
}
