"""Tests for the config flow: every step, every error, reauth, reconfigure."""

from __future__ import annotations

import json
import re
import string
from collections.abc import Generator
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

import httpx
import pytest
from homeassistant.config_entries import SOURCE_USER, ConfigFlowResult
from homeassistant.const import CONF_API_KEY, CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType

from custom_components.audible_tracker.const import (
    ABS_AUTH_API_KEY,
    ABS_AUTH_PASSWORD,
    CONF_ABS_ACCESS_TOKEN,
    CONF_ABS_API_KEY,
    CONF_ABS_AUTH_METHOD,
    CONF_ABS_LIBRARIES,
    CONF_ABS_REFRESH_TOKEN,
    CONF_ABS_URL,
    CONF_ABS_USER_ID,
    CONF_AUDIBLE_AUTH,
    CONF_LOGIN_URL,
    CONF_MARKETPLACE,
    CONF_RESPONSE_URL,
    CONF_VERIFY_SSL,
    DOMAIN,
)
from custom_components.audible_tracker.core.abs_api import AbsClient
from custom_components.audible_tracker.core.exceptions import (
    AbsResponseError,
    AbsTlsError,
)
from tests.conftest import (
    AUDIBLE_USER_ID,
    UNIQUE_ID,
    auth_data,
    make_entry,
    registration_response,
)
from tests.fakes.abs_server import (
    API_KEY,
    LIBRARY_ID,
    PASSWORD,
    USER_ID,
    USERNAME,
    FakeAbsServer,
)

pytestmark = pytest.mark.usefixtures("mock_setup_entry", "mock_deregister")


@pytest.fixture
def mock_deregister() -> Generator[MagicMock]:
    """Amazon's device deregistration (an unused device is removed)."""
    with patch(
        "custom_components.audible_tracker.config_flow.deregister_device"
    ) as deregister:
        yield deregister


def deregistered(mock: MagicMock) -> list[str]:
    """The adp tokens of the devices deregistered."""
    return [call.args[0]["adp_token"] for call in mock.call_args_list]


LANDING = (
    "https://www.amazon.de/ap/maplanding?openid.assoc_handle=amzn_audible_ios_de"
    "&openid.oa2.authorization_code=ANfakeCode&openid.mode=id_res"
)


async def start_to_login(hass: HomeAssistant) -> ConfigFlowResult:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_MARKETPLACE: "de"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "audible_login"
    return result


async def start_to_abs_menu(hass: HomeAssistant) -> ConfigFlowResult:
    result = await start_to_login(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_RESPONSE_URL: LANDING}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "abs"
    return result


def current_refresh_tokens(server: FakeAbsServer) -> set[str]:
    return {session.refresh_token for session in server._sessions}


# The config flow's error texts, by key.
EN_JSON = (
    Path(__file__).parent.parent / "custom_components/audible_tracker/translations"
) / "en.json"
ERROR_TEXTS: dict[str, str] = json.loads(EN_JSON.read_text(encoding="utf-8"))["config"][
    "error"
]


def login_url(result: ConfigFlowResult) -> str:
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    return placeholders[CONF_LOGIN_URL]


def api_key_input(url: str, key: str = API_KEY) -> dict[str, Any]:
    return {CONF_URL: url, CONF_API_KEY: key, CONF_VERIFY_SSL: True}


