"""The pure slot engine: grids, DST gap and fold, zones, notice, horizon, buffers, exceptions."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from shop_bookings.slots import (
    BusyRange,
    DateException,
    ServiceSpec,
    WeeklyRule,
    free_slots,
    is_bookable,
    refusal,
    resolve_wall_time,
)

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = timedelta(hours=1)
MIN = timedelta(minutes=1)
NEW_YEAR = datetime(2026, 1, 1, tzinfo=UTC)


def daily(start: time, end: time) -> list[WeeklyRule]:
    return [WeeklyRule(weekday=d, start=start, end=end) for d in range(7)]


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def run(
    *,
    rules,
    window_start,
    window_end,
    tz=BERLIN,
    exceptions=(),
    busy=(),
    duration=60,
    before=0,
    after=0,
    step=60,
    notice=timedelta(0),
    horizon=timedelta(days=365),
    now=NEW_YEAR,
):
    kwargs = dict(
        rules=rules,
        exceptions=list(exceptions),
        busy=list(busy),
        service=ServiceSpec(
            duration=duration * MIN, buffer_before=before * MIN, buffer_after=after * MIN
        ),
        tz=tz,
        step=step * MIN,
        min_notice=notice,
        horizon=horizon,
        now=now,
    )
    return free_slots(window_start=window_start, window_end=window_end, **kwargs), kwargs


def local_times(instants, tz=BERLIN):
    return [i.astimezone(tz).strftime("%m-%d %H:%M") for i in instants]


def test_week_crossing_spring_forward_keeps_wall_clock_times():
    # Mon 23 Mar .. Sun 29 Mar 2026; Berlin goes CET -> CEST on Sunday 29th.
    slots, _ = run(
        rules=daily(time(9), time(12)),
        window_start=datetime(2026, 3, 23, tzinfo=BERLIN),
        window_end=datetime(2026, 3, 30, tzinfo=BERLIN),
    )
    assert len(slots) == 21
    assert {s.astimezone(BERLIN).strftime("%H:%M") for s in slots} == {"09:00", "10:00", "11:00"}
    # The UTC instants shift by an hour on the change day, the wall times do not.
    assert slots[-4] == utc(2026, 3, 28, 10)  # Sat 11:00 CET
    assert slots[-3] == utc(2026, 3, 29, 7)  # Sun 09:00 CEST
    assert all(s.tzinfo is UTC for s in slots)


def test_week_crossing_fall_back_keeps_wall_clock_times():
    # Mon 19 Oct .. Sun 25 Oct 2026; CEST -> CET on Sunday 25th.
    slots, _ = run(
        rules=daily(time(9), time(12)),
        window_start=datetime(2026, 10, 19, tzinfo=BERLIN),
        window_end=datetime(2026, 10, 26, tzinfo=BERLIN),
    )
    assert len(slots) == 21
    assert {s.astimezone(BERLIN).strftime("%H:%M") for s in slots} == {"09:00", "10:00", "11:00"}
    assert slots[-4] == utc(2026, 10, 24, 9)  # Sat 11:00 CEST
    assert slots[-3] == utc(2026, 10, 25, 8)  # Sun 09:00 CET


def test_gap_wall_times_that_do_not_exist_are_skipped():
    sunday = [WeeklyRule(weekday=6, start=time(1), end=time(5))]
    slots, kwargs = run(
        rules=sunday,
        duration=30,
        step=30,
        window_start=datetime(2026, 3, 29, tzinfo=BERLIN),
        window_end=datetime(2026, 3, 30, tzinfo=BERLIN),
    )
    assert local_times(slots) == [
        "03-29 01:00",
        "03-29 01:30",
        "03-29 03:00",
        "03-29 03:30",
        "03-29 04:00",
        "03-29 04:30",
    ]
    # 01:30 CET + 30 min is 03:00 CEST: the real interval is 3 hours, not 4.
    assert slots[1] + 30 * MIN == slots[2]


def test_gap_boundary_moves_to_the_change_instant():
    sunday = [WeeklyRule(weekday=6, start=time(2, 30), end=time(4))]
    slots, _ = run(
        rules=sunday,
        duration=30,
        step=30,
        window_start=datetime(2026, 3, 29, tzinfo=BERLIN),
        window_end=datetime(2026, 3, 30, tzinfo=BERLIN),
    )
    assert local_times(slots) == ["03-29 03:00", "03-29 03:30"]
    assert slots[0] == utc(2026, 3, 29, 1)


def test_fold_uses_the_first_occurrence_only():
    sunday = [WeeklyRule(weekday=6, start=time(1), end=time(4))]
    slots, kwargs = run(
        rules=sunday,
        duration=30,
        step=30,
        window_start=datetime(2026, 10, 25, tzinfo=BERLIN),
        window_end=datetime(2026, 10, 26, tzinfo=BERLIN),
    )
    assert slots == [
        utc(2026, 10, 24, 23, 0),  # 01:00 CEST
        utc(2026, 10, 24, 23, 30),
        utc(2026, 10, 25, 0, 0),  # 02:00 CEST (first)
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 25, 2, 0),  # 03:00 CET
        utc(2026, 10, 25, 2, 30),
    ]
    # 02:00 CET (the second occurrence) is never a start, and is told so.
    assert refusal(utc(2026, 10, 25, 1, 0), **kwargs) == "repeated_time"
    assert resolve_wall_time(datetime(2026, 10, 25, 2, 0), BERLIN) == utc(2026, 10, 25, 0, 0)


def test_fold_durations_are_real_time():
    sunday = [WeeklyRule(weekday=6, start=time(1), end=time(4))]
    slots, _ = run(
        rules=sunday,
        duration=180,
        step=30,
        window_start=datetime(2026, 10, 25, tzinfo=BERLIN),
        window_end=datetime(2026, 10, 26, tzinfo=BERLIN),
    )
    # The interval lasts 4 real hours (01:00 CEST .. 04:00 CET): a 3-hour
    # appointment may start as late as 02:00 CEST.
    assert local_times(slots) == ["10-25 01:00", "10-25 01:30", "10-25 02:00"]
    assert slots[-1] + 3 * HOUR == datetime(2026, 10, 25, 4, tzinfo=BERLIN)


def test_client_in_another_zone_sees_the_same_instants():
    # The US changes on 8 March, Europe on 29 March: for three weeks New York is
    # 5 hours behind Berlin instead of 6.
    rules = daily(time(9), time(12))
    before_us_change, _ = run(
        rules=rules,
        window_start=datetime(2026, 3, 2, tzinfo=NEW_YORK),
        window_end=datetime(2026, 3, 3, tzinfo=NEW_YORK),
    )
    between_changes, _ = run(
        rules=rules,
        window_start=datetime(2026, 3, 9, tzinfo=NEW_YORK),
        window_end=datetime(2026, 3, 10, tzinfo=NEW_YORK),
    )
    assert local_times(before_us_change, NEW_YORK) == ["03-02 03:00", "03-02 04:00", "03-02 05:00"]
    assert local_times(between_changes, NEW_YORK) == ["03-09 04:00", "03-09 05:00", "03-09 06:00"]
    assert local_times(between_changes) == ["03-09 09:00", "03-09 10:00", "03-09 11:00"]


def test_client_window_cutting_the_specialists_day():
    # A Tokyo client's 9 March holds the Berlin evening of 8 March and morning of 9 March.
    tokyo = ZoneInfo("Asia/Tokyo")
    slots, _ = run(
        rules=daily(time(6), time(0)),  # 06:00 to midnight
        step=240,
        window_start=datetime(2026, 3, 9, tzinfo=tokyo),
        window_end=datetime(2026, 3, 10, tzinfo=tokyo),
    )
    assert local_times(slots) == [
        "03-08 18:00",
        "03-08 22:00",
        "03-09 06:00",
        "03-09 10:00",
        "03-09 14:00",
    ]
    assert all(
        datetime(2026, 3, 9, tzinfo=tokyo) <= s < datetime(2026, 3, 10, tzinfo=tokyo) for s in slots
    )


def test_minimum_notice_is_real_time_across_spring_forward():
    now = utc(2026, 3, 28, 9)  # Sat 10:00 CET
    slots, kwargs = run(
        rules=daily(time(9), time(13)),
        notice=timedelta(hours=24),
        now=now,
        window_start=datetime(2026, 3, 29, tzinfo=BERLIN),
        window_end=datetime(2026, 3, 30, tzinfo=BERLIN),
    )
    # 24 real hours after Sat 10:00 CET is Sun 11:00 CEST, not 10:00.
    assert local_times(slots) == ["03-29 11:00", "03-29 12:00"]
    assert refusal(utc(2026, 3, 29, 8), **kwargs) == "min_notice"  # Sun 10:00 CEST
    assert is_bookable(utc(2026, 3, 29, 9), **kwargs)


def test_minimum_notice_across_fall_back():
    now = utc(2026, 10, 24, 8)  # Sat 10:00 CEST
    slots, _ = run(
        rules=daily(time(9), time(13)),
        notice=timedelta(hours=24),
        now=now,
        window_start=datetime(2026, 10, 25, tzinfo=BERLIN),
        window_end=datetime(2026, 10, 26, tzinfo=BERLIN),
    )
    # 24 real hours later is Sun 09:00 CET: the whole Sunday is open.
    assert local_times(slots) == ["10-25 09:00", "10-25 10:00", "10-25 11:00", "10-25 12:00"]


def test_buffers_keep_distance_from_other_bookings():
    busy = [BusyRange(utc(2026, 6, 1, 10), utc(2026, 6, 1, 11))]
    slots, kwargs = run(
        rules=daily(time(9), time(13)),
        tz=ZoneInfo("UTC"),
        busy=busy,
        duration=30,
        before=15,
        after=15,
        step=15,
        window_start=utc(2026, 6, 1),
        window_end=utc(2026, 6, 2),
    )
    times = [s.strftime("%H:%M") for s in slots]
    assert times[:1] == ["09:15"]  # preparation from 09:00, buffer until 10:00
    assert "09:30" not in times and "11:00" not in times
    assert "11:15" in times  # buffer from 11:00
    assert times[-1] == "12:15"  # the clean-up ends at 13:00, the closing time
    assert refusal(utc(2026, 6, 1, 9, 30), **kwargs) == "taken"


def test_buffers_lie_inside_working_hours():
    """Issue 18: a 16:15 slot of 50 + 15 minutes no longer runs to 17:20 after a 17:00
    closing, and a 09:00 slot no longer needs preparation from 08:50."""
    slots, kwargs = run(
        rules=daily(time(9), time(17)),
        tz=ZoneInfo("UTC"),
        duration=50,
        before=10,
        after=15,
        step=15,
        window_start=utc(2026, 6, 1),
        window_end=utc(2026, 6, 2),
    )
    times = [s.strftime("%H:%M") for s in slots]
    # The grid runs from 09:00; 09:00 itself has no room for the 10 minutes before.
    assert times[0] == "09:15" and times[-1] == "15:45"  # clean-up until 16:50
    assert refusal(utc(2026, 6, 1, 9), **kwargs) == "buffer_outside_hours"
    assert refusal(utc(2026, 6, 1, 16), **kwargs) == "buffer_outside_hours"  # clean-up to 17:05
    assert refusal(utc(2026, 6, 1, 16, 15), **kwargs) == "ends_after_hours"
    assert refusal(utc(2026, 6, 1, 15, 45), **kwargs) is None


def test_buffers_inside_hours_across_dst_are_real_time():
    """On the spring-forward night a 01:00-04:00 interval lasts two real hours:
    45 + 10 + 5 minutes fit only twice on a 30-minute grid."""
    slots, kwargs = run(
        rules=daily(time(1), time(4)),
        duration=45,
        before=10,
        after=5,
        step=30,
        window_start=datetime(2026, 3, 28, tzinfo=BERLIN),
        window_end=datetime(2026, 3, 30, tzinfo=BERLIN),
    )
    assert local_times(slots) == [
        "03-28 01:30",
        "03-28 02:00",
        "03-28 02:30",
        "03-28 03:00",
        "03-29 01:30",  # clean-up until 02:20 CET, which is 03:20 CEST: inside
        "03-29 03:00",  # 02:00, 02:30 do not exist
    ]
    assert refusal(datetime(2026, 3, 29, 1, tzinfo=BERLIN), **kwargs) == "buffer_outside_hours"
    assert refusal(datetime(2026, 3, 29, 3, 30, tzinfo=BERLIN), **kwargs) == "ends_after_hours"


def test_a_group_session_shares_its_time_until_the_seats_are_gone():
    start = utc(2026, 6, 1, 10)
    seat = BusyRange(start, start + HOUR, session=start)
    common = dict(
        rules=daily(time(9), time(13)),
        tz=ZoneInfo("UTC"),
        duration=60,
        step=60,
        window_start=utc(2026, 6, 1),
        window_end=utc(2026, 6, 2),
    )
    slots, kwargs = run(busy=[seat, seat], **common)
    assert start not in slots  # capacity 1: the seat is taken
    kwargs["service"] = ServiceSpec(duration=HOUR, capacity=3)
    assert refusal(start, **kwargs) is None  # 2 of 3 seats taken
    assert start in free_slots(window_start=utc(2026, 6, 1), window_end=utc(2026, 6, 2), **kwargs)
    kwargs["busy"] = [seat] * 3
    assert refusal(start, **kwargs) == "full"
    # Another booking of the specialist overlapping the session blocks it whatever the seats.
    kwargs["busy"] = [seat, BusyRange(utc(2026, 6, 1, 10, 30), utc(2026, 6, 1, 11))]
    assert refusal(start, **kwargs) == "taken"
    # A session at another start never shares: it is an ordinary busy range.
    assert refusal(utc(2026, 6, 1, 9, 30), **{**kwargs, "step": 30 * MIN}) == "taken"


def test_a_hold_blocks_until_it_expires():
    start = utc(2026, 6, 1, 10)
    hold = BusyRange(start, start + HOUR, until=utc(2026, 6, 1, 8, 10))
    slots, kwargs = run(
        rules=daily(time(9), time(13)),
        tz=ZoneInfo("UTC"),
        busy=[hold],
        now=utc(2026, 6, 1, 8),
        window_start=utc(2026, 6, 1),
        window_end=utc(2026, 6, 2),
    )
    assert start not in slots
    assert refusal(start, **kwargs) == "taken"
    assert refusal(start, **{**kwargs, "now": utc(2026, 6, 1, 8, 10)}) is None  # lapsed


def test_exceptions_replace_the_weekly_rules():
    exceptions = [
        DateException(date=date(2026, 6, 2), is_day_off=True),
        DateException(date=date(2026, 6, 3), is_day_off=False, start=time(14), end=time(15)),
        DateException(date=date(2026, 6, 3), is_day_off=False, start=time(17), end=time(18)),
    ]
    slots, kwargs = run(
        rules=daily(time(9), time(11)),
        exceptions=exceptions,
        window_start=datetime(2026, 6, 1, tzinfo=BERLIN),
        window_end=datetime(2026, 6, 5, tzinfo=BERLIN),
    )
    assert local_times(slots) == [
        "06-01 09:00",
        "06-01 10:00",
        "06-03 14:00",
        "06-03 17:00",
        "06-04 09:00",
        "06-04 10:00",
    ]
    assert refusal(datetime(2026, 6, 2, 9, tzinfo=BERLIN), **kwargs) == "day_off"
    assert refusal(datetime(2026, 6, 3, 9, tzinfo=BERLIN), **kwargs) == "outside_hours"
    assert refusal(datetime(2026, 6, 3, 14, tzinfo=BERLIN), **kwargs) is None


def test_several_intervals_a_day_are_merged_when_they_touch():
    rules = [
        WeeklyRule(weekday=0, start=time(9), end=time(12)),
        WeeklyRule(weekday=0, start=time(11), end=time(14)),
        WeeklyRule(weekday=0, start=time(16), end=time(17)),
    ]
    slots, _ = run(
        rules=rules,
        duration=90,
        step=30,
        window_start=datetime(2026, 6, 1, tzinfo=BERLIN),
        window_end=datetime(2026, 6, 2, tzinfo=BERLIN),
    )
    assert "06-01 11:30" in local_times(slots)  # spans both overlapping rules
    assert "06-01 16:00" not in local_times(slots)  # 90 min do not fit in 16-17


def test_past_horizon_and_off_grid_refusals():
    now = utc(2026, 6, 10, 12)
    kwargs = dict(
        rules=daily(time(0), time(0)),
        exceptions=[],
        busy=[],
        service=ServiceSpec(duration=HOUR),
        tz=ZoneInfo("UTC"),
        step=30 * MIN,
        min_notice=2 * HOUR,
        horizon=timedelta(days=30),
        now=now,
    )
    assert refusal(utc(2026, 6, 10, 11), **kwargs) == "past"
    assert refusal(utc(2026, 6, 10, 13), **kwargs) == "min_notice"
    assert refusal(utc(2026, 6, 10, 14), **kwargs) is None
    assert refusal(utc(2026, 6, 10, 14, 10), **kwargs) == "off_grid"
    assert refusal(utc(2026, 6, 10, 14, 0, 30), **kwargs) == "off_grid"
    assert refusal(utc(2026, 7, 10, 12), **kwargs) is None
    assert refusal(utc(2026, 7, 10, 12, 30), **kwargs) == "horizon"


@pytest.mark.parametrize(
    "window_start",
    [datetime(2026, 3, 26, tzinfo=BERLIN), datetime(2026, 10, 22, tzinfo=BERLIN)],
)
def test_what_is_listed_is_exactly_what_may_be_booked(window_start):
    """Every quarter hour of a DST week: is_bookable() agrees with free_slots()."""
    rules = daily(time(1), time(4)) + daily(time(9), time(17, 30))
    busy = [
        BusyRange(window_start + timedelta(hours=h), window_start + timedelta(hours=h, minutes=50))
        for h in (34, 58, 80)
    ]
    window_end = window_start + timedelta(days=5)
    now = window_start - timedelta(hours=5)
    # A group session of three seats with two taken, one full, and a hold that lapses
    # during the week's first day (it blocks: ``now`` is before its expiry).
    session = window_start + timedelta(hours=35, minutes=30)
    full = window_start + timedelta(hours=59, minutes=30)
    busy += [BusyRange(session, session + timedelta(minutes=45), session=session)] * 2
    busy += [BusyRange(full, full + timedelta(minutes=45), session=full)] * 3
    held = window_start + timedelta(hours=81, minutes=30)
    busy.append(BusyRange(held, held + timedelta(hours=1), until=now + timedelta(minutes=5)))
    listed, kwargs = run(
        rules=rules,
        busy=busy,
        duration=45,
        before=10,
        after=5,
        step=30,
        notice=timedelta(hours=20),
        horizon=timedelta(days=4),
        now=now,
        window_start=window_start,
        window_end=window_end,
    )
    kwargs["service"] = ServiceSpec(
        duration=45 * MIN, buffer_before=10 * MIN, buffer_after=5 * MIN, capacity=3
    )
    listed = free_slots(window_start=window_start, window_end=window_end, **kwargs)
    assert session.astimezone(UTC) in listed
    assert full.astimezone(UTC) not in listed and held.astimezone(UTC) not in listed
    assert refusal(full, **kwargs) == "full"
    t = window_start.astimezone(UTC)
    checked = 0
    while t < window_end:
        assert is_bookable(t, **kwargs) == (t in listed), t
        t += 15 * MIN
        checked += 1
    real_hours = (window_end.astimezone(UTC) - window_start.astimezone(UTC)) / HOUR
    assert real_hours in (119, 121)  # a DST change is inside the window
    assert checked == real_hours * 4


def test_each_refusal_of_the_working_hours_has_its_own_code():
    """A start off the grid is not told it is outside the working hours."""
    now = utc(2026, 6, 1, 0)  # a Monday
    kwargs = dict(
        rules=[WeeklyRule(weekday=d, start=time(9), end=time(12)) for d in range(5)],
        exceptions=[],
        busy=[BusyRange(utc(2026, 6, 2, 10), utc(2026, 6, 2, 11))],
        service=ServiceSpec(duration=HOUR),
        tz=ZoneInfo("UTC"),
        step=30 * MIN,
        min_notice=timedelta(0),
        horizon=timedelta(days=30),
        now=now,
    )
    assert refusal(utc(2026, 6, 2, 9), **kwargs) is None
    assert refusal(utc(2026, 6, 6, 9), **kwargs) == "day_off"  # Saturday: no rules
    assert refusal(utc(2026, 6, 2, 8, 30), **kwargs) == "outside_hours"  # before 09:00
    assert refusal(utc(2026, 6, 2, 12), **kwargs) == "outside_hours"  # the end is exclusive
    assert refusal(utc(2026, 6, 2, 9, 10), **kwargs) == "off_grid"
    assert refusal(utc(2026, 6, 2, 11, 30), **kwargs) == "ends_after_hours"
    assert refusal(utc(2026, 6, 2, 10, 30), **kwargs) == "taken"
    assert refusal(utc(2026, 6, 2, 9, 30), **kwargs) == "taken"  # would run into 10:00


def test_invalid_step_is_rejected():
    with pytest.raises(ValueError):
        run(rules=[], step=0, window_start=utc(2026, 1, 1), window_end=utc(2026, 1, 2))


# --- the engine's incremental grid equals resolving every wall time -----------


def reference_free_slots(
    *, rules, busy, service, window_start, window_end, tz, step, min_notice, horizon, now
):
    """The plain definition: resolve every grid wall time on its own."""
    earliest = max(window_start, now + min_notice)
    latest = min(window_end - timedelta(microseconds=1), now + horizon)
    found = set()
    day = earliest.astimezone(tz).date() - timedelta(days=1)
    while day <= latest.astimezone(tz).date():
        for rule in (r for r in rules if r.weekday == day.weekday()):
            wall = datetime.combine(day, rule.start)
            wall_end = datetime.combine(
                day + timedelta(days=1) if rule.end == time(0) else day, rule.end
            )
            real_end = resolve_wall_time(wall_end, tz)
            while wall < wall_end:
                start = resolve_wall_time(wall, tz)
                wall += step
                if start is None:
                    continue
                end = start + service.duration
                if (real_end is not None and end + service.buffer_after > real_end) or not (
                    earliest <= start <= latest
                ):
                    continue
                blocked = (start - service.buffer_before, end + service.buffer_after)
                if any(b.start < blocked[1] and b.end > blocked[0] for b in busy):
                    continue
                found.add(start)
        day += timedelta(days=1)
    return sorted(found)


@pytest.mark.parametrize(
    ("zone", "month"),
    [
        ("Europe/Berlin", 3),
        ("Europe/Berlin", 10),
        ("America/New_York", 3),
        ("America/New_York", 11),
        ("Australia/Lord_Howe", 4),  # a 30-minute change
        ("Australia/Lord_Howe", 10),
        ("America/St_Johns", 11),
        ("UTC", 3),
    ],
)
@pytest.mark.parametrize("step", [7, 15, 45])
def test_engine_matches_resolving_every_wall_time(zone, step, month):
    tz = ZoneInfo(zone)
    rules = [
        WeeklyRule(weekday=d, start=time(0, 30) if d % 2 else time(1), end=time(0))
        for d in range(7)
    ]
    busy = [BusyRange(utc(2026, month, day, 9), utc(2026, month, day, 11)) for day in (2, 6, 9)]
    kwargs = dict(
        rules=rules,
        busy=busy,
        service=ServiceSpec(duration=50 * MIN, buffer_after=10 * MIN),
        window_start=utc(2026, month, 1),  # the month holds a DST change in each zone
        window_end=utc(2026, month + 1, 1),
        tz=tz,
        step=step * MIN,
        min_notice=timedelta(0),
        horizon=timedelta(days=365),
        now=NEW_YEAR,
    )
    got = free_slots(exceptions=[], **kwargs)
    assert got == reference_free_slots(**kwargs)
    assert all(s.tzinfo is UTC for s in got)
    offsets = {s.astimezone(tz).utcoffset() for s in got}
    assert len(offsets) == (1 if zone == "UTC" else 2)  # the month crosses a DST change
