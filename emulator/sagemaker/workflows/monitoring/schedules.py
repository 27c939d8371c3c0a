"""When monitoring executions run, and over which window of captured data.

The expressions Model Monitor accepts (ScheduleConfig.ScheduleExpression): `cron(0 * ? * * *)`
(hourly), `cron(0 H ? * * *)` (daily at hour H, UTC), `cron(0 H/N ? * * *)` (every N hours
from hour H: the hours of the day congruent to H modulo N, so `cron(0 17/12 ? * * *)` runs
at 05:00 and 17:00, as AWS's docs say) and `NOW` (once, at once). No ScheduleConfig means
daily at a time SageMaker picks: here the hour the schedule was created in.

A run's window is [scheduled + start offset, scheduled + end offset]: the offsets are
EndpointInput's StartTimeOffset/EndTimeOffset, else ScheduleConfig's DataAnalysisStartTime/
DataAnalysisEndTime (ISO 8601 durations such as "-PT1H", required for NOW), else the period
since the previous run (an hourly run looks at the hour before it, a daily one at the day).

`Clock` reads all of this on a schedule clock whose hour lasts `hour_seconds` real seconds
(SAGEMAKER_EMULATOR_MONITORING_HOUR_SECONDS, default 3600): at 60, an hourly schedule runs
every minute over the minute before it, a daily one every 24 minutes, and "-PT1H" means 60
seconds, so local work does not wait for the top of the hour.
"""

import math
import re
from dataclasses import dataclass

from ....aws.errors import ValidationException

NOW = "NOW"
HOUR = 3600.0
MAX_WINDOW = 24 * HOUR
_CRON = re.compile(r"cron\(\s*0\s+(?P<hours>\*|\d{1,2}(?:/\d{1,2})?)\s+\?\s+\*\s+\*\s+\*\s*\)")
_DURATION = re.compile(r"(?P<sign>[+-]?)P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
                       r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?")
_SECONDS = {"weeks": 7 * 24 * HOUR, "days": 24 * HOUR, "hours": HOUR, "minutes": 60.0, "seconds": 1.0}


@dataclass(frozen=True)
class Cron:
    hours: frozenset[int]  # the hours of the day (UTC) it runs at, on the hour


def parse(expression: str) -> Cron | None:
    """The cron an expression means; None for NOW. ValidationException for one AWS refuses."""
    if expression.strip() == NOW:
        return None
    match = _CRON.fullmatch(expression.strip())
    hours = None
    if match and match["hours"] == "*":
        hours = frozenset(range(24))
    elif match and "/" in match["hours"]:
        start, step = map(int, match["hours"].split("/"))
        if start < 24 and 1 <= step <= 24:
            hours = frozenset(h for h in range(24) if h % step == start % step)
    elif match and int(match["hours"]) < 24:
        hours = frozenset({int(match["hours"])})
    if hours is None:
        raise ValidationException(
            f"Invalid ScheduleExpression '{expression}': Model Monitor supports NOW, cron(0 * ? * * *) (hourly), "
            "cron(0 H ? * * *) (daily at hour H, 0-23, UTC) and cron(0 H/N ? * * *) (every N hours from hour H, "
            "N from 1 to 24)")
    return Cron(hours)


def offset_seconds(text: str, member: str) -> float:
    """An ISO 8601 duration with a sign ("-PT1H", "-P1D", "PT0H") in seconds."""
    match = _DURATION.fullmatch(text.strip())
    if not match or not any(match[unit] for unit in _SECONDS):
        raise ValidationException(f"{member} '{text}' is not an ISO 8601 duration such as -PT1H or -P1D")
    seconds = sum(float(match[unit]) * size for unit, size in _SECONDS.items() if match[unit])
    return -seconds if match["sign"] == "-" else seconds


def is_one_time(schedule_config: dict | None) -> bool:
    return bool(schedule_config) and schedule_config["ScheduleExpression"].strip() == NOW


def window_offsets(schedule_config: dict | None, endpoint_input: dict) -> tuple[float | None, float | None]:
    """(start, end) offsets in schedule seconds from the run's time; None where none is set."""
    config = schedule_config or {}
    offsets = []
    for input_member, config_member in (("StartTimeOffset", "DataAnalysisStartTime"),
                                        ("EndTimeOffset", "DataAnalysisEndTime")):
        if endpoint_input.get(input_member):
            offsets.append(offset_seconds(endpoint_input[input_member], f"EndpointInput.{input_member}"))
        elif config.get(config_member):
            offsets.append(offset_seconds(config[config_member], f"ScheduleConfig.{config_member}"))
        else:
            offsets.append(None)
    return offsets[0], offsets[1]


def check(schedule_config: dict | None, endpoint_input: dict | None = None) -> None:
    """The ScheduleConfig rules AWS states; ValidationException naming what breaks one."""
    if not schedule_config:
        return
    parse(schedule_config["ScheduleExpression"])
    start, end = window_offsets(schedule_config, endpoint_input or {})
    if is_one_time(schedule_config) and (not schedule_config.get("DataAnalysisStartTime")
                                         or not schedule_config.get("DataAnalysisEndTime")):
        raise ValidationException("ScheduleConfig.DataAnalysisStartTime and DataAnalysisEndTime are required when "
                                  "ScheduleExpression is NOW")
    if start is not None and end is not None:
        if start >= end:
            raise ValidationException(f"ScheduleConfig.DataAnalysisStartTime must be before DataAnalysisEndTime "
                                      f"(they are {start:+.0f} s and {end:+.0f} s from each run)")
        if end - start > MAX_WINDOW:
            raise ValidationException("ScheduleConfig.DataAnalysisStartTime must not precede DataAnalysisEndTime by "
                                      "more than 24 hours")


class Clock:
    """Schedule time on real time: a schedule hour lasts hour_seconds real seconds."""

    def __init__(self, hour_seconds: float = HOUR):
        self.scale = hour_seconds / HOUR

    @property
    def compressed(self) -> bool:
        return self.scale < 1

    def _hour_index(self, real: float) -> float:
        return real / self.scale / HOUR

    def _real(self, hour_index: int) -> float:
        return hour_index * HOUR * self.scale

    def cron(self, schedule_config: dict | None, created: float) -> Cron | None:
        """The schedule's cron (None for NOW); without a ScheduleConfig, daily at the hour it
        was created in."""
        if schedule_config:
            return parse(schedule_config["ScheduleExpression"])
        return Cron(frozenset({int(self._hour_index(created)) % 24}))

    def next_run(self, cron: Cron, after: float) -> float:
        """The first run strictly after `after` (real seconds)."""
        index = math.floor(self._hour_index(after)) + 1
        while index % 24 not in cron.hours:
            index += 1
        return self._real(index)

    def previous_run(self, cron: Cron, at: float) -> float:
        """The last run strictly before `at`."""
        index = math.ceil(self._hour_index(at)) - 1
        while index % 24 not in cron.hours:
            index -= 1
        return self._real(index)

    def window(self, schedule_config: dict | None, endpoint_input: dict, cron: Cron | None,
               scheduled: float) -> tuple[float, float]:
        """[start, end] in real seconds of the run scheduled at `scheduled`."""
        start, end = window_offsets(schedule_config, endpoint_input)
        real_start = scheduled + start * self.scale if start is not None else (
            self.previous_run(cron, scheduled) if cron else scheduled - HOUR * self.scale)
        real_end = scheduled + end * self.scale if end is not None else scheduled
        return real_start, real_end