async def test_full_flow_with_api_key(
    hass: HomeAssistant,
    mock_register: MagicMock,
    abs_server: FakeAbsServer,
    mock_setup_entry: AsyncMock,
) -> None:
    result = await start_to_login(hass)
    url = login_url(result)
    assert url.startswith("https://www.amazon.de/ap/signin?")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_RESPONSE_URL: LANDING}
    )
    # The code and the verifier and serial of the URL shown go to Amazon.
    kwargs = mock_register.call_args.kwargs
    assert kwargs["authorization_code"] == "ANfakeCode"
    assert kwargs["domain"] == "de"
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["abs_api_key", "abs_password", "abs_skip"]

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "abs_api_key"}
    )
    assert result["step_id"] == "abs_api_key"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], api_key_input(abs_server.url + "/")
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "abs_libraries"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ABS_LIBRARIES: [LIBRARY_ID]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Audible DE"
    assert result["result"].unique_id == UNIQUE_ID
    data = result["data"]
    assert data[CONF_MARKETPLACE] == "de"
    assert data[CONF_AUDIBLE_AUTH]["adp_token"] == auth_data()["adp_token"]
    assert data[CONF_AUDIBLE_AUTH]["locale_code"] == "de"
    assert data[CONF_ABS_URL] == abs_server.url
    assert data[CONF_ABS_AUTH_METHOD] == ABS_AUTH_API_KEY
    assert data[CONF_ABS_API_KEY] == API_KEY
    assert data[CONF_ABS_USER_ID] == USER_ID
    assert data[CONF_ABS_LIBRARIES] == [LIBRARY_ID]
    assert CONF_ABS_REFRESH_TOKEN not in data
    assert len(mock_setup_entry.mock_calls) == 1
    # The API key was checked against the server.
    me = abs_server.requests_to("GET", "/api/me")
    assert me
    assert me[-1].headers["Authorization"] == f"Bearer {API_KEY}"


async def test_flow_with_password_keeps_only_tokens(
    hass: HomeAssistant, mock_register: MagicMock, abs_server: FakeAbsServer
) -> None:
    result = await start_to_abs_menu(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "abs_password"}
    )
    assert result["step_id"] == "abs_password"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_URL: abs_server.url,
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: PASSWORD,
            CONF_VERIFY_SSL: False,
        },
    )
    assert result["step_id"] == "abs_libraries"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ABS_LIBRARIES: [LIBRARY_ID]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = result["data"]
    assert data[CONF_ABS_AUTH_METHOD] == ABS_AUTH_PASSWORD
    assert data[CONF_VERIFY_SSL] is False
    login = abs_server.requests_to("POST", "/login")
    assert login[0].headers["x-return-tokens"] == "true"
    # The password is never stored; the issued tokens are.
    assert PASSWORD not in str(data)
    assert CONF_PASSWORD not in data
    assert data[CONF_ABS_ACCESS_TOKEN]
    assert data[CONF_ABS_REFRESH_TOKEN]
    assert data[CONF_ABS_REFRESH_TOKEN] in current_refresh_tokens(abs_server)


async def test_flow_keeps_token_rotated_during_the_checks(
    hass: HomeAssistant, mock_register: MagicMock, abs_server: FakeAbsServer
) -> None:
    original_login = AbsClient.login

    async def login_then_expire(self: AbsClient, username: str, password: str) -> Any:
        tokens = await original_login(self, username, password)
        abs_server.expire_access_tokens()  # the next call must refresh
        return tokens

    result = await start_to_abs_menu(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "abs_password"}
    )
    with patch.object(AbsClient, "login", login_then_expire):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                CONF_URL: abs_server.url,
                CONF_USERNAME: USERNAME,
                CONF_PASSWORD: PASSWORD,
                CONF_VERIFY_SSL: True,
            },
        )
    assert result["step_id"] == "abs_libraries"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ABS_LIBRARIES: [LIBRARY_ID]}
    )
    data = result["data"]
    assert abs_server.requests_to("POST", "/auth/refresh")
    # The refresh token of the login was rotated away: the new one is kept.
    assert data[CONF_ABS_REFRESH_TOKEN] in current_refresh_tokens(abs_server)


