"""Plan a position push the user asked for: Audible's position onto ABS.

Pure code, like the planner. ``plan_push(asin, item_id, source, target,
position_s=None) -> PlannedWrite`` returns the write to make, or raises
`PushRejectedError` saying why it cannot be made (`PushRejection`, with the
values a message needs).
"""

from __future__ import annotations

import math
from enum import StrEnum

from ..exceptions import PushRejectedError
from .model import PlannedWrite, Side, SideState, WriteKind
from .positions import map_position

PUSH_REASON = "push_position action"


class PushRejection(StrEnum):
    """Why a push cannot be made."""

    NO_AUDIBLE_POSITION = "no_audible_position"  # none given, Audible has none
    POSITION_OUT_OF_RANGE = "position_out_of_range"  # not in 0..duration
    ABS_DURATION_UNKNOWN = "abs_duration_unknown"  # nothing to map onto


def plan_push(
    asin: str,
    item_id: str,
    source: SideState,
    target: SideState,
    position_s: float | None = None,
) -> PlannedWrite:
    """Return the ABS write that puts a linked title at a position.

    `source` is Audible's state of the title, `target` ABS's, both as just
    fetched; `position_s` (in Audible's timeline) defaults to Audible's own
    position. The position is mapped onto ABS's edition like the sync does;
    a finished ABS item is un-finished first.
    """
    duration = source.duration_s
    position = source.position_s if position_s is None else position_s
    if position is None:
        raise PushRejectedError(PushRejection.NO_AUDIBLE_POSITION, asin=asin)
    if (
        not math.isfinite(position)
        or position < 0
        or (duration is not None and position > duration)
    ):
        raise PushRejectedError(
            PushRejection.POSITION_OUT_OF_RANGE,
            position=f"{position:g}",
            duration=f"{duration or 0:g}",
        )
    if target.duration_s is None:
        raise PushRejectedError(PushRejection.ABS_DURATION_UNKNOWN, abs_item_id=item_id)
    mapped = map_position(position, duration, target.duration_s)
    return PlannedWrite(
        asin=asin,
        item_id=item_id,
        target=Side.ABS,
        kind=WriteKind.POSITION,
        reason=PUSH_REASON,
        # The ledger's baseline: Audible's duration at least.
        source=source if source.has_data else SideState(duration_s=duration),
        target_before=target,
        position_s=mapped,
        duration_s=target.duration_s,
        progress=mapped / target.duration_s,
        unfinish_first=target.finished,
    )
