"""Constants for the Audible Tracker integration."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

DOMAIN: Final = "audible_tracker"
LOGGER = logging.getLogger(__package__)

# Config entry data keys (names of secrets, not secrets).
CONF_MARKETPLACE: Final = "marketplace"
CONF_AUDIBLE_AUTH: Final = "audible_auth"
CONF_ABS_URL: Final = "abs_url"
CONF_ABS_AUTH_METHOD: Final = "abs_auth_method"
CONF_ABS_API_KEY: Final = "abs_api_key"
CONF_ABS_ACCESS_TOKEN: Final = "abs_access_token"  # noqa: S105
CONF_ABS_REFRESH_TOKEN: Final = "abs_refresh_token"  # noqa: S105
CONF_ABS_USER_ID: Final = "abs_user_id"
CONF_ABS_LIBRARIES: Final = "abs_libraries"
CONF_VERIFY_SSL: Final = "verify_ssl"
CONF_LOGIN_URL: Final = "login_url"
CONF_RESPONSE_URL: Final = "response_url"

ABS_AUTH_API_KEY: Final = "api_key"
ABS_AUTH_PASSWORD: Final = "password"  # noqa: S105

DEFAULT_POLL_INTERVAL: Final = timedelta(minutes=5)
DEFAULT_LIBRARY_REFRESH: Final = timedelta(hours=6)

# Options (options flow); all times in seconds except the library refresh.
CONF_SYNC_MODE: Final = "sync_mode"
CONF_DRY_RUN: Final = "dry_run"
CONF_POLL_INTERVAL: Final = "poll_interval"
CONF_THRESHOLD: Final = "threshold"
CONF_SKEW_WINDOW: Final = "skew_window"
CONF_COOLDOWN: Final = "cooldown"
CONF_LIBRARY_REFRESH_HOURS: Final = "library_refresh_hours"

DEFAULT_SYNC_MODE: Final = "bidirectional"
MIN_POLL_INTERVAL_S: Final = 60
DEFAULT_POLL_INTERVAL_S: Final = 300
DEFAULT_THRESHOLD_S: Final = 5.0
DEFAULT_SKEW_WINDOW_S: Final = 60.0
DEFAULT_COOLDOWN_S: Final = 600.0
DEFAULT_LIBRARY_REFRESH_HOURS: Final = 6.0

OPTION_DEFAULTS: Final[dict[str, object]] = {
    CONF_SYNC_MODE: DEFAULT_SYNC_MODE,
    CONF_DRY_RUN: False,
    CONF_POLL_INTERVAL: DEFAULT_POLL_INTERVAL_S,
    CONF_THRESHOLD: DEFAULT_THRESHOLD_S,
    CONF_SKEW_WINDOW: DEFAULT_SKEW_WINDOW_S,
    CONF_COOLDOWN: DEFAULT_COOLDOWN_S,
    CONF_LIBRARY_REFRESH_HOURS: DEFAULT_LIBRARY_REFRESH_HOURS,
}