async def test_skip_abs(hass: HomeAssistant, mock_register: MagicMock) -> None:
    result = await start_to_abs_menu(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "abs_skip"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert set(result["data"]) == {CONF_MARKETPLACE, CONF_AUDIBLE_AUTH}


@pytest.mark.parametrize(
    ("pasted", "side_effect", "error"),
    [
        ("https://www.amazon.de/ap/maplanding?openid.mode=id_res", None, "invalid_url"),
        ("", None, "invalid_url"),
        (LANDING, Exception({"error": "invalid_grant"}), "audible_login_refused"),
        (LANDING, httpx.ConnectError("unreachable"), "cannot_connect"),
    ],
)
async def test_audible_login_errors_then_success(
    hass: HomeAssistant,
    mock_register: MagicMock,
    pasted: str,
    side_effect: Exception | None,
    error: str,
) -> None:
    result = await start_to_login(hass)
    first_url = login_url(result)
    mock_register.side_effect = side_effect
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_RESPONSE_URL: pasted}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": error}
    # A code is single-use: the retry gets a new URL (new verifier and serial).
    assert login_url(result) != first_url
    if error != "cannot_connect":  # shared with Audiobookshelf: no word on links
        # The form's error says so, since the old tab may still be open.
        assert "the one you used before no longer works" in ERROR_TEXTS[error]
    mock_register.side_effect = None
    mock_register.return_value = registration_response()
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_RESPONSE_URL: LANDING}
    )
    assert result["type"] is FlowResultType.MENU


def test_login_errors_say_the_old_link_is_dead() -> None:
    """A user with the first Amazon tab still open learns to use the new link."""
    errors = ERROR_TEXTS
    for key in ("invalid_url", "audible_login_refused"):
        assert "new login link is above" in errors[key], key
        assert "the one you used before no longer works" in errors[key], key
    # The refused login names the stale link as the likely cause.
    refused = errors["audible_login_refused"]
    assert "likely cause is an address from an earlier login link" in refused
    # Audiobookshelf shares no wording about Amazon links.
    assert "link" not in errors["invalid_auth"]


def test_response_url_label_is_short_and_explained() -> None:
    """The label names the field; its description says what page and where."""
    step = json.loads(EN_JSON.read_text(encoding="utf-8"))["config"]["step"][
        "audible_login"
    ]
    label = step["data"][CONF_RESPONSE_URL]
    explanation = step["data_description"][CONF_RESPONSE_URL]
    assert label == "Address of the page you landed on"
    assert '"page not found"' in explanation
    assert "address bar" in explanation


async def test_audible_login_unexpected_error(
    hass: HomeAssistant, mock_register: MagicMock
) -> None:
    result = await start_to_login(hass)
    with patch(
        "custom_components.audible_tracker.config_flow.register_device",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_RESPONSE_URL: LANDING}
        )
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_RESPONSE_URL: LANDING}
    )
    assert result["type"] is FlowResultType.MENU


async def test_already_configured(
    hass: HomeAssistant, mock_register: MagicMock
) -> None:
    make_entry().add_to_hass(hass)
    result = await start_to_login(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_RESPONSE_URL: LANDING}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_no_account_id(
    hass: HomeAssistant, mock_register: MagicMock, mock_deregister: MagicMock
) -> None:
    mock_register.return_value = registration_response(customer_info={})
    result = await start_to_login(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_RESPONSE_URL: LANDING}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_account_id"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert deregistered(mock_deregister) == [auth_data()["adp_token"]]


async def _abs_api_key_form(hass: HomeAssistant) -> ConfigFlowResult:
    result = await start_to_abs_menu(hass)
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "abs_api_key"}
    )


@pytest.mark.parametrize(
    ("url", "key", "error"),
    [
        ("ftp://example.org", API_KEY, {CONF_URL: "invalid_abs_url"}),
        ("http://", API_KEY, {CONF_URL: "invalid_abs_url"}),
        ("http://127.0.0.1:1", API_KEY, {"base": "cannot_connect"}),
        (None, "wrong-key", {"base": "invalid_auth"}),
    ],
)
async def test_abs_errors_then_success(
    hass: HomeAssistant,
    mock_register: MagicMock,
    abs_server: FakeAbsServer,
    url: str | None,
    key: str,
    error: dict[str, str],
) -> None:
    result = await _abs_api_key_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], api_key_input(url or abs_server.url, key)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "abs_api_key"
    assert result["errors"] == error
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], api_key_input(abs_server.url)
    )
    assert result["step_id"] == "abs_libraries"


