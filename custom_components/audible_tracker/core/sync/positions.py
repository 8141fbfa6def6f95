"""Positions across the two sides: edition mapping and comparisons.

`map_position` maps a position onto the other side's timeline (rule 5 of the
package docstring); `moved_since` says whether a side changed against its
baseline (rule 1), `agrees` whether a target already shows what a source
would write to it, and `went_past` whether a side went on past a value we wrote
(rule 4's handoff).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from .model import SideState

# Rule 5: durations further apart than both of these are different editions.
DURATION_MISMATCH_RATIO: Final = 0.01
DURATION_MISMATCH_S: Final = 30.0


def _editions_differ(source_duration_s: float, target_duration_s: float) -> bool:
    difference = abs(source_duration_s - target_duration_s)
    longer = max(source_duration_s, target_duration_s)
    return (
        difference > DURATION_MISMATCH_RATIO * longer
        and difference > DURATION_MISMATCH_S
    )


def map_position(
    position_s: float,
    source_duration_s: float | None,
    target_duration_s: float | None,
) -> float:
    """Map a position onto the target's timeline (rule 5).

    Proportional when both durations are known and differ by more than 1 % and
    more than 30 s, else the same seconds; never below 0 or past a known
    target duration.
    """
    position = max(position_s, 0.0)
    if (
        source_duration_s is not None
        and target_duration_s is not None
        and _editions_differ(source_duration_s, target_duration_s)
    ):
        position = position * target_duration_s / source_duration_s
    if target_duration_s is not None:
        position = min(position, target_duration_s)
    return position


def moved_since(before: SideState | None, now: SideState, threshold_s: float) -> bool:
    """Rule 1: whether `now` is a change against the baseline `before`."""
    if not now.has_data:
        return False
    if before is None or not before.has_data:
        return True
    if now.finished != before.finished:
        return True
    if now.position_s is None:
        return False  # a finished side that lost its position: absence is no move
    if before.position_s is None:
        return True
    return abs(now.position_s - before.position_s) > threshold_s


def agrees(
    source: SideState, target: SideState, threshold_s: float, *, restarted: bool
) -> bool:
    """Whether `target` already shows what `source` would write to it.

    A target finished at the source's position agrees (ABS finishes by itself
    near the end), unless the source restarted: a re-read un-finishes it.
    Without the target's duration positions cannot be compared (other
    editions): no agreement then, and the write waits for the duration.
    """
    if source.finished:
        return target.finished
    if (target.finished and restarted) or (
        source.position_s is None
        or target.position_s is None
        or target.duration_s is None
    ):
        return False
    mapped = map_position(source.position_s, source.duration_s, target.duration_s)
    return abs(target.position_s - mapped) <= threshold_s


def went_past(written: SideState | None, now: SideState, threshold_s: float) -> bool:
    """Whether `now` went forwards from `written` by more than the threshold.

    Finishing counts as forwards; nothing goes past a finished `written`.
    """
    if written is None or written.finished:
        return False
    if now.finished:
        return True
    return (
        now.position_s is not None
        and written.position_s is not None
        and now.position_s > written.position_s + threshold_s
    )
