"""Option defaults: one definition, one merge."""

from __future__ import annotations

from datetime import timedelta

from custom_components.audible_tracker.const import (
    CONF_DRY_RUN,
    CONF_POLL_INTERVAL,
    OPTION_DEFAULTS,
    with_option_defaults,
)
from custom_components.audible_tracker.coordinator import (
    library_refresh_interval,
    poll_interval,
    poll_schedule,
)
from custom_components.audible_tracker.core.polling import PollSchedule
from custom_components.audible_tracker.core.sync import SyncMode, SyncOptions
from custom_components.audible_tracker.sync_runner import sync_options_from


def test_missing_options_take_their_defaults() -> None:
    merged = with_option_defaults({CONF_POLL_INTERVAL: 120})
    assert merged == {**OPTION_DEFAULTS, CONF_POLL_INTERVAL: 120}
    # The defaults themselves are never changed through a merge.
    merged[CONF_DRY_RUN] = True
    assert OPTION_DEFAULTS[CONF_DRY_RUN] is False


def test_an_entry_without_options_runs_on_the_defaults() -> None:
    assert poll_interval({}) == timedelta(minutes=2)
    assert poll_schedule({}) == PollSchedule(
        fast=timedelta(minutes=2), idle=timedelta(minutes=15)
    )
    assert library_refresh_interval({}) == timedelta(hours=6)
    assert sync_options_from({}) == (
        SyncOptions(
            mode=SyncMode.BIDIRECTIONAL,
            threshold_s=5.0,
            skew_window_s=60.0,
            cooldown_s=600.0,
        ),
        False,
    )
