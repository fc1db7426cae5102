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
* Buffers are the specialist's working time: the buffered range
  ``[start - buffer_before, end + buffer_after]`` lies inside one working
  interval, and no other busy range overlaps it.

Seats and holds are busy ranges too: a range that holds a seat in a group
session of the service being listed (``BusyRange.session``) shares its time
with the other seats of that session, up to ``ServiceSpec.capacity``; a
hold's range stops blocking at its ``until`` (expiry is part of the rule,
decided with the same injected ``now``).

``refusal()`` names why a start is refused with one of ``REFUSALS``; which
starts are refused is always ``free_slots()``'s decision.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from itertools import chain
from typing import NamedTuple
from zoneinfo import ZoneInfo

__all__ = [
    "REFUSALS",
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

# Why a start may not be booked (``refusal()``), most telling first.
PAST = "past"  # at or before now
MIN_NOTICE = "min_notice"  # sooner than now + min_notice
HORIZON = "horizon"  # later than now + horizon
DAY_OFF = "day_off"  # no working hours on that local date
OUTSIDE_HOURS = "outside_hours"  # not inside a working interval of that date
REPEATED_TIME = "repeated_time"  # the second occurrence of a wall time repeated by a DST change
OFF_GRID = "off_grid"  # inside hours, but not interval start + k * step
ENDS_AFTER_HOURS = "ends_after_hours"  # the appointment would run past the interval's end
BUFFER_OUTSIDE_HOURS = "buffer_outside_hours"  # a buffer would fall outside the interval
TAKEN = "taken"  # free but for another booking's blocked range (buffers included)
FULL = "full"  # a group session at this start has no seat left
REFUSALS = (
    PAST,
    MIN_NOTICE,
    HORIZON,
    DAY_OFF,
    OUTSIDE_HOURS,
    REPEATED_TIME,
    OFF_GRID,
    ENDS_AFTER_HOURS,
    BUFFER_OUTSIDE_HOURS,
    TAKEN,
    FULL,
)


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
    """An instant range [start, end) that no new blocked range may overlap.

    ``session``: the start of the group session of the listed service this
    range holds a seat in (a booking or hold of that service); a new booking
    at that very start shares the time while seats are left. ``until``: the
    range blocks only while ``now < until`` (a hold's expiry).
    """

    start: datetime
    end: datetime
    session: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class ServiceSpec:
    """What the engine needs to know about a service (``capacity``: seats per start)."""

    duration: timedelta
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    capacity: int = 1


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


class _Interval(NamedTuple):
    """A working interval: wall-clock bounds (naive) and the instants they resolve to."""

    wall_start: datetime
    wall_end: datetime
    real_start: datetime
    real_end: datetime


class _Schedule:
    """Weekly rules and date exceptions, indexed for day-by-day lookups."""

    def __init__(
        self, rules: Sequence[WeeklyRule], exceptions: Sequence[DateException], tz: ZoneInfo
    ) -> None:
        self.tz = tz
        self.rules: dict[int, list[WeeklyRule]] = {}
        for rule in rules:
            self.rules.setdefault(rule.weekday, []).append(rule)
        self.exceptions: dict[date, list[DateException]] = {}
        for exc in exceptions:
            self.exceptions.setdefault(exc.date, []).append(exc)

    def _pairs(self, day: date) -> list[tuple[time, time]]:
        if day not in self.exceptions:
            return [(r.start, r.end) for r in self.rules.get(day.weekday(), [])]
        items = self.exceptions[day]
        if any(e.is_day_off for e in items):
            return []
        return [(e.start, e.end) for e in items if e.start is not None and e.end is not None]

    def intervals(self, day: date) -> list[_Interval]:
        """The merged working intervals of one local date."""
        walls = []
        for start, end in self._pairs(day):
            wall_start = datetime.combine(day, start)
            wall_end = datetime.combine(day + timedelta(days=1) if end == MIDNIGHT else day, end)
            if wall_end > wall_start:
                walls.append((wall_start, wall_end))
        return [
            _Interval(s, e, _resolve_boundary(s, self.tz), _resolve_boundary(e, self.tz))
            for s, e in _merge(walls)
        ]


class _Ranges:
    """Ranges merged and sorted, for "does this range overlap one?" in log time."""

    def __init__(self, ranges: Iterable[BusyRange]) -> None:
        self.ranges = _merge((b.start.astimezone(UTC), b.end.astimezone(UTC)) for b in ranges)
        self.starts = [r[0] for r in self.ranges]
        self.ends = [r[1] for r in self.ranges]

    def overlaps(self, start: datetime, end: datetime) -> bool:
        # Only the last range starting before ``end`` can overlap: ranges are disjoint.
        i = bisect.bisect_left(self.starts, end) - 1
        return i >= 0 and self.ranges[i][1] > start


class _Busy:
    """The ranges that block at ``now``, with the seats of each group session."""

    def __init__(self, busy: Sequence[BusyRange], now: datetime, capacity: int) -> None:
        self.live = [b for b in busy if b.until is None or now < b.until]
        self.capacity = capacity
        self.seats: dict[datetime, int] = {}
        # With one seat a session's booking blocks its own start like any busy
        # range: no seats to count, and ``free`` takes its one walk.
        for b in self.live if capacity > 1 else ():
            if b.session is not None:
                key = b.session.astimezone(UTC)
                self.seats[key] = self.seats.get(key, 0) + 1
        self.all = _Ranges(self.live)
        self._others: dict[datetime, _Ranges] = {}

    def _except_session(self, start: datetime) -> _Ranges:
        if start not in self._others:
            others = (b for b in self.live if b.session is None or b.session != start)
            self._others[start] = _Ranges(others)
        return self._others[start]

    def blocks(self, start: datetime, blocked_start: datetime, blocked_end: datetime) -> bool:
        """Whether a booking at ``start`` (blocked range given) is refused by busy ranges."""
        seats = self.seats.get(start)
        if seats is None:
            return self.all.overlaps(blocked_start, blocked_end)
        if seats >= self.capacity:
            return True
        return self._except_session(start).overlaps(blocked_start, blocked_end)

    def free(
        self, starts: Iterable[datetime], before: timedelta, length: timedelta
    ) -> Iterator[datetime]:
        """The ``starts`` (ascending) whose blocked range ``[start - before, start + length)``
        is free."""
        if self.seats:
            yield from (s for s in starts if not self.blocks(s, s - before, s + length))
            return
        # No seats to share: one walk along the merged ranges, as the first range
        # ending after a blocked range's start only moves forward.
        ends, begins, count, i = self.all.ends, self.all.starts, len(self.all.ends), 0
        for start in starts:
            low = start - before
            while i < count and ends[i] <= low:
                i += 1
            if i == count or begins[i] >= start + length:
                yield start

    def full(self, start: datetime, blocked_start: datetime, blocked_end: datetime) -> bool:
        """Whether the seats of a group session at ``start`` alone refuse it."""
        if self.capacity == 1 or self.seats.get(start, 0) < self.capacity:
            return False
        return not self._except_session(start).overlaps(blocked_start, blocked_end)


def _grid_starts(
    interval: _Interval,
    tz: ZoneInfo,
    step: timedelta,
    before: timedelta,
    length: timedelta,
    earliest: datetime,
    latest: datetime,
) -> Iterator[datetime]:
    """Instants in [earliest, latest] of the wall-clock grid of ``interval`` where the
    blocked range ``[start - before, start + length)`` fits inside it (ascending)."""
    first = max(interval.real_start + before, earliest)
    last = min(interval.real_end - length, latest)
    # Wall times carry ``tz`` so that comparing one with a local time of the same
    # zone compares the clock readings only (no offsets).
    wall = interval.wall_start.replace(tzinfo=tz)
    stop = interval.wall_end.replace(tzinfo=tz)
    start: datetime | None = None
    while wall < stop:
        # The next grid point is usually the previous instant plus the step; that
        # guess is right exactly when it reads as this wall time, first occurrence
        # (fold 0). Otherwise (a DST change in between, or after a gap) resolve it.
        if start is not None:
            start += step
            local = start.astimezone(tz)
            if local.fold or local != wall:
                start = resolve_wall_time(wall.replace(tzinfo=None), tz)
        else:
            start = resolve_wall_time(wall.replace(tzinfo=None), tz)
        wall += step
        if start is None:
            continue  # a gap: this wall time does not exist today
        if start > last:
            return  # the grid runs forward in time: later points end even later
        if start >= first:
            yield start


def _local_days(earliest: datetime, latest: datetime, tz: ZoneInfo) -> Iterator[date]:
    # From the day before: an interval of the previous local date may reach into the range.
    day = earliest.astimezone(tz).date() - timedelta(days=1)
    last = latest.astimezone(tz).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _check_inputs(step: timedelta, service: ServiceSpec) -> None:
    if step <= timedelta(0):
        raise ValueError("step must be positive")
    if service.duration <= timedelta(0):
        raise ValueError("duration must be positive")
    if service.capacity < 1:
        raise ValueError("capacity must be at least 1")


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
    its blocked range ``[start - buffer_before, start + duration +
    buffer_after)`` fits in that interval, ``now + min_notice <= start <=
    now + horizon``, and the blocked range overlaps no busy range that blocks
    at ``now`` (but those holding seats in a session at ``start`` while fewer
    than ``capacity`` seats are taken).
    """
    _check_inputs(step, service)
    # In UTC like every instant below: comparing aware datetimes of two
    # different zones costs a utcoffset() call each time.
    earliest = max(window_start, now + min_notice).astimezone(UTC)
    latest = min(window_end - timedelta(microseconds=1), now + horizon).astimezone(UTC)
    if earliest > latest:
        return []
    schedule, taken = _Schedule(rules, exceptions, tz), _Busy(busy, now, service.capacity)
    before, length = service.buffer_before, service.duration + service.buffer_after
    grid = chain.from_iterable(
        _grid_starts(interval, tz, step, before, length, earliest, latest)
        for day in _local_days(earliest, latest, tz)
        for interval in schedule.intervals(day)
        if interval.real_end > earliest and interval.real_start <= latest
    )
    # Ascending: days in order, a day's merged intervals in order, each grid
    # forward in time, and a day's intervals end before the next day's begin.
    return list(taken.free(grid, before, length))


def _timing_problem(
    start: datetime, *, now: datetime, min_notice: timedelta, horizon: timedelta
) -> str | None:
    if start <= now:
        return PAST
    if start < now + min_notice:
        return MIN_NOTICE
    if start > now + horizon:
        return HORIZON
    return None


def _schedule_problem(
    start: datetime,
    *,
    rules: Sequence[WeeklyRule],
    exceptions: Sequence[DateException],
    service: ServiceSpec,
    tz: ZoneInfo,
    step: timedelta,
) -> str:
    """Why ``start`` is not a start of the working hours (it is known not to be one)."""
    local = start.astimezone(tz)
    intervals = _Schedule(rules, exceptions, tz).intervals(local.date())
    if not intervals:
        return DAY_OFF
    inside = [i for i in intervals if i.real_start <= start < i.real_end]
    if not inside:
        return OUTSIDE_HOURS
    if local.fold:
        return REPEATED_TIME
    if (local.replace(tzinfo=None) - inside[0].wall_start) % step:
        return OFF_GRID
    if start + service.duration > inside[0].real_end:
        return ENDS_AFTER_HOURS
    if (
        start - service.buffer_before < inside[0].real_start
        or start + service.duration + service.buffer_after > inside[0].real_end
    ):
        return BUFFER_OUTSIDE_HOURS
    return OUTSIDE_HOURS  # not reached while free_slots() and this agree


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
    """Why ``start`` may not be booked (one of ``REFUSALS``), or ``None`` when it may.

    The decision is ``free_slots()``'s (a one-instant window around
    ``start``); only the reason is worked out here: the time first (past,
    notice, horizon), then "taken" when the start would be free without the
    other bookings ("full" when only the seats of its group session are
    taken), else what about the working hours rules it out.
    """
    schedule = dict(rules=rules, exceptions=exceptions, service=service, tz=tz, step=step)
    timing = dict(min_notice=min_notice, horizon=horizon, now=now)
    window = dict(window_start=start, window_end=start + timedelta(microseconds=1))
    if start in free_slots(busy=busy, **window, **schedule, **timing):
        return None
    problem = _timing_problem(start, **timing)
    if problem:
        return problem
    if start in free_slots(busy=(), **window, **schedule, **timing):
        start = start.astimezone(UTC)
        blocked = (start - service.buffer_before, start + service.duration + service.buffer_after)
        full = _Busy(busy, now, service.capacity).full(start, *blocked)
        return FULL if full else TAKEN
    return _schedule_problem(start, **schedule)


def is_bookable(start: datetime, **kwargs) -> bool:
    """True when ``start`` is one of ``free_slots()`` (same keyword arguments as refusal())."""
    return refusal(start, **kwargs) is None
