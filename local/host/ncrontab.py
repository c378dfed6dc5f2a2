"""NCRONTAB schedules and TimeSpan intervals, as the timer trigger reads its ``schedule``.

NCRONTAB (the format of the NCrontab library the WebJobs timer extension uses):
``{second} {minute} {hour} {day} {month} {day-of-week}``; five fields mean no seconds field
(second 0). Each field is ``*`` or a comma list of values, ranges ``a-b`` and steps ``*/n``,
``a-b/n`` or ``a/n`` (from a to the field's end). Months and days of the week can be written as
English names or any prefix of them (``Jan``, ``JANUARY``, ``mon``); days of the week run 0-6
from Sunday. Day of month and day of week must both match (NCrontab ANDs them, unlike Vixie cron).
``?``, ``L``, ``W`` and ``#`` are not NCRONTAB and are refused.

TimeSpan (``TimeSpan.TryParse``, the other form the extension accepts): ``[d.]hh:mm[:ss[.fffffff]]``
or a whole number of days; the function runs that long after the previous run.

Occurrences are computed on the wall clock of the schedule's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
# (name, first, last, names) per field, seconds first.
FIELDS = (("second", 0, 59, None), ("minute", 0, 59, None), ("hour", 0, 23, None),
          ("day", 1, 31, None), ("month", 1, 12, MONTHS), ("day-of-week", 0, 6, DAYS))
# The search spans a full Gregorian cycle (400 years): a schedule with no occurrence in it never fires.
_TIMESPAN = re.compile(r"^(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$")


class ScheduleError(ValueError):
    """The expression is neither NCRONTAB nor a TimeSpan; the message names the problem."""


def _value(text: str, first: int, last: int, names: tuple[str, ...] | None, field: str) -> int:
    if text.isascii() and text.isdigit():
        number = int(text)
    elif names and text.isalpha():
        matches = [i for i, name in enumerate(names) if name.lower().startswith(text.lower())]
        if not matches:
            raise ScheduleError(f"'{text}' is not a {field} name")
        number = matches[0] + first
    else:
        raise ScheduleError(f"'{text}' is not a valid {field} value")
    if not first <= number <= last:
        raise ScheduleError(f"{field} value {number} is outside {first}-{last}")
    return number


def _field(text: str, first: int, last: int, names: tuple[str, ...] | None, field: str) -> frozenset[int]:
    values: set[int] = set()
    for item in text.split(","):
        base, slash, step_text = item.partition("/")
        step = 1
        if slash:
            if not (step_text.isascii() and step_text.isdigit()) or int(step_text) == 0:
                raise ScheduleError(f"'{item}' has an invalid step in the {field} field")
            step = int(step_text)
        if base == "*":
            low, high = first, last
        elif "-" in base:
            low_text, _, high_text = base.partition("-")
            low = _value(low_text, first, last, names, field)
            high = _value(high_text, first, last, names, field)
            if low > high:
                raise ScheduleError(f"'{item}' is a backwards range in the {field} field")
        elif base:
            low = _value(base, first, last, names, field)
            high = last if slash else low
        else:
            raise ScheduleError(f"an empty item in the {field} field")
        values.update(range(low, high + 1, step))
    return frozenset(values)


@dataclass(frozen=True)
class CronSchedule:
    expression: str
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]  # 0 = Sunday

    @classmethod
    def parse(cls, expression: str) -> CronSchedule:
        parts = expression.split()
        if len(parts) == 5:
            parts = ["0", *parts]
        if len(parts) != 6:
            raise ScheduleError(f"NCRONTAB needs 6 fields (or 5 without seconds), not {len(parts)}")
        sets = [_field(part, first, last, names, field)
                for part, (field, first, last, names) in zip(parts, FIELDS, strict=True)]
        return cls(expression, *sets)

    def _day_matches(self, moment: datetime) -> bool:
        return moment.day in self.days and (moment.weekday() + 1) % 7 in self.weekdays

    def next_after(self, after: datetime, zone: tzinfo) -> datetime | None:
        """The first occurrence strictly after ``after`` (aware), in ``zone``; None if there is none."""
        wall = after.astimezone(zone).replace(tzinfo=None, microsecond=0) + timedelta(seconds=1)
        limit = wall + min(timedelta(days=146_097), datetime.max - wall)  # 146,097 days = 400 years
        while wall < limit:
            if wall.month not in self.months:
                wall = (wall.replace(day=1) + timedelta(days=32)).replace(day=1, hour=0, minute=0, second=0)
            elif not self._day_matches(wall):
                wall = (wall + timedelta(days=1)).replace(hour=0, minute=0, second=0)
            elif wall.hour not in self.hours:
                wall = (wall + timedelta(hours=1)).replace(minute=0, second=0)
            elif wall.minute not in self.minutes:
                wall = (wall + timedelta(minutes=1)).replace(second=0)
            elif wall.second not in self.seconds:
                wall += timedelta(seconds=1)
            else:
                found = wall.replace(tzinfo=zone)  # a wall time skipped by DST lands after the gap
                if found > after:
                    return found
                wall += timedelta(seconds=1)
        return None

    def fires_more_than_once_a_minute(self) -> bool:
        """The extension's test for turning the schedule monitor off (``* * * * *`` beyond seconds)."""
        return (len(self.seconds) > 1 and len(self.minutes) == 60 and len(self.hours) == 24
                and len(self.days) == 31 and len(self.months) == 12 and len(self.weekdays) == 7)


@dataclass(frozen=True)
class IntervalSchedule:
    expression: str
    interval: timedelta

    def next_after(self, after: datetime, zone: tzinfo) -> datetime:
        return after + self.interval


def parse_timespan(text: str) -> timedelta | None:
    """``TimeSpan.TryParse`` for the forms a schedule uses; None when it is not one."""
    stripped = text.strip()
    if stripped.isascii() and stripped.isdigit():
        return timedelta(days=int(stripped))
    match = _TIMESPAN.match(stripped)
    if not match:
        return None
    days, hours, minutes, seconds, fraction = match.groups()
    if int(hours) > 23 or int(minutes) > 59 or int(seconds or 0) > 59:
        return None
    return timedelta(days=int(days or 0), hours=int(hours), minutes=int(minutes), seconds=int(seconds or 0),
                     microseconds=int((fraction or "0").ljust(7, "0")[:6]))


def parse_schedule(expression: str) -> CronSchedule | IntervalSchedule:
    """NCRONTAB first, then TimeSpan, as the extension's ``TimerSchedule.Create`` tries them."""
    try:
        return CronSchedule.parse(expression)
    except ScheduleError as cron_error:
        interval = parse_timespan(expression)
        if interval is None:
            raise ScheduleError(f"The schedule expression '{expression}' was not recognized as a valid cron "
                                f"expression or timespan string ({cron_error}).") from None
        if interval <= timedelta(0):
            raise ScheduleError(f"The schedule expression '{expression}' is a zero interval.") from None
        return IntervalSchedule(expression, interval)
