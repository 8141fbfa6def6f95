"""The sync ledger's JSON form: `Ledger.to_dict` and `Ledger.from_dict`.

Encodes the ledger to plain, versioned JSON (times as ISO strings) and reads
it back strictly with `json_fields.Reader`: anything unexpected raises
`LedgerFormatError` naming the field, so a damaged store is dropped instead of
half-read. Existing stores must keep loading: change the format only with
`LEDGER_VERSION`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ..exceptions import LedgerFormatError
from ..json_fields import Reader
from .ledger import LedgerSide, LedgerTitle, LedgerWrite
from .model import Side, SideState, WriteKind, WriteStatus, time_to_json

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

LEDGER_VERSION: Final = 1


def ledger_to_json(titles: Mapping[str, LedgerTitle]) -> dict[str, Any]:
    """Return the JSON form of a ledger's titles, versioned."""
    return {
        "version": LEDGER_VERSION,
        "titles": {asin: _title_to_json(entry) for asin, entry in titles.items()},
    }


def ledger_from_json(data: object) -> dict[str, LedgerTitle]:
    """Return the titles of a ledger saved by `ledger_to_json`."""
    reader = Reader.of(data, "ledger", LedgerFormatError)
    version = reader.integer("version")
    if version != LEDGER_VERSION:
        raise LedgerFormatError(f"unsupported ledger version {version}")
    titles = reader.child("titles")
    return {
        str(asin): _title_from_json(titles.child(asin))
        for asin in reader.mapping("titles")
    }


# --- to JSON ---------------------------------------------------------------------


def _state_to_json(state: SideState | None) -> dict[str, Any] | None:
    if state is None:
        return None
    return {
        "position_s": state.position_s,
        "duration_s": state.duration_s,
        "finished": state.finished,
        "changed_at": time_to_json(state.changed_at),
    }


def _write_to_json(write: LedgerWrite | None) -> dict[str, Any] | None:
    if write is None:
        return None
    return {
        "kind": str(write.kind),
        "position_s": write.position_s,
        "duration_s": write.duration_s,
        "unfinish_first": write.unfinish_first,
        "source": _state_to_json(write.source),
        "target_before": _state_to_json(write.target_before),
        "planned_at": time_to_json(write.planned_at),
        "reason": write.reason,
        "status": str(write.status),
        "attempts": write.attempts,
        "applied_at": time_to_json(write.applied_at),
        "tried_at": time_to_json(write.tried_at),
        "error": write.error,
        "observed": _state_to_json(write.observed),
    }


def _side_to_json(record: LedgerSide) -> dict[str, Any]:
    return {
        "seen": _state_to_json(record.seen),
        "info_at": time_to_json(record.info_at),
        "held": record.held,
        "write": _write_to_json(record.write),
        "gave_up": _write_to_json(record.gave_up),
        "failures": record.failures,
        "last_error": record.last_error,
    }


def _title_to_json(entry: LedgerTitle) -> dict[str, Any]:
    return {
        "item_id": entry.item_id,
        "audible": _side_to_json(entry.audible),
        "abs": _side_to_json(entry.abs),
        "last_write_target": None
        if entry.last_write_target is None
        else str(entry.last_write_target),
        "last_write_at": time_to_json(entry.last_write_at),
    }


# --- from JSON -------------------------------------------------------------------


def _optional[T](reader: Reader | None, read: Callable[[Reader], T]) -> T | None:
    return None if reader is None else read(reader)


def _state_from_json(reader: Reader) -> SideState:
    return SideState(
        position_s=reader.number("position_s"),
        duration_s=reader.number("duration_s"),
        finished=reader.boolean("finished"),
        changed_at=reader.time("changed_at"),
    )


def _write_from_json(reader: Reader) -> LedgerWrite:
    return LedgerWrite(
        kind=reader.choice("kind", WriteKind),
        position_s=reader.number("position_s"),
        duration_s=reader.number("duration_s"),
        unfinish_first=reader.boolean("unfinish_first"),
        source=_state_from_json(reader.child("source")),
        target_before=_state_from_json(reader.child("target_before")),
        planned_at=reader.required_time("planned_at"),
        reason=reader.text("reason") or "",
        status=reader.choice("status", WriteStatus),
        attempts=reader.integer("attempts"),
        applied_at=reader.time("applied_at"),
        tried_at=reader.time("tried_at"),
        error=reader.text("error"),
        observed=_optional(reader.optional("observed"), _state_from_json),
    )


def _side_from_json(reader: Reader) -> LedgerSide:
    return LedgerSide(
        seen=_optional(reader.optional("seen"), _state_from_json),
        info_at=reader.time("info_at"),
        held=reader.boolean("held", default=False),
        write=_optional(reader.optional("write"), _write_from_json),
        gave_up=_optional(reader.optional("gave_up"), _write_from_json),
        failures=reader.integer("failures"),
        last_error=reader.text("last_error"),
    )


def _title_from_json(reader: Reader) -> LedgerTitle:
    target = reader.text("last_write_target")
    return LedgerTitle(
        item_id=reader.required_text("item_id"),
        audible=_side_from_json(reader.child("audible")),
        abs=_side_from_json(reader.child("abs")),
        last_write_target=None
        if target is None
        else reader.choice("last_write_target", Side),
        last_write_at=reader.time("last_write_at"),
    )
