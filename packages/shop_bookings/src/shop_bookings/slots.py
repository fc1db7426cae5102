"""The slot engine: pure functions, no database, no clock.

Everything it needs comes in as arguments (``now`` included), so the same
call answers "what may be listed" and "may this start be booked":
``is_bookable()`` and ``refusal()`` are built on ``free_slots()``.

Inputs:

* weekly working rules and date exceptions are wall-clock times in the
  specialist's IANA time zone ``tz``;
* busy ranges (the blocked ranges of pending and confirmed bookings,
  buffers included) and every instant in or out are aware datetimes;
  results are in UTC.

DST policy (see the README):

* Candidate start times are a wall-clock grid: ``interval start + k * step``
  in the specialist's zone, so a 09:00 slot stays at 09:00 on both sides of
  a change.
* Gap (spring forward): a wall time that does not exist is skipped. A
  working-interval boundary inside the gap moves to the instant of the
  change (the first wall time that exists).
* Fold (fall back): a repeated wall time means its first occurrence
  (``fold=0``); the second occurrence is never offered as a start.
* Durations, buffers, the minimum notice and the horizon are real elapsed
  time: a 60-minute service is 60 minutes long on any day.
* The appointment itself (without buffers) lies inside working hours; the
  buffers only keep it apart from other bookings' blocked ranges.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

__all__ = [
    "BusyRange",
    "DateException",
    "ServiceSpec",
    "WeeklyRule",
    "free_slots",
    "is_bookable",
    "refusal",
    "resolve_wall_time",
]

UTC = timezone.utc
MIDNIGHT = time(0)


@dataclass(frozen=True)
class WeeklyRule:
    """Working interval on a weekday (0 = Monday). ``end == 00:00`` means midnight."""

    weekday: int
    start: time
    end: time


@dataclass(frozen=True)
class DateException:
    """Replaces the weekly rules on ``date``: a day off, or one interval of other hours.

    Several exceptions on one date add up; any day-off exception wins.
    """

    date: date
    is_day_off: bool = True
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True)
class BusyRange:
    """An instant range [start, end) that no new blocked range may overlap."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class ServiceSpec:
    """What the engine needs to know about a service."""

    duration: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)


def _is_valid_wall_time(naive: datetime, tz: ZoneInfo) -> bool:
    aware = naive.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


