"""Repairs: a fixable issue for each matching conflict of a book in progress."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import probatio
from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import AbortFlow
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from .const import DOMAIN

if TYPE_CHECKING:
    from .runtime import AudibleTrackerConfigEntry

ISSUE_CONFLICT: Final = "match_conflict"
CONF_CHOICE: Final = "choice"


def conflict_issue_id(entry_id: str, asin: str) -> str:
    """Return the issue id of one title's conflict."""
    return f"{ISSUE_CONFLICT}_{entry_id}_{asin}"


@callback
def async_update_conflict_issues(
    hass: HomeAssistant, entry: AudibleTrackerConfigEntry
) -> None:
    """Raise an issue per conflict of a book in progress; drop resolved ones."""
    runtime = entry.runtime_data
    library = runtime.library.data
    snapshot = runtime.progress.data.snapshot
    in_progress = {book.asin for book in snapshot.in_progress if book.asin}
    wanted: dict[str, str] = {
        conflict_issue_id(entry.entry_id, asin): asin
        for asin in library.match.conflicts
        if asin in in_progress and asin in library.titles
    }
    registry = ir.async_get(hass)
    prefix = f"{ISSUE_CONFLICT}_{entry.entry_id}_"
    for (domain, issue_id), _issue in list(registry.issues.items()):
        if domain == DOMAIN and issue_id.startswith(prefix) and issue_id not in wanted:
            ir.async_delete_issue(hass, DOMAIN, issue_id)
    for issue_id, asin in wanted.items():
        title = library.titles[asin]
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=True,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_CONFLICT,
            translation_placeholders={
                "title": title.title,
                "authors": ", ".join(title.authors),
            },
            data={"entry_id": entry.entry_id, "asin": asin},
        )


@callback
def async_delete_entry_issues(hass: HomeAssistant, entry_id: str) -> None:
    """Drop every issue of an entry (it is being removed)."""
    prefix = f"{ISSUE_CONFLICT}_{entry_id}_"
    for domain, issue_id in list(ir.async_get(hass).issues):
        if domain == DOMAIN and issue_id.startswith(prefix):
            ir.async_delete_issue(hass, DOMAIN, issue_id)


class ConflictRepairFlow(RepairsFlow):
    """Pick the Audiobookshelf book for a title, or ignore the title."""

    def __init__(self, entry_id: str, asin: str) -> None:
        """Remember which title this is about."""
        self._entry_id = entry_id
        self._asin = asin

    def _entry(self) -> AudibleTrackerConfigEntry:
        """Return the loaded entry while the title is still in conflict.

        Otherwise (resolved meanwhile, entry unloaded) the flow aborts.
        """
        entry: AudibleTrackerConfigEntry | None = (
            self.hass.config_entries.async_get_entry(self._entry_id)
        )
        if (
            entry is None
            or entry.state is not ConfigEntryState.LOADED
            or self._asin not in entry.runtime_data.library.data.match.conflicts
        ):
            raise AbortFlow("title_gone")
        return entry

    def _placeholders(self, entry: AudibleTrackerConfigEntry) -> dict[str, str]:
        title = entry.runtime_data.library.data.titles[self._asin]
        return {"title": title.title, "authors": ", ".join(title.authors)}

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Offer the choice: pick a candidate, or ignore the title."""
        entry = self._entry()
        return self.async_show_menu(
            step_id="init",
            menu_options=["choose", "ignore"],
            description_placeholders=self._placeholders(entry),
        )

    async def async_step_choose(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """List the candidates with title, author and score."""
        entry = self._entry()
        library = entry.runtime_data.library
        candidates = library.candidates(self._asin)
        errors: dict[str, str] = {}
        if user_input is not None:
            item_id = user_input[CONF_CHOICE]
            if item_id in library.data.abs_items:
                await library.async_link(self._asin, item_id)
                return self.async_create_entry(data={})
            errors["base"] = "invalid_choice"
        options = [
            SelectOptionDict(
                value=candidate.item_id,
                label=f"{candidate.title} - {', '.join(candidate.authors)}"
                f" ({candidate.score:.0f})",
            )
            for candidate in candidates
        ]
        return self.async_show_form(
            step_id="choose",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_CHOICE): SelectSelector(
                        SelectSelectorConfig(
                            options=options, mode=SelectSelectorMode.LIST
                        )
                    )
                }
            ),
            errors=errors,
            description_placeholders=self._placeholders(entry),
        )

    async def async_step_ignore(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Ignore the title: no matching, no reports."""
        entry = self._entry()
        await entry.runtime_data.library.async_ignore(self._asin)
        return self.async_create_entry(data={})


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the fix flow of a conflict issue."""
    assert data is not None  # noqa: S101 - every issue of ours carries its data
    return ConflictRepairFlow(str(data["entry_id"]), str(data["asin"]))
