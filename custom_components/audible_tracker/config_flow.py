"""Config flow: marketplace -> Audible login -> Audiobookshelf (optional)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import probatio
from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
)
from homeassistant.const import CONF_API_KEY, CONF_PASSWORD, CONF_URL, CONF_USERNAME
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .const import (
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
    LOGGER,
)
from .core.abs_api import AbsClient, normalize_url
from .core.audible_auth import (
    MARKETPLACES,
    PendingLogin,
    account_user_id,
    deregister_device,
    extract_authorization_code,
    register_device,
    start_login,
)
from .core.exceptions import (
    AbsAuthError,
    AbsConnectionError,
    AbsError,
    AbsNotAbsError,
    AbsTlsError,
    AudibleLoginConnectionError,
    AudibleLoginRefusedError,
)
from .options_flow import AudibleTrackerOptionsFlow

if TYPE_CHECKING:
    from homeassistant.config_entries import OptionsFlow

    from .core.models import AbsLibrary, AbsTokens

ABS_CONNECTION_KEYS = (
    CONF_ABS_URL,
    CONF_VERIFY_SSL,
    CONF_ABS_AUTH_METHOD,
    CONF_ABS_API_KEY,
    CONF_ABS_ACCESS_TOKEN,
    CONF_ABS_REFRESH_TOKEN,
    CONF_ABS_USER_ID,
    CONF_ABS_LIBRARIES,
)

_PASSWORD_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
_URL_SELECTOR = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))

# Addresses go in as placeholders: hassfest refuses URLs in translations, and
# as inline code the frontend shows them as text, not as (broken) links.
_ABS_URL_EXAMPLES = {
    "abs_url_example": "`http://192.168.1.20:13378`",
    "abs_url_example_path": "`https://abs.example.com/audiobookshelf`",
}
_AMAZON_URL_PREFIX = "`https://www.amazon.`"


def _abs_sign_in_schema(credentials: dict[probatio.Required, Any]) -> probatio.Schema:
    """Return a sign-in form: the address, `credentials`, the certificate check."""
    return probatio.Schema(
        {
            probatio.Required(CONF_URL): _URL_SELECTOR,
            **credentials,
            probatio.Required(CONF_VERIFY_SSL, default=True): bool,
        }
    )


# The Audiobookshelf sign-in steps: how each one signs in, and its form.
_ABS_SIGN_IN_STEPS: Final[dict[str, tuple[str, probatio.Schema]]] = {
    "abs_api_key": (
        ABS_AUTH_API_KEY,
        _abs_sign_in_schema({probatio.Required(CONF_API_KEY): _PASSWORD_SELECTOR}),
    ),
    "abs_password": (
        ABS_AUTH_PASSWORD,
        _abs_sign_in_schema(
            {
                probatio.Required(CONF_USERNAME): str,
                probatio.Required(CONF_PASSWORD): _PASSWORD_SELECTOR,
            }
        ),
    ),
}


# Most specific first: AbsTlsError is an AbsConnectionError.
_ABS_FORM_ERRORS: tuple[tuple[type[AbsError], str], ...] = (
    (AbsNotAbsError, "not_abs"),
    (AbsTlsError, "tls_error"),
    (AbsConnectionError, "cannot_connect"),
    (AbsAuthError, "invalid_auth"),
)


def _abs_error_key(err: AbsError) -> str:
    for error_type, key in _ABS_FORM_ERRORS:
        if isinstance(err, error_type):
            return key
    LOGGER.error("Unexpected answer from Audiobookshelf: %s", type(err).__name__)
    return "unknown"


def _unique_id(auth_data: dict[str, Any], marketplace: str) -> str | None:
    user_id = account_user_id(auth_data)
    return f"{user_id}_{marketplace}" if user_id else None


class AudibleTrackerConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add an Audible account, optionally with an Audiobookshelf server."""

    VERSION = 1

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Sync and polling options."""
        return AudibleTrackerOptionsFlow()

    def __init__(self) -> None:
        """Start with nothing but what each step collects."""
        self._marketplace: str | None = None
        self._pending: PendingLogin | None = None
        self._audible_auth: dict[str, Any] | None = None
        self._device_kept = False
        self._abs_data: dict[str, Any] = {}
        self._abs_libraries: list[AbsLibrary] = []

    # ---- Audible ---------------------------------------------------------

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick the Audible marketplace."""
        if user_input is not None:
            self._marketplace = user_input[CONF_MARKETPLACE]
            return await self.async_step_audible_login()
        return self.async_show_form(
            step_id="user",
            data_schema=probatio.Schema(
                {
                    probatio.Required(CONF_MARKETPLACE, default="us"): SelectSelector(
                        SelectSelectorConfig(
                            options=list(MARKETPLACES),
                            translation_key=CONF_MARKETPLACE,
                            mode=SelectSelectorMode.DROPDOWN,
                        )
                    )
                }
            ),
        )

    async def async_step_audible_login(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show Amazon's login link; take back the URL the browser ended on."""
        assert self._marketplace is not None  # noqa: S101 - set by the previous step
        errors: dict[str, str] = {}
        if user_input is not None and self._pending is not None:
            pending = self._pending
            # A code is single-use: whatever happens, the next try gets a new URL.
            self._pending = None
            code = extract_authorization_code(user_input[CONF_RESPONSE_URL])
            if code is None:
                errors["base"] = "invalid_url"
            else:
                try:
                    auth_data = await self.hass.async_add_executor_job(
                        register_device, pending, code
                    )
                except AudibleLoginRefusedError:
                    errors["base"] = "audible_login_refused"
                except AudibleLoginConnectionError:
                    errors["base"] = "cannot_connect"
                except Exception:  # noqa: BLE001 - shown as "unknown", logged without data
                    LOGGER.exception("Unexpected error registering the Audible device")
                    errors["base"] = "unknown"
                else:
                    return await self._async_audible_logged_in(auth_data)
        if self._pending is None:
            self._pending = start_login(self._marketplace)
        return self.async_show_form(
            step_id="audible_login",
            data_schema=probatio.Schema(
                {probatio.Required(CONF_RESPONSE_URL): _URL_SELECTOR},
            ),
            errors=errors,
            description_placeholders={
                CONF_LOGIN_URL: self._pending.url,
                "amazon_url_prefix": _AMAZON_URL_PREFIX,
            },
        )

    async def _async_audible_logged_in(
        self, auth_data: dict[str, Any]
    ) -> ConfigFlowResult:
        assert self._marketplace is not None  # noqa: S101
        # A device is registered now: unless an entry keeps it, async_remove
        # deregisters it (aborts, abandoned flows), so none is left behind.
        self._audible_auth = auth_data
        unique_id = _unique_id(auth_data, self._marketplace)
        if unique_id is None:
            return self.async_abort(reason="no_account_id")
        await self.async_set_unique_id(unique_id)
        if self.source == SOURCE_REAUTH:
            self._abort_if_unique_id_mismatch(reason="wrong_account")
            entry = self._get_reauth_entry()
            # The new device replaces the old one, which goes if it still can.
            self._device_kept = True
            self._async_deregister_later(dict(entry.data[CONF_AUDIBLE_AUTH]))
            return self.async_update_reload_and_abort(
                entry, data_updates={CONF_AUDIBLE_AUTH: auth_data}
            )
        self._abort_if_unique_id_configured()
        return await self.async_step_abs()

    @callback
    def _async_deregister_later(self, auth_data: dict[str, Any]) -> None:
        """Deregister a device in the background; failures are only logged."""

        def deregister() -> None:
            try:
                deregister_device(auth_data)
            except Exception as err:  # noqa: BLE001 - best effort, never raises
                LOGGER.warning(
                    "Could not deregister an unused Audible device (%s); remove it"
                    " under Amazon's 'Your devices' if it is still listed",
                    type(err).__name__,
                )

        async def run() -> None:
            await self.hass.async_add_executor_job(deregister)

        self.hass.async_create_background_task(
            run(), "audible_tracker deregister unused device"
        )

    @callback
    def async_remove(self) -> None:
        """Deregister the device this flow registered, if no entry kept it."""
        if self._audible_auth is not None and not self._device_kept:
            self._async_deregister_later(self._audible_auth)

    # ---- Audiobookshelf ---------------------------------------------------

    async def async_step_abs(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose how to connect Audiobookshelf, or skip it."""
        options = ["abs_api_key", "abs_password"]
        if self.source not in (SOURCE_REAUTH, SOURCE_RECONFIGURE):
            options.append("abs_skip")
        return self.async_show_menu(step_id="abs", menu_options=options)

    async def async_step_abs_skip(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Create the entry without Audiobookshelf."""
        return self._async_create_entry()

    async def async_step_abs_api_key(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Connect with an API key (Audiobookshelf 2.26 or newer)."""
        return await self._async_abs_sign_in("abs_api_key", user_input)

    async def async_step_abs_password(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Connect with a username and password, exchanged for tokens."""
        return await self._async_abs_sign_in("abs_password", user_input)

    def _abs_suggested_values(
        self, user_input: dict[str, Any] | None
    ) -> dict[str, Any]:
        """Prefill what the user typed, or what the entry already has."""
        if user_input is not None:
            return {
                k: v
                for k, v in user_input.items()
                if k not in (CONF_API_KEY, CONF_PASSWORD)
            }
        if self.source in (SOURCE_REAUTH, SOURCE_RECONFIGURE):
            entry = (
                self._get_reauth_entry()
                if self.source == SOURCE_REAUTH
                else self._get_reconfigure_entry()
            )
            if CONF_ABS_URL in entry.data:
                return {
                    CONF_URL: entry.data[CONF_ABS_URL],
                    CONF_VERIFY_SSL: entry.data.get(CONF_VERIFY_SSL, True),
                }
        return {}

    async def _async_abs_sign_in(
        self, step_id: str, user_input: dict[str, Any] | None
    ) -> ConfigFlowResult:
        """Show a sign-in step's form, or sign in with what was entered."""
        method, schema = _ABS_SIGN_IN_STEPS[step_id]
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = await self._async_try_abs(user_input, method)
            if not errors:
                return await self._async_abs_connected()
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                schema, self._abs_suggested_values(user_input)
            ),
            errors=errors,
            description_placeholders=_ABS_URL_EXAMPLES,
        )

    async def _async_try_abs(
        self, user_input: dict[str, Any], method: str
    ) -> dict[str, str]:
        """Log in to Audiobookshelf; return form errors, or {} on success."""
        try:
            url = normalize_url(user_input[CONF_URL])
        except ValueError:
            return {CONF_URL: "invalid_abs_url"}
        verify_ssl: bool = user_input[CONF_VERIFY_SSL]
        session = async_get_clientsession(self.hass, verify_ssl=verify_ssl)
        api_key: str | None = None
        if method == ABS_AUTH_API_KEY:
            api_key = user_input[CONF_API_KEY].strip()
        client = AbsClient(url, session=session, api_key=api_key, verify_ssl=verify_ssl)
        try:
            await client.check_server()
            if method == ABS_AUTH_PASSWORD:
                await client.login(user_input[CONF_USERNAME], user_input[CONF_PASSWORD])
            user = await client.get_me()
            libraries = [
                library
                for library in await client.get_libraries()
                if library.media_type == "book"
            ]
        except AbsError as err:
            return {"base": _abs_error_key(err)}
        if not libraries:
            return {"base": "no_libraries"}
        # Tokens may have been rotated during the checks: keep the newest.
        tokens: AbsTokens | None = client.tokens if api_key is None else None
        self._abs_libraries = libraries
        self._abs_data = {
            CONF_ABS_URL: url,
            CONF_VERIFY_SSL: verify_ssl,
            CONF_ABS_AUTH_METHOD: method,
            CONF_ABS_USER_ID: user.user_id,
        }
        if tokens is not None:
            self._abs_data[CONF_ABS_ACCESS_TOKEN] = tokens.access_token
            self._abs_data[CONF_ABS_REFRESH_TOKEN] = tokens.refresh_token
        else:
            self._abs_data[CONF_ABS_API_KEY] = api_key
        return {}

    async def _async_abs_connected(self) -> ConfigFlowResult:
        if self.source == SOURCE_REAUTH:
            # Same server, new credentials: keep the chosen libraries.
            entry = self._get_reauth_entry()
            if entry.data.get(CONF_ABS_USER_ID) not in (
                None,
                self._abs_data[CONF_ABS_USER_ID],
            ):
                return self.async_abort(reason="wrong_account")
            data = {k: v for k, v in entry.data.items() if k not in ABS_CONNECTION_KEYS}
            data.update(self._abs_data)
            data[CONF_ABS_LIBRARIES] = entry.data.get(
                CONF_ABS_LIBRARIES, [lib.library_id for lib in self._abs_libraries]
            )
            return self.async_update_reload_and_abort(entry, data=data)
        return await self.async_step_abs_libraries()

    async def async_step_abs_libraries(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pick which book libraries to track (default: all)."""
        errors: dict[str, str] = {}
        available = {lib.library_id for lib in self._abs_libraries}
        if user_input is not None:
            chosen = [lib for lib in user_input[CONF_ABS_LIBRARIES] if lib in available]
            if chosen:
                self._abs_data[CONF_ABS_LIBRARIES] = chosen
                if self.source == SOURCE_RECONFIGURE:
                    entry = self._get_reconfigure_entry()
                    data = {
                        k: v
                        for k, v in entry.data.items()
                        if k not in ABS_CONNECTION_KEYS
                    }
                    data.update(self._abs_data)
                    return self.async_update_reload_and_abort(entry, data=data)
                return self._async_create_entry()
            errors["base"] = "no_libraries_selected"
        chosen_before = sorted(available)
        if self.source == SOURCE_RECONFIGURE:
            # Same server: start from the libraries tracked now.
            current = self._get_reconfigure_entry().data.get(CONF_ABS_LIBRARIES, [])
            chosen_before = [
                lib for lib in current if lib in available
            ] or chosen_before
        return self.async_show_form(
            step_id="abs_libraries",
            data_schema=probatio.Schema(
                {
                    probatio.Required(
                        CONF_ABS_LIBRARIES, default=chosen_before
                    ): SelectSelector(
                        SelectSelectorConfig(
                            options=[
                                SelectOptionDict(value=lib.library_id, label=lib.name)
                                for lib in self._abs_libraries
                            ],
                            multiple=True,
                            mode=SelectSelectorMode.LIST,
                        )
                    )
                }
            ),
            errors=errors,
        )

    def _async_create_entry(self) -> ConfigFlowResult:
        assert self._marketplace is not None  # noqa: S101
        assert self._audible_auth is not None  # noqa: S101
        self._device_kept = True
        return self.async_create_entry(
            title=f"Audible {self._marketplace.upper()}",
            data={
                CONF_MARKETPLACE: self._marketplace,
                CONF_AUDIBLE_AUTH: self._audible_auth,
                **self._abs_data,
            },
        )

    # ---- Reauthentication and reconfiguration ------------------------------

    async def async_step_reauth(self, entry_data: dict[str, Any]) -> ConfigFlowResult:
        """Start reauthentication of either service."""
        self._marketplace = entry_data[CONF_MARKETPLACE]
        if CONF_ABS_URL not in entry_data:
            return await self.async_step_reauth_audible()
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask which login to renew."""
        return self.async_show_menu(
            step_id="reauth_confirm",
            menu_options=["reauth_audible", "reauth_abs"],
        )

    async def async_step_reauth_audible(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Log in to Audible again."""
        return await self.async_step_audible_login()

    async def async_step_reauth_abs(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Give Audiobookshelf credentials again."""
        entry = self._get_reauth_entry()
        if entry.data.get(CONF_ABS_AUTH_METHOD) == ABS_AUTH_PASSWORD:
            return await self.async_step_abs_password()
        return await self.async_step_abs_api_key()

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the Audiobookshelf server or credentials, or add it."""
        self._marketplace = self._get_reconfigure_entry().data[CONF_MARKETPLACE]
        return await self.async_step_abs()
