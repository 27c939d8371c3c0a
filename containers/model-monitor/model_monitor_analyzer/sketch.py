"""A KLL quantile sketch (Karnin, Lang and Liberty, "Optimal Quantile Approximation in
Streams", 2016, with lazy compaction), the sketch AWS's statistics.json carries for each
numerical feature: `{"parameters": {"c": 0.64, "k": 2048.0}, "data": [[...], [...]]}`.

Level h holds items that each stand for 2**h values. A level compacts when it reaches its
capacity, ceil(k * c**depth) + 1 (the top level is the largest): its items are sorted and
every other one, from a random offset, moves up a level; an odd one out stays. The total
weight is therefore always the number of values seen, and a sketch of fewer than k values
is exact (everything stays in level 0). The offsets come from a seeded generator, so the
same values give the same sketch.

The CDF of a sketch is what the drift distance compares (distance.py); quantiles and the
10 equal-width buckets of statistics.json come from it too.
"""

import math
import random
from dataclasses import dataclass

import numpy as np

K = 2048
C = 0.64
BUCKETS = 10


class KLLSketch:
    def __init__(self, k: int = K, c: float = C, seed: int = 0):
        self.k = k
        self.c = c
        self.levels: list[list[float]] = [[]]
        self._random = random.Random(seed)

    @classmethod
    def of(cls, values, **kwargs) -> "KLLSketch":
        sketch = cls(**kwargs)
        for value in values:
            sketch.update(float(value))
        return sketch

    @classmethod
    def from_json(cls, sketch: dict) -> "KLLSketch":
        """The sketch of a statistics.json feature (distribution.kll.sketch)."""
        parameters = sketch.get("parameters", {})
        made = cls(k=int(parameters.get("k", K)), c=float(parameters.get("c", C)))
        made.levels = [[float(v) for v in level] for level in sketch.get("data", [])] or [[]]
        return made

    def to_json(self) -> dict:
        return {"parameters": {"c": self.c, "k": float(self.k)}, "data": [sorted(level) for level in self.levels]}

    def capacity(self, level: int) -> int:
        depth = len(self.levels) - level - 1
        return int(math.ceil(self.k * self.c ** depth)) + 1

    def update(self, value: float) -> None:
        self.levels[0].append(value)
        if len(self.levels[0]) >= self.capacity(0):
            self._compress()

    def _compress(self) -> None:
        """Compacts each full level, bottom up (what moves up may fill the next one)."""
        level = 0
        while level < len(self.levels):
            if len(self.levels[level]) >= self.capacity(level):
                if level + 1 == len(self.levels):
                    self.levels.append([])
                items = sorted(self.levels[level])
                kept = [items.pop()] if len(items) % 2 else []
                offset = self._random.randint(0, 1)
                self.levels[level + 1].extend(items[offset::2])
                self.levels[level] = kept
            level += 1

    @property
    def count(self) -> int:
        """The number of values the sketch stands for (each item of level h weighs 2**h)."""
        return sum(len(level) << h for h, level in enumerate(self.levels))

    def weighted(self) -> "Weighted":
        items = np.array([v for level in self.levels for v in level], dtype=float)
        weights = np.array([1 << h for h, level in enumerate(self.levels) for _ in level], dtype=float)
        order = np.argsort(items, kind="stable")
        return Weighted(items[order], np.cumsum(weights[order]))

    def cdf(self, points) -> np.ndarray:
        """The share of values <= each point."""
        return self.weighted().cdf(points)

    def quantile(self, q: float) -> float:
        return self.weighted().quantile(q)

    def buckets(self, low: float, high: float, count: int = BUCKETS) -> list[dict]:
        """statistics.json's distribution buckets: `count` equal widths from low to high (one
        bucket when low == high), each with the (estimated) number of values in it."""
        weighted = self.weighted()
        if not len(weighted.items):
            return []
        if high <= low:
            return [{"lower_bound": low, "upper_bound": high, "count": float(weighted.total)}]
        edges = np.linspace(low, high, count + 1)
        below = weighted.cumulative_at(edges[1:-1], strict=True)  # values < each inner edge
        cumulative = np.concatenate([[0.0], below, [weighted.total]])
        return [{"lower_bound": float(edges[i]), "upper_bound": float(edges[i + 1]),
                 "count": float(cumulative[i + 1] - cumulative[i])} for i in range(count)]


@dataclass
class Weighted:
    """A sketch's items in order, with the running total of their weights."""
    items: np.ndarray
    running: np.ndarray

    @property
    def total(self) -> float:
        return float(self.running[-1]) if len(self.running) else 0.0

    def cumulative_at(self, points, strict: bool = False) -> np.ndarray:
        """The weight of items <= each point (< with strict)."""
        index = np.searchsorted(self.items, np.asarray(points, dtype=float), side="left" if strict else "right")
        padded = np.concatenate([[0.0], self.running])
        return padded[index]

    def cdf(self, points) -> np.ndarray:
        if not self.total:
            return np.zeros(len(np.atleast_1d(points)))
        return self.cumulative_at(points) / self.total

    def quantile(self, q: float) -> float:
        if not self.total:
            return math.nan
        index = int(np.searchsorted(self.running, min(max(q, 0.0), 1.0) * self.total, side="left"))
        return float(self.items[min(index, len(self.items) - 1)])