def resolve_wall_time(naive: datetime, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of a wall time in ``tz``; ``None`` when it does not exist (gap).

    An ambiguous wall time (fold) resolves to its first occurrence.
    """
    if not _is_valid_wall_time(naive, tz):
        return None
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _resolve_boundary(naive: datetime, tz: ZoneInfo) -> datetime:
    """Like resolve_wall_time(), but a wall time in a gap moves to the change instant."""
    instant = resolve_wall_time(naive, tz)
    if instant is not None:
        return instant
    # In a gap the two folds give the instants on both sides of the change:
    # search between them, to the second, for the first instant whose local
    # time is at or after the wall time.
    lo = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    hi = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    lo, hi = min(lo, hi), max(lo, hi)
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).replace(tzinfo=None) >= naive:
            hi = mid
        else:
            lo = mid
    return hi.replace(microsecond=0)


def _merge(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _wall_intervals(
    day: date,
    rules_by_weekday: dict[int, list[WeeklyRule]],
    exceptions_by_date: dict[date, list[DateException]],
) -> list[tuple[datetime, datetime]]:
    """Naive wall-clock working intervals of one local date, merged."""
    if day in exceptions_by_date:
        items = exceptions_by_date[day]
        if any(e.is_day_off for e in items):
            return []
        pairs = [(e.start, e.end) for e in items if e.start is not None and e.end is not None]
    else:
        pairs = [(r.start, r.end) for r in rules_by_weekday.get(day.weekday(), [])]
    out = []
    for start, end in pairs:
        wall_start = datetime.combine(day, start)
        wall_end = datetime.combine(day + timedelta(days=1) if end == MIDNIGHT else day, end)
        if wall_end > wall_start:
            out.append((wall_start, wall_end))
    return _merge(out)


def free_slots(
    *,
    rules: Sequence[WeeklyRule],
    exceptions: Sequence[DateException],
    busy: Sequence[BusyRange],
    service: ServiceSpec,
    window_start: datetime,
    window_end: datetime,
    tz: ZoneInfo,
    step: timedelta,
    min_notice: timedelta,
    horizon: timedelta,
    now: datetime,
) -> list[datetime]:
    """Free start instants (UTC, sorted) in [window_start, window_end).

    A start is free when it is on the wall-clock grid of a working interval,
    the appointment fits in that interval, ``now + min_notice <= start <=
    now + horizon``, and its blocked range ``[start - buffer_before, start +
    duration + buffer_after)`` overlaps no busy range.
    """
    if step <= timedelta(0):
        raise ValueError("step must be positive")
    if service.duration <= timedelta(0):
        raise ValueError("duration must be positive")
    # In UTC like every instant below: comparing aware datetimes of two
    # different zones costs a utcoffset() call each time.
    earliest = max(window_start, now + min_notice).astimezone(UTC)
    latest = min(window_end - timedelta(microseconds=1), now + horizon).astimezone(UTC)
    if earliest > latest:
        return []

    rules_by_weekday: dict[int, list[WeeklyRule]] = {}
    for rule in rules:
        rules_by_weekday.setdefault(rule.weekday, []).append(rule)
    exceptions_by_date: dict[date, list[DateException]] = {}
    for exc in exceptions:
        exceptions_by_date.setdefault(exc.date, []).append(exc)

    merged_busy = _merge((b.start.astimezone(UTC), b.end.astimezone(UTC)) for b in busy)
    busy_starts = [b[0] for b in merged_busy]

    bisect_left = bisect.bisect_left
    duration = service.duration
    before, after = service.buffer_before, service.buffer_after

    result: list[datetime] = []
    first_day = earliest.astimezone(tz).date() - timedelta(days=1)
    last_day = latest.astimezone(tz).date()
    day = first_day
    while day <= last_day:
        for wall_start, wall_end in _wall_intervals(day, rules_by_weekday, exceptions_by_date):
            real_start = _resolve_boundary(wall_start, tz)
            real_end = _resolve_boundary(wall_end, tz)
            # Wall times carry ``tz`` so that comparing them with a local time
            # of the same zone compares the clock readings only (no offsets).
            wall = wall_start.replace(tzinfo=tz)
            wall_stop = wall_end.replace(tzinfo=tz)
            start: datetime | None = None
            while wall < wall_stop:
                # The next grid point is usually the previous instant plus the
                # step; that guess is right exactly when it reads as this wall
                # time in the zone, first occurrence (fold 0). Otherwise (a DST
                # change in between, or after a gap) resolve it from scratch.
                if start is not None:
                    guess = start + step
                    local = guess.astimezone(tz)
                    if local.fold or local != wall:
                        guess = resolve_wall_time(wall.replace(tzinfo=None), tz)
                    start = guess
                else:
                    start = resolve_wall_time(wall.replace(tzinfo=None), tz)
                wall += step
                if start is None or start < real_start:
                    continue  # a gap: this wall time does not exist today
                end = start + duration
                if end > real_end:
                    break  # later grid points end even later
                if start < earliest or start > latest:
                    continue
                # Does [start - before, end + after) overlap a busy range? The
                # last one starting before its end is the only candidate, since
                # merged ranges are disjoint and sorted.
                i = bisect_left(busy_starts, end + after) - 1
                if i >= 0 and merged_busy[i][1] > start - before:
                    continue
                result.append(start)
        day += timedelta(days=1)
    return sorted(set(result))


def refusal(
    start: datetime,
    *,
    rules: Sequence[WeeklyRule],
    exceptions: Sequence[DateException],
    busy: Sequence[BusyRange],
    service: ServiceSpec,
    tz: ZoneInfo,
    step: timedelta,
    min_notice: timedelta,
    horizon: timedelta,
    now: datetime,
) -> str | None:
    """Why ``start`` may not be booked, or ``None`` when it may.

    The decision is ``free_slots()``'s (a one-instant window around
    ``start``); only the reason is worked out here. Codes: ``"past"``,
    ``"min_notice"``, ``"horizon"``, ``"taken"``, ``"outside_hours"``.
    """
    common = dict(rules=rules, exceptions=exceptions, service=service, tz=tz, step=step)
    window_end = start + timedelta(microseconds=1)
    slots = free_slots(
        busy=busy,
        window_start=start,
        window_end=window_end,
        min_notice=min_notice,
        horizon=horizon,
        now=now,
        **common,
    )
    if start in slots:
        return None
    if start <= now:
        return "past"
    if start < now + min_notice:
        return "min_notice"
    if start > now + horizon:
        return "horizon"
    # Would it be free with no other bookings? Then another booking is in the way.
    without_busy = free_slots(
        busy=(),
        window_start=start,
        window_end=window_end,
        min_notice=min_notice,
        horizon=horizon,
        now=now,
        **common,
    )
    return "taken" if start in without_busy else "outside_hours"


def is_bookable(start: datetime, **kwargs) -> bool:
    """True when ``start`` is one of ``free_slots()`` (same keyword arguments as refusal())."""
    return refusal(start, **kwargs) is None