async def test_abs_not_abs(
    hass: HomeAssistant, mock_register: MagicMock, abs_server: FakeAbsServer
) -> None:
    abs_server.status_override = (200, "text/html", "<html>Welcome to nginx</html>")
    result = await _abs_api_key_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], api_key_input(abs_server.url)
    )
    assert result["errors"] == {"base": "not_abs"}
    abs_server.status_override = None
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], api_key_input(abs_server.url)
    )
    assert result["step_id"] == "abs_libraries"


@pytest.mark.parametrize(
    ("exception", "error"),
    [(AbsTlsError("certificate"), "tls_error"), (AbsResponseError("odd"), "unknown")],
)
async def test_abs_tls_and_unexpected_errors(
    hass: HomeAssistant,
    mock_register: MagicMock,
    abs_server: FakeAbsServer,
    exception: Exception,
    error: str,
) -> None:
    result = await _abs_api_key_form(hass)
    with patch(
        "custom_components.audible_tracker.config_flow.AbsClient.check_server",
        side_effect=exception,
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], api_key_input(abs_server.url)
        )
    assert result["errors"] == {"base": error}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], api_key_input(abs_server.url)
    )
    assert result["step_id"] == "abs_libraries"


async def test_abs_without_book_library(
    hass: HomeAssistant, mock_register: MagicMock, abs_server: FakeAbsServer
) -> None:
    books = list(abs_server.libraries)
    for library in abs_server.libraries:
        library["mediaType"] = "podcast"
    result = await _abs_api_key_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], api_key_input(abs_server.url)
    )
    assert result["errors"] == {"base": "no_libraries"}
    for library in books:
        library["mediaType"] = "book"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], api_key_input(abs_server.url)
    )
    assert result["step_id"] == "abs_libraries"


async def test_abs_library_choice_required(
    hass: HomeAssistant, mock_register: MagicMock, abs_server: FakeAbsServer
) -> None:
    second = abs_server.add_library("Second books")
    abs_server.add_library("Podcasts", media_type="podcast")
    result = await _abs_api_key_form(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], api_key_input(abs_server.url)
    )
    assert result["step_id"] == "abs_libraries"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ABS_LIBRARIES: []}
    )
    assert result["errors"] == {"base": "no_libraries_selected"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ABS_LIBRARIES: [second]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_ABS_LIBRARIES] == [second]


STRINGS = json.loads(
    (
        Path(__file__).parent.parent
        / "custom_components/audible_tracker/translations/en.json"
    ).read_text(encoding="utf-8")
)


def step_placeholders(step_id: str) -> set[str]:
    """The {placeholders} of a step's description and field help texts."""
    step = STRINGS["config"]["step"][step_id]
    texts = [step.get("description", ""), *step.get("data_description", {}).values()]
    return {
        name
        for text in texts
        for _, name, _, _ in string.Formatter().parse(text)
        if name
    }


async def test_forms_fill_every_placeholder(
    hass: HomeAssistant, mock_register: MagicMock
) -> None:
    """Help texts name addresses through placeholders, which each form fills."""
    forms = [await start_to_login(hass)]
    hass.config_entries.flow.async_abort(forms[0]["flow_id"])
    for step in ("abs_api_key", "abs_password"):
        menu = await start_to_abs_menu(hass)
        forms.append(
            await hass.config_entries.flow.async_configure(
                menu["flow_id"], {"next_step_id": step}
            )
        )
        hass.config_entries.flow.async_abort(menu["flow_id"])
    for form in forms:
        placeholders = form["description_placeholders"] or {}
        wanted = step_placeholders(form["step_id"])
        assert wanted, form["step_id"]
        assert wanted <= set(placeholders), form["step_id"]
        for name in wanted - {CONF_LOGIN_URL}:
            # Inline code: shown as text, not as a link (to an unfinished host).
            assert re.fullmatch(r"`[^`]+`", placeholders[name]), name


# ---- reauthentication ------------------------------------------------------


