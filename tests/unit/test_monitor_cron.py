"""Monitoring schedules' expressions, offsets and windows (sagemaker/workflows/monitoring/schedules.py),
on AWS's hour and on the fast clock SAGEMAKER_EMULATOR_MONITORING_HOUR_SECONDS gives."""

import datetime

import pytest

from emulator.aws.errors import ValidationException
from emulator.sagemaker.workflows.monitoring import schedules
from emulator.sagemaker.workflows.monitoring.schedules import Clock, parse


def at(text: str) -> float:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc).timestamp()


def test_the_expressions_aws_documents():
    assert parse("cron(0 * ? * * *)").hours == frozenset(range(24))
    assert parse("cron(0 12 ? * * *)").hours == {12}
    assert parse("cron(0 0/2 ? * * *)").hours == set(range(0, 24, 2))
    assert parse("cron(0 17/12 ? * * *)").hours == {5, 17}  # "every 12 hours, starting at 5pm UTC"
    assert parse("NOW") is None
    for refused in ("cron(5 * ? * * *)", "cron(0 24 ? * * *)", "cron(0 1/25 ? * * *)", "rate(1 hour)",
                    "cron(0 * * * ? *)", "daily"):
        with pytest.raises(ValidationException, match="Invalid ScheduleExpression"):
            parse(refused)


def test_offsets_are_iso_8601_durations():
    assert schedules.offset_seconds("-PT1H", "x") == -3600
    assert schedules.offset_seconds("-P1DT30M", "x") == -(86400 + 1800)
    assert schedules.offset_seconds("PT0H", "x") == 0
    with pytest.raises(ValidationException, match="EndTimeOffset '-1H' is not an ISO 8601 duration"):
        schedules.offset_seconds("-1H", "EndTimeOffset")


def test_schedule_config_rules():
    schedules.check({"ScheduleExpression": "NOW", "DataAnalysisStartTime": "-PT2H", "DataAnalysisEndTime": "-PT0H"})
    with pytest.raises(ValidationException, match="required when ScheduleExpression is NOW"):
        schedules.check({"ScheduleExpression": "NOW", "DataAnalysisStartTime": "-PT1H"})
    with pytest.raises(ValidationException, match="more than 24 hours"):
        schedules.check({"ScheduleExpression": "NOW", "DataAnalysisStartTime": "-P2D", "DataAnalysisEndTime": "-PT1H"})
    with pytest.raises(ValidationException, match="must be before"):
        schedules.check({"ScheduleExpression": "NOW", "DataAnalysisStartTime": "-PT1H", "DataAnalysisEndTime": "-PT2H"})


def test_runs_and_windows_on_awss_clock():
    clock = Clock()
    hourly, daily = parse("cron(0 * ? * * *)"), parse("cron(0 5 ? * * *)")
    assert clock.next_run(hourly, at("2024-03-01T10:20:00")) == at("2024-03-01T11:00:00")
    assert clock.next_run(hourly, at("2024-03-01T11:00:00")) == at("2024-03-01T12:00:00")  # strictly after
    assert clock.next_run(daily, at("2024-03-01T06:00:00")) == at("2024-03-02T05:00:00")
    # A daily job at 05:00 on 20/02 looks at the day since the last run (AWS's docs say from 19/02 06:00, which
    # would leave out an hour; the hourly case shows the window must start at the previous run).
    assert clock.window(None, {}, daily, at("2020-02-20T05:00:00")) == (at("2020-02-19T05:00:00"),
                                                                        at("2020-02-20T05:00:00"))
    assert clock.window(None, {}, hourly, at("2024-03-01T11:00:00")) == (at("2024-03-01T10:00:00"),
                                                                         at("2024-03-01T11:00:00"))
    # A model quality input's offsets come first, then the schedule's.
    config = {"ScheduleExpression": "cron(0 * ? * * *)", "DataAnalysisStartTime": "-PT3H",
              "DataAnalysisEndTime": "-PT1H"}
    assert clock.window(config, {"StartTimeOffset": "-PT6H"}, hourly, at("2024-03-01T11:00:00")) == (
        at("2024-03-01T05:00:00"), at("2024-03-01T10:00:00"))
    # No ScheduleConfig: daily, at the hour the schedule was created in.
    assert clock.cron(None, at("2024-03-01T10:20:00")).hours == {10}


def test_a_fast_clock_keeps_the_schedule_and_shrinks_time():
    clock = Clock(hour_seconds=60)
    assert clock.compressed
    hourly, every_two = parse("cron(0 * ? * * *)"), parse("cron(0 0/2 ? * * *)")
    assert clock.next_run(hourly, 1_000_030) == 1_000_080  # every minute, on the minute
    assert clock.next_run(every_two, 1_000_030) == 1_000_080 + (60 if (1_000_080 // 60) % 2 else 0)
    assert clock.window({"ScheduleExpression": "NOW", "DataAnalysisStartTime": "-PT1H",
                         "DataAnalysisEndTime": "-PT0H"}, {}, None, 1_000_000) == (999_940, 1_000_000)
    assert clock.window(None, {}, hourly, 1_000_080) == (1_000_020, 1_000_080)
