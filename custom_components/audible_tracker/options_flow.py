"""Options flow: sync mode, dry run and the timings, applied without a reload.

The flow applies the options to the running coordinators itself. The entry
has no update listener: Home Assistant 2026.12 refuses an update listener on
an entry whose config flow reloads it (reauth and reconfigure call
``async_update_reload_and_abort``), and ``OptionsFlowWithReload`` would
restart the integration for every change of an option.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import probatio
from homeassistant.config_entries import (
    ConfigEntryState,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from . import apply_options
from .const import (
    CONF_ABS_URL,
    CONF_COOLDOWN,
    CONF_DRY_RUN,
    CONF_FOLLOWED_AUTHORS,
    CONF_IDLE_POLL_INTERVAL,
    CONF_LIBRARY_REFRESH_HOURS,
    CONF_POLL_INTERVAL,
    CONF_SKEW_WINDOW,
    CONF_STREAK_MINIMUM,
    CONF_SYNC_MODE,
    CONF_THRESHOLD,
    MAX_IDLE_POLL_INTERVAL_S,
    MIN_POLL_INTERVAL_S,
    OPTION_DEFAULTS,
)
from .core.sync import SyncMode
from .series_coordinator import followed_authors, library_authors

if TYPE_CHECKING:
    from .runtime import AudibleTrackerRuntimeData


def _seconds(minimum: float, maximum: float, step: float = 1) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=step,
            unit_of_measurement="s",
            mode=NumberSelectorMode.BOX,
        )
    )


OPTIONS_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_SYNC_MODE): SelectSelector(
            SelectSelectorConfig(
                options=[mode.value for mode in SyncMode],
                translation_key=CONF_SYNC_MODE,
                mode=SelectSelectorMode.DROPDOWN,
            )
        ),
        probatio.Required(CONF_DRY_RUN): BooleanSelector(),
        probatio.Required(CONF_POLL_INTERVAL): _seconds(MIN_POLL_INTERVAL_S, 86400),
        probatio.Required(CONF_THRESHOLD): _seconds(1, 600),
        probatio.Required(CONF_SKEW_WINDOW): _seconds(0, 3600),
        probatio.Required(CONF_COOLDOWN): _seconds(0, 86400),
        probatio.Required(CONF_LIBRARY_REFRESH_HOURS): NumberSelector(
            NumberSelectorConfig(
                min=1,
                max=168,
                step=1,
                unit_of_measurement="h",
                mode=NumberSelectorMode.BOX,
            )
        ),
        probatio.Required(CONF_STREAK_MINIMUM): NumberSelector(
            NumberSelectorConfig(
                min=0,
                max=1440,
                step=1,
                unit_of_measurement="min",
                mode=NumberSelectorMode.BOX,
            )
        ),
        probatio.Required(CONF_IDLE_POLL_INTERVAL): _seconds(
            MIN_POLL_INTERVAL_S, MAX_IDLE_POLL_INTERVAL_S
        ),
    }
)


def _authors_selector(
    entry_authors: dict[str, str], followed: tuple[str, ...]
) -> SelectSelector:
    """Return a searchable multi-select of the library's authors, by name."""
    # Followed authors no longer in the library stay choosable (by ASIN).
    names = {asin: asin for asin in followed} | entry_authors
    return SelectSelector(
        SelectSelectorConfig(
            options=[
                SelectOptionDict(value=asin, label=name)
                for asin, name in sorted(
                    names.items(), key=lambda kv: (kv[1].casefold(), kv[0])
                )
            ],
            multiple=True,
            mode=SelectSelectorMode.DROPDOWN,
            sort=False,
        )
    )


class AudibleTrackerOptionsFlow(OptionsFlow):
    """Sync mode, dry run and the timings; applied without a restart."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and save the options."""
        entry = self.config_entry
        if user_input is not None:
            # Authors can only be chosen while the library is loaded; an
            # entry that is not keeps the ones it follows.
            user_input = {
                CONF_FOLLOWED_AUTHORS: list(followed_authors(entry.options)),
                **user_input,
            }
            # The saved options replace the old ones whole, so the running
            # coordinators get exactly what is saved. An entry that is not
            # loaded reads them at its next setup.
            if entry.state is ConfigEntryState.LOADED:
                runtime: AudibleTrackerRuntimeData = entry.runtime_data
                apply_options(runtime.library, runtime.progress, user_input)
                runtime.series.apply_options(user_input)
            return self.async_create_entry(data=user_input)
        schema = OPTIONS_SCHEMA
        if CONF_ABS_URL not in entry.data:
            # Audible only: nothing to sync, only the timings apply.
            schema = probatio.Schema(
                {
                    key: value
                    for key, value in OPTIONS_SCHEMA.schema.items()
                    if key
                    in (
                        CONF_POLL_INTERVAL,
                        CONF_LIBRARY_REFRESH_HOURS,
                        CONF_STREAK_MINIMUM,
                        CONF_IDLE_POLL_INTERVAL,
                    )
                }
            )
        if entry.state is ConfigEntryState.LOADED:
            authors = library_authors(entry.runtime_data.library.data)
            schema = schema.extend(
                {
                    probatio.Optional(CONF_FOLLOWED_AUTHORS): _authors_selector(
                        authors, followed_authors(entry.options)
                    )
                }
            )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                schema,
                {
                    **OPTION_DEFAULTS,
                    **entry.options,
                    CONF_FOLLOWED_AUTHORS: list(followed_authors(entry.options)),
                },
            ),
        )