async def test_reauth_audible_only_entry(
    hass: HomeAssistant, mock_register: MagicMock
) -> None:
    entry = make_entry()
    entry.add_to_hass(hass)
    mock_register.return_value = registration_response(expires=1999999999.0)
    result = await entry.start_reauth_flow(hass)
    # No ABS: straight to the Audible login.
    assert result["step_id"] == "audible_login"
    assert login_url(result).startswith("https://www.amazon.de/")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_RESPONSE_URL: LANDING}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_AUDIBLE_AUTH]["expires"] == 1999999999.0


async def test_reauth_audible_wrong_account(
    hass: HomeAssistant, mock_register: MagicMock, mock_deregister: MagicMock
) -> None:
    entry = make_entry()
    entry.add_to_hass(hass)
    mock_register.return_value = registration_response(
        customer_info={"user_id": "amzn1.account.SOMEONEELSE"}
    )
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_RESPONSE_URL: LANDING}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data[CONF_AUDIBLE_AUTH]["adp_token"] == auth_data()["adp_token"]
    # The other account's new device is not kept.
    await hass.async_block_till_done(wait_background_tasks=True)
    assert mock_deregister.call_count == 1


async def test_reauth_menu_audible(
    hass: HomeAssistant, mock_register: MagicMock, abs_server: FakeAbsServer
) -> None:
    entry = make_entry(abs_url=abs_server.url)
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["reauth_audible", "reauth_abs"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "reauth_audible"}
    )
    assert result["step_id"] == "audible_login"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_RESPONSE_URL: LANDING}
    )
    assert result["reason"] == "reauth_successful"
    # ABS settings are left alone.
    assert entry.data[CONF_ABS_API_KEY] == API_KEY


async def test_reauth_abs_api_key(
    hass: HomeAssistant, abs_server: FakeAbsServer
) -> None:
    new_key = abs_server.add_api_key(user_id=USER_ID)
    entry = make_entry(abs_url=abs_server.url, **{CONF_ABS_API_KEY: "revoked"})
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "reauth_abs"}
    )
    assert result["step_id"] == "abs_api_key"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], api_key_input(abs_server.url, "still-wrong")
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], api_key_input(abs_server.url, new_key)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_ABS_API_KEY] == new_key
    assert entry.data[CONF_ABS_LIBRARIES] == [LIBRARY_ID]
    assert entry.data[CONF_AUDIBLE_AUTH]["adp_token"] == auth_data()["adp_token"]


async def test_reauth_abs_password_and_wrong_user(
    hass: HomeAssistant, abs_server: FakeAbsServer
) -> None:
    other_user = abs_server.add_user("guest", "guest-pw")
    entry = make_entry(
        abs_url=abs_server.url,
        **{
            CONF_ABS_AUTH_METHOD: ABS_AUTH_PASSWORD,
            CONF_ABS_ACCESS_TOKEN: "old-access",
            CONF_ABS_REFRESH_TOKEN: "old-refresh",
        },
    )
    entry.add_to_hass(hass)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "reauth_abs"}
    )
    assert result["step_id"] == "abs_password"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_URL: abs_server.url,
            CONF_USERNAME: "guest",
            CONF_PASSWORD: "guest-pw",
            CONF_VERIFY_SSL: True,
        },
    )
    assert other_user.user_id != USER_ID
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert entry.data[CONF_ABS_REFRESH_TOKEN] == "old-refresh"

    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "reauth_abs"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_URL: abs_server.url,
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: PASSWORD,
            CONF_VERIFY_SSL: True,
        },
    )
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_ABS_REFRESH_TOKEN] in current_refresh_tokens(abs_server)
    assert CONF_ABS_API_KEY not in entry.data


# ---- reconfigure -----------------------------------------------------------


async def test_reconfigure_adds_abs(
    hass: HomeAssistant, abs_server: FakeAbsServer
) -> None:
    entry = make_entry()
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.MENU
    # No "skip" when reconfiguring: the point is to set ABS up.
    assert result["menu_options"] == ["abs_api_key", "abs_password"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "abs_api_key"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], api_key_input(abs_server.url)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ABS_LIBRARIES: [LIBRARY_ID]}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_ABS_URL] == abs_server.url
    assert entry.data[CONF_ABS_API_KEY] == API_KEY
    assert entry.data[CONF_AUDIBLE_AUTH]["adp_token"] == auth_data()["adp_token"]


