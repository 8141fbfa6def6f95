"""Actions: the metadata gaps of linked books, and writing Audible's into ABS.

`get_metadata_gaps` lists, per linked book and field, ABS's value against
Audible's. `write_metadata` writes Audible's values of the fields asked for
(the ASIN by default) into ABS items: a dry run (the default) only says what
would change; a real run checks first that the ABS user may edit items,
writes book by book, stops at the first authentication or permission error,
reads every written item back and reports the fields that did not take, then
re-matches at once (a new ASIN makes the link an ASIN link).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, cast

import probatio
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError

from .action_common import (
    ATTR_ASIN,
    ENTRY_SCHEMA,
    call_entry,
    known_asin,
)
from .const import DOMAIN, LOGGER
from .core.exceptions import (
    AbsError,
    AuthenticationError,
    PermissionDeniedError,
    UnavailableError,
)
from .core.metadata_gaps import (
    WRITABLE_FIELDS,
    GapField,
    WritePlan,
    book_gaps,
    gap_counts,
    not_taken,
    plan_write,
)
from .errors import action_exception_handler, invalid_call

if TYPE_CHECKING:
    from .coordinator import LibraryData
    from .core.abs_api import AbsClient
    from .core.models import AbsItem

ATTR_FIELDS: Final = "fields"
ATTR_ALL: Final = "all"
ATTR_OVERWRITE: Final = "overwrite"
ATTR_DRY_RUN: Final = "dry_run"

SERVICE_GET_METADATA_GAPS: Final = "get_metadata_gaps"
SERVICE_WRITE_METADATA: Final = "write_metadata"

GET_GAPS_SCHEMA = ENTRY_SCHEMA.extend(
    {
        probatio.Optional(ATTR_ASIN): str,
        probatio.Optional(ATTR_FIELDS): [probatio.In([f.value for f in GapField])],
    }
)
WRITE_SCHEMA = ENTRY_SCHEMA.extend(
    {
        probatio.Optional(ATTR_ASIN): probatio.All(probatio.EnsureList(), [str]),
        probatio.Optional(ATTR_ALL, default=False): bool,
        probatio.Optional(ATTR_FIELDS): [
            probatio.In([f.value for f in WRITABLE_FIELDS])
        ],
        probatio.Optional(ATTR_OVERWRITE, default=False): bool,
        probatio.Optional(ATTR_DRY_RUN, default=True): bool,
    }
)


def _linked_asin(data: LibraryData, asin_in: str) -> str:
    asin = known_asin(data, asin_in)
    if asin not in data.match.links:
        raise invalid_call("title_not_linked", asin=asin)
    return asin


async def _async_get_metadata_gaps(call: ServiceCall) -> ServiceResponse:
    entry = call_entry(call, needs_abs=True)
    data = entry.runtime_data.library.data
    links = data.match.item_ids()
    if (asin_in := call.data.get(ATTR_ASIN)) is not None:
        asin = _linked_asin(data, asin_in)
        links = {asin: links[asin]}
    fields = [GapField(f) for f in call.data.get(ATTR_FIELDS) or GapField]
    # Thousands of books: comparing them is CPU work for the executor.
    books = await call.hass.async_add_executor_job(
        book_gaps, data.titles, data.abs_items, links, fields
    )
    return cast(
        "ServiceResponse",
        {
            "books": [book.as_dict() for book in books],
            "counts": {
                key: count
                for key, count in gap_counts(books).items()
                if GapField(key) in fields
            },
        },
    )


def _targets(call: ServiceCall, data: LibraryData) -> list[str]:
    """Return the linked ASINs a write names, in order, once each."""
    asins: list[str] | None = call.data.get(ATTR_ASIN)
    if call.data[ATTR_ALL] == (asins is not None):
        raise invalid_call("metadata_needs_asin_or_all")
    if asins is None:
        return sorted(asin for asin in data.match.item_ids() if asin in data.titles)
    return list(dict.fromkeys(_linked_asin(data, asin) for asin in asins))


def _plans(
    data: LibraryData,
    asins: list[str],
    fields: list[GapField],
    *,
    overwrite: bool,
) -> list[WritePlan]:
    links = data.match.item_ids()
    plans = (
        plan_write(data.titles[asin], item, fields, overwrite=overwrite)
        for asin in asins
        if (item := data.abs_items.get(links[asin])) is not None
    )
    return [plan for plan in plans if plan is not None]


async def _async_check_permission(abs_client: AbsClient) -> None:
    """Refuse before writing anything unless the ABS user may edit items."""
    with action_exception_handler():
        user = await abs_client.get_me()
    if user.can_update is not True:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="metadata_write_forbidden",
            translation_placeholders={"username": user.username},
        )


def _book(plan: WritePlan) -> dict[str, str]:
    return {"asin": plan.asin, "abs_item_id": plan.item_id, "title": plan.title}


async def _async_write(
    abs_client: AbsClient, plans: list[WritePlan]
) -> tuple[list[WritePlan], dict[str, Any]]:
    """Write plan by plan; return those written and the failure report."""
    written: list[WritePlan] = []
    failed: list[dict[str, str]] = []
    stopped: dict[str, str] | None = None
    for plan in plans:
        try:
            await abs_client.update_item_metadata(plan.item_id, plan.metadata)
        except (AuthenticationError, PermissionDeniedError, UnavailableError) as err:
            # Every other book would fail the same way: stop here.
            stopped = {**_book(plan), "error": type(err).__name__}
            LOGGER.warning(
                "Writing metadata to Audiobookshelf stopped at %s (%s)",
                plan.title,
                type(err).__name__,
            )
            break
        except AbsError as err:
            failed.append({**_book(plan), "error": type(err).__name__})
            continue
        LOGGER.info(
            "Wrote %s of %s to Audiobookshelf",
            ", ".join(plan_field.value for plan_field in plan.fields),
            plan.title,
        )
        written.append(plan)
    return written, {"failed": failed, "stopped": stopped}


async def _async_read_back(
    abs_client: AbsClient, written: list[WritePlan]
) -> tuple[list[AbsItem], list[dict[str, Any]]]:
    """Read every written item back; return them and the writes that did not take."""
    items: list[AbsItem] = []
    untaken: list[dict[str, Any]] = []
    for plan in written:
        try:
            item = await abs_client.get_item(plan.item_id)
        except AbsError as err:
            untaken.append({**_book(plan), "error": type(err).__name__})
            continue
        items.append(item)
        if missing := not_taken(plan, item):
            LOGGER.warning(
                "Audiobookshelf did not keep %s of %s",
                ", ".join(field.value for field in missing),
                plan.title,
            )
            untaken.append({**_book(plan), "fields": [f.value for f in missing]})
    return items, untaken


async def _async_write_metadata(call: ServiceCall) -> ServiceResponse:
    entry = call_entry(call, needs_abs=True)
    runtime = entry.runtime_data
    abs_client = runtime.deps.abs_client
    assert abs_client is not None  # noqa: S101 - _entry checked it is configured
    data = runtime.library.data
    dry_run: bool = call.data[ATTR_DRY_RUN]
    given: list[str] | None = call.data.get(ATTR_FIELDS)
    if call.data[ATTR_ALL] and not dry_run and not given:
        raise invalid_call("metadata_all_needs_fields")
    fields = [GapField(f) for f in given or [GapField.ASIN]]
    asins = _targets(call, data)
    plans = _plans(data, asins, fields, overwrite=call.data[ATTR_OVERWRITE])
    if dry_run:
        return cast(
            "ServiceResponse",
            {"dry_run": True, "planned": [plan.as_dict() for plan in plans]},
        )
    if plans:
        await _async_check_permission(abs_client)
    written, report = await _async_write(abs_client, plans)
    items, untaken = await _async_read_back(abs_client, written)
    # The new values count at once: gaps, and an ASIN link for a new ASIN.
    await runtime.library.async_items_changed(items)
    return cast(
        "ServiceResponse",
        {
            "dry_run": False,
            "written": [plan.as_dict() for plan in written],
            "not_taken": untaken,
            **report,
        },
    )


@callback
def async_setup_metadata_services(hass: HomeAssistant) -> None:
    """Register the metadata actions (once, in async_setup)."""
    hass.services.async_register(
        DOMAIN,
        SERVICE_GET_METADATA_GAPS,
        _async_get_metadata_gaps,
        GET_GAPS_SCHEMA,
        supports_response=SupportsResponse.ONLY,
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_WRITE_METADATA,
        _async_write_metadata,
        WRITE_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
