"""CloudWatch's retention schedule, applied to the emulator's metric records.

CloudWatch keeps datapoints of periods under 60 s for 3 hours, 1-minute datapoints for
15 days, 5-minute ones for 63 days and 1-hour ones for 455 days (15 months); older data is
gone. compact() rolls records up the same way, one record per series and period: Sum,
SampleCount, Minimum and Maximum stay exact, and so do percentiles while a period holds at
most 150 distinct values (PutMetricData's limit for one datum); past that its values are
kept as a statistic set.

Records are PutMetricData MetricDatum plus Namespace, Timestamp in epoch seconds (see
moto_services.datum). Values are counted as moto counts them, so moto answers the same
statistics over the compacted records as over the originals.
"""

import math
from numbers import Real

HOUR = 3600
DAY = 24 * HOUR
EXPIRY_SECONDS = 455 * DAY
# (age beyond which, period kept), oldest first
_PERIODS = ((63 * DAY, HOUR), (15 * DAY, 5 * 60), (3 * HOUR, 60))
MAX_DISTINCT_VALUES = 150


def period_for(age_seconds: float) -> int | None:
    """The period CloudWatch still keeps for data this old; None while it keeps it as sent."""
    return next((period for age, period in _PERIODS if age_seconds > age), None)


def compact(records: list[dict], now: float) -> list[dict]:
    """The records as CloudWatch would hold them at `now`, oldest first."""
    kept, rollups = [], {}
    for record in records:
        age = now - record["Timestamp"]
        if age > EXPIRY_SECONDS:
            continue
        period = period_for(age)
        if period is None:
            kept.append(record)
            continue
        start = math.floor(record["Timestamp"] / period) * period
        dimensions = tuple(sorted((d["Name"], d["Value"]) for d in record.get("Dimensions", [])))
        key = (record["Namespace"], record["MetricName"], dimensions, record.get("Unit"), start)
        rollup = rollups.get(key)
        if rollup is None:
            rollup = rollups[key] = _Rollup(record, start)
        rollup.add(record)
    rolled = [r for rollup in rollups.values() for r in rollup.records()]
    return sorted(kept + rolled, key=lambda r: r["Timestamp"])


class _Rollup:
    """One series' records over one period."""

    def __init__(self, first: dict, start: int):
        self.base = {"Namespace": first["Namespace"], "MetricName": first["MetricName"], "Timestamp": start,
                     "Dimensions": first.get("Dimensions", [])}
        if first.get("Unit") is not None:
            self.base["Unit"] = first["Unit"]
        self.counts: dict[float, int] = {}
        self.stats: dict | None = None

    def add(self, record: dict) -> None:
        # The same precedence as moto's put_metric_data: Values, then StatisticValues, then Value.
        if record.get("Values"):
            counts = record.get("Counts") or [1] * len(record["Values"])
            for value, count in zip(record["Values"], counts):
                self._add_value(float(value), int(float(count)))
        elif record.get("StatisticValues"):
            self._add_stats({k: float(v) for k, v in record["StatisticValues"].items()})
        else:
            self._add_value(float(record.get("Value", 0)), 1)

    def _add_value(self, value: float, count: int) -> None:
        if count > 0:
            self.counts[value] = self.counts.get(value, 0) + count

    def _add_stats(self, stats: dict) -> None:
        if self.stats is None:
            self.stats = {"SampleCount": stats["SampleCount"], "Sum": stats["Sum"],
                          "Minimum": stats["Minimum"], "Maximum": stats["Maximum"]}
            return
        self.stats["SampleCount"] += stats["SampleCount"]
        self.stats["Sum"] += stats["Sum"]
        self.stats["Minimum"] = min(self.stats["Minimum"], stats["Minimum"])
        self.stats["Maximum"] = max(self.stats["Maximum"], stats["Maximum"])

    def records(self) -> list[dict]:
        if len(self.counts) > MAX_DISTINCT_VALUES:
            counts, self.counts = self.counts, {}
            self._add_stats({"SampleCount": float(sum(counts.values())),
                             "Sum": sum(value * count for value, count in counts.items()),
                             "Minimum": min(counts), "Maximum": max(counts)})
        out = []
        if self.counts:
            values = sorted(self.counts)
            out.append({**self.base, "Values": values, "Counts": [self.counts[v] for v in values]})
        if self.stats is not None:
            out.append({**self.base, "StatisticValues": self.stats})
        return out


def is_metric_record(record: dict) -> bool:
    """Whether compact() and moto can take the record."""
    def number(x):
        return isinstance(x, Real) and not isinstance(x, bool) and math.isfinite(x)

    if not (isinstance(record.get("Namespace"), str) and isinstance(record.get("MetricName"), str)
            and number(record.get("Timestamp"))):
        return False
    dimensions = record.get("Dimensions", [])
    if not (isinstance(dimensions, list) and all(isinstance(d, dict) and isinstance(d.get("Name"), str)
                                                 and isinstance(d.get("Value"), str) for d in dimensions)):
        return False
    values = record.get("Values")
    if values:
        if not isinstance(values, list):
            return False
        counts = record.get("Counts") or [1] * len(values)
        return isinstance(counts, list) and len(counts) == len(values) and all(map(number, values + counts))
    if record.get("StatisticValues"):
        stats = record["StatisticValues"]
        return isinstance(stats, dict) and all(number(stats.get(k))
                                               for k in ("SampleCount", "Sum", "Minimum", "Maximum"))
    return number(record.get("Value", 0))