async def test_reconfigure_switches_to_password(
    hass: HomeAssistant, abs_server: FakeAbsServer
) -> None:
    entry = make_entry(abs_url="http://old.example:13378")
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "abs_password"}
    )
    # The form is prefilled with the current server.
    schema = result["data_schema"]
    assert schema is not None
    suggested = {
        str(key): key.description.get("suggested_value")
        for key in schema.schema
        if key.description
    }
    assert suggested[CONF_URL] == "http://old.example:13378"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_URL: abs_server.url,
            CONF_USERNAME: USERNAME,
            CONF_PASSWORD: PASSWORD,
            CONF_VERIFY_SSL: True,
        },
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_ABS_LIBRARIES: [LIBRARY_ID]}
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_ABS_URL] == abs_server.url
    assert entry.data[CONF_ABS_AUTH_METHOD] == ABS_AUTH_PASSWORD
    assert CONF_ABS_API_KEY not in entry.data
    assert entry.unique_id == UNIQUE_ID
    assert AUDIBLE_USER_ID in entry.unique_id


# ---- devices registered but not kept are deregistered -----------------------


async def test_created_entry_keeps_its_device(
    hass: HomeAssistant, mock_register: MagicMock, mock_deregister: MagicMock
) -> None:
    result = await start_to_abs_menu(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "abs_skip"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert deregistered(mock_deregister) == []


async def test_abandoned_flow_deregisters_its_device(
    hass: HomeAssistant, mock_register: MagicMock, mock_deregister: MagicMock
) -> None:
    result = await start_to_abs_menu(hass)
    # The user closes the dialog at the Audiobookshelf step.
    hass.config_entries.flow.async_abort(result["flow_id"])
    await hass.async_block_till_done(wait_background_tasks=True)
    assert deregistered(mock_deregister) == [auth_data()["adp_token"]]


async def test_already_configured_deregisters_the_new_device(
    hass: HomeAssistant, mock_register: MagicMock, mock_deregister: MagicMock
) -> None:
    make_entry().add_to_hass(hass)
    result = await start_to_login(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_RESPONSE_URL: LANDING}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["reason"] == "already_configured"
    assert deregistered(mock_deregister) == [auth_data()["adp_token"]]


async def test_reauth_replaces_the_old_device(
    hass: HomeAssistant, mock_register: MagicMock, mock_deregister: MagicMock
) -> None:
    entry = make_entry(**{CONF_AUDIBLE_AUTH: auth_data() | {"expires": 1.0}})
    entry.add_to_hass(hass)
    mock_register.return_value = registration_response(expires=1999999999.0)
    result = await entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_RESPONSE_URL: LANDING}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert result["reason"] == "reauth_successful"
    # The old device (expires 1.0) goes; the new one (in the entry) stays.
    [old] = mock_deregister.call_args_list
    assert old.args[0]["expires"] == 1.0
    assert entry.data[CONF_AUDIBLE_AUTH]["expires"] == 1999999999.0


async def test_failed_deregistration_is_only_logged(
    hass: HomeAssistant,
    mock_register: MagicMock,
    mock_deregister: MagicMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    mock_deregister.side_effect = OSError("unreachable")
    result = await start_to_abs_menu(hass)
    hass.config_entries.flow.async_abort(result["flow_id"])
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "Could not deregister an unused Audible device (OSError)" in caplog.text


async def test_reconfigure_starts_from_the_tracked_libraries(
    hass: HomeAssistant, abs_server: FakeAbsServer
) -> None:
    second = abs_server.add_library("Second books")
    entry = make_entry(abs_url=abs_server.url, **{CONF_ABS_LIBRARIES: [second]})
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "abs_api_key"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], api_key_input(abs_server.url)
    )
    assert result["step_id"] == "abs_libraries"
    schema = result["data_schema"]
    assert schema is not None
    [key] = list(schema.schema)
    assert key.default() == [second]
