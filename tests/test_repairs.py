"""Tests for the conflict repairs: issues, and their fix flow."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.audible_tracker.const import DOMAIN
from custom_components.audible_tracker.repairs import conflict_issue_id
from tests.conftest import make_entry, setup_integration
from tests.fakes.abs_server import FakeAbsServer
from tests.fakes.audible_server import FakeAudible

NEW_SPRING = "B0PREQUEL5"  # in progress on Audible
OMNIBUS = "B0OMNIBUS1"  # not started


@pytest.fixture
def new_spring_twice(abs_world: FakeAbsServer) -> tuple[str, str]:
    """Two ABS books that could both be New Spring: a matching conflict."""
    return (
        abs_world.add_book("New Spring", authors=["Robert Jordan"], duration=36000),
        abs_world.add_book("New Spring", authors=["Robert Jordan"], duration=35000),
    )


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    new_spring_twice: tuple[str, str],
) -> MockConfigEntry:
    """A loaded entry whose New Spring is a conflict; repairs set up."""
    assert await async_setup_component(hass, "repairs", {})
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    return entry


def our_issues(issue_registry: ir.IssueRegistry) -> dict[str, ir.IssueEntry]:
    return {
        issue_id: issue
        for (domain, issue_id), issue in issue_registry.issues.items()
        if domain == DOMAIN
    }


async def start_fix_flow(hass: HomeAssistant, issue_id: str) -> dict[str, Any]:
    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(DOMAIN, context={"issue_id": issue_id})
    return dict(result)


async def configure(
    hass: HomeAssistant, flow_id: str, user_input: dict[str, Any]
) -> dict[str, Any]:
    manager = repairs_flow_manager(hass)
    assert manager is not None
    return dict(await manager.async_configure(flow_id, user_input))


async def test_conflict_of_a_book_in_progress_is_a_fixable_issue(
    hass: HomeAssistant, entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    issue_id = conflict_issue_id(entry.entry_id, NEW_SPRING)
    assert set(our_issues(issue_registry)) == {issue_id}
    issue = our_issues(issue_registry)[issue_id]
    assert issue.is_fixable
    assert issue.severity is ir.IssueSeverity.WARNING
    assert issue.translation_key == "match_conflict"
    assert issue.translation_placeholders == {
        "title": "New Spring",
        "authors": "Robert Jordan",
    }
    assert issue.data == {"entry_id": entry.entry_id, "asin": NEW_SPRING}


async def test_conflict_of_a_book_not_in_progress_is_no_issue(
    hass: HomeAssistant,
    mock_audible: FakeAudible,
    abs_world: FakeAbsServer,
    issue_registry: ir.IssueRegistry,
    freezer: Any,
) -> None:
    for duration in (180000, 170000):
        abs_world.add_book(
            "The Wheel Omnibus", authors=["Robert Jordan"], duration=duration
        )
    entry = make_entry(abs_url=abs_world.url)
    await setup_integration(hass, entry)
    assert OMNIBUS in entry.runtime_data.library.data.match.conflicts
    assert our_issues(issue_registry) == {}
    # It becomes one when the book is started.
    mock_audible.set_listening(OMNIBUS, percent_complete=1.0)
    for _ in range(6):
        freezer.tick(timedelta(minutes=5))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
    assert set(our_issues(issue_registry)) == {
        conflict_issue_id(entry.entry_id, OMNIBUS)
    }


async def test_fix_flow_lists_the_candidates_and_links_the_chosen_one(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    new_spring_twice: tuple[str, str],
) -> None:
    issue_id = conflict_issue_id(entry.entry_id, NEW_SPRING)
    result = await start_fix_flow(hass, issue_id)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "init"
    assert result["menu_options"] == ["choose", "ignore"]
    assert result["description_placeholders"] == {
        "title": "New Spring",
        "authors": "Robert Jordan",
    }
    result = await configure(hass, result["flow_id"], {"next_step_id": "choose"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "choose"
    selector = result["data_schema"].schema["choice"]
    options = selector.config["options"]
    assert {option["value"] for option in options} == set(new_spring_twice)
    for option in options:
        # The title, its authors and the score.
        assert option["label"].startswith("New Spring - Robert Jordan (")
        score = option["label"].removeprefix("New Spring - Robert Jordan (")
        assert 60 <= int(score.removesuffix(")")) <= 100
    chosen = new_spring_twice[1]
    result = await configure(hass, result["flow_id"], {"choice": chosen})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    link = entry.runtime_data.library.data.match.links[NEW_SPRING]
    assert (link.item_id, link.method) == (chosen, "manual")
    assert entry.runtime_data.deps.store.data.manual_links == {NEW_SPRING: chosen}
    assert our_issues(issue_registry) == {}


async def test_fix_flow_choice_no_longer_there(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    abs_world: FakeAbsServer,
    issue_registry: ir.IssueRegistry,
    new_spring_twice: tuple[str, str],
) -> None:
    issue_id = conflict_issue_id(entry.entry_id, NEW_SPRING)
    result = await start_fix_flow(hass, issue_id)
    result = await configure(hass, result["flow_id"], {"next_step_id": "choose"})
    # While the list is open, the chosen book is deleted on ABS (and a third
    # copy added, so that the title stays a conflict).
    gone, kept = new_spring_twice
    third = abs_world.add_book("New Spring", authors=["Robert Jordan"], duration=1)
    abs_world.remove_item(gone)
    library = entry.runtime_data.library
    library.request_abs_index()
    await library.async_refresh()
    result = await configure(hass, result["flow_id"], {"choice": gone})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "invalid_choice"}
    options = result["data_schema"].schema["choice"].config["options"]
    assert {option["value"] for option in options} == {kept, third}
    assert NEW_SPRING not in library.data.match.links
    assert set(our_issues(issue_registry)) == {issue_id}
    result = await configure(hass, result["flow_id"], {"choice": kept})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert library.data.match.links[NEW_SPRING].item_id == kept


async def test_fix_flow_ignore(
    hass: HomeAssistant, entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    issue_id = conflict_issue_id(entry.entry_id, NEW_SPRING)
    result = await start_fix_flow(hass, issue_id)
    result = await configure(hass, result["flow_id"], {"next_step_id": "ignore"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    match = entry.runtime_data.library.data.match
    assert NEW_SPRING not in match.conflicts
    assert NEW_SPRING not in match.links
    assert entry.runtime_data.deps.store.data.ignored == {NEW_SPRING}
    assert our_issues(issue_registry) == {}


async def test_issue_goes_when_the_action_resolves_it(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    new_spring_twice: tuple[str, str],
) -> None:
    assert our_issues(issue_registry) != {}
    await hass.services.async_call(
        DOMAIN,
        "resolve_conflict",
        {
            "config_entry_id": entry.entry_id,
            "asin": NEW_SPRING,
            "abs_item_id": new_spring_twice[0],
        },
        blocking=True,
    )
    assert our_issues(issue_registry) == {}


@pytest.mark.parametrize("step", ["choose", "ignore"])
async def test_fix_flow_aborts_when_resolved_meanwhile(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    new_spring_twice: tuple[str, str],
    step: str,
) -> None:
    issue_id = conflict_issue_id(entry.entry_id, NEW_SPRING)
    result = await start_fix_flow(hass, issue_id)
    if step == "choose":
        result = await configure(hass, result["flow_id"], {"next_step_id": "choose"})
        user_input: dict[str, Any] = {"choice": new_spring_twice[1]}
    else:
        user_input = {"next_step_id": "ignore"}
    # Resolved elsewhere (the action, another browser) while the flow is open.
    await hass.services.async_call(
        DOMAIN,
        "link",
        {
            "config_entry_id": entry.entry_id,
            "asin": NEW_SPRING,
            "abs_item_id": new_spring_twice[0],
        },
        blocking=True,
    )
    result = await configure(hass, result["flow_id"], user_input)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "title_gone"
    # The link made meanwhile stands.
    link = entry.runtime_data.library.data.match.links[NEW_SPRING]
    assert link.item_id == new_spring_twice[0]
    assert entry.runtime_data.deps.store.data.ignored == set()


async def test_fix_flow_aborts_when_the_entry_is_unloaded(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    issue_id = conflict_issue_id(entry.entry_id, NEW_SPRING)
    open_flow = await start_fix_flow(hass, issue_id)
    assert await hass.config_entries.async_unload(entry.entry_id)
    result = await configure(hass, open_flow["flow_id"], {"next_step_id": "choose"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "title_gone"
    # Unloading takes the entry's issues away; they come back with it.
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None


async def test_issues_are_removed_with_the_entry(
    hass: HomeAssistant, entry: MockConfigEntry, issue_registry: ir.IssueRegistry
) -> None:
    assert our_issues(issue_registry) != {}
    ir.async_create_issue(
        hass,
        "other_integration",
        "its_issue",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="its_issue",
    )
    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert our_issues(issue_registry) == {}
    assert issue_registry.async_get_issue("other_integration", "its_issue")


async def test_candidates_of_a_title_without_conflict(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    # Only a conflict has candidates to offer; a linked title has none.
    assert entry.runtime_data.library.candidates("B0LESMIS01") == ()
