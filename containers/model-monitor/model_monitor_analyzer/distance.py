"""How far the current data's distribution is from the baseline's (baseline_drift_check).

Numerical features: the L-infinity distance between the two CDFs (the largest absolute
difference, the two-sample Kolmogorov-Smirnov statistic), from the two KLL sketches.
`comparison_method` "Simple" flags a distance over the threshold; "Robust" also asks that
the distance be over the Kolmogorov-Smirnov critical value for the two sample sizes (at 95%
confidence), so a handful of records cannot raise a drift on their own.

Categorical features: `categorical_drift_method` "LInfinity" (the default) is the largest
absolute difference between the two frequency tables; "ChiSquared" is Pearson's test of the
current counts against the baseline's frequencies, reported as its p-value, and drift is a
p-value *under* the threshold (the chance that the baseline's distribution would give counts
this far off).
"""

import math

import numpy as np
from scipy.stats import chi2

from .sketch import KLLSketch

SIMPLE = "Simple"
ROBUST = "Robust"
L_INFINITY = "LInfinity"
CHI_SQUARED = "ChiSquared"
KS_CRITICAL_COEFFICIENT = 1.358  # c(alpha) for alpha = 0.05


def numerical_distance(baseline: KLLSketch, current: KLLSketch) -> float:
    """max |F_baseline(x) - F_current(x)| over every value either sketch holds."""
    base, now = baseline.weighted(), current.weighted()
    if not base.total or not now.total:
        return 0.0
    points = np.concatenate([base.items, now.items])
    return float(np.max(np.abs(base.cdf(points) - now.cdf(points))))


def ks_critical_value(n: float, m: float) -> float:
    """The two-sample Kolmogorov-Smirnov statistic's 95% critical value for sizes n and m."""
    if n <= 0 or m <= 0:
        return math.inf
    return KS_CRITICAL_COEFFICIENT * math.sqrt((n + m) / (n * m))


def numerical_drift(baseline: KLLSketch, current: KLLSketch, threshold: float, method: str) -> tuple[float, bool]:
    """(distance, whether it is drift under the comparison method)."""
    distance = numerical_distance(baseline, current)
    drifted = distance > threshold
    if method == ROBUST:
        drifted = drifted and distance > ks_critical_value(baseline.count, current.count)
    return distance, drifted


def categorical_l_infinity(baseline: dict[str, float], current: dict[str, float]) -> float:
    """max over values of |p_baseline - p_current|; values one side never saw count 0 there."""
    base_total, now_total = sum(baseline.values()), sum(current.values())
    if not base_total or not now_total:
        return 0.0
    return max(abs(baseline.get(v, 0) / base_total - current.get(v, 0) / now_total) for v in {*baseline, *current})


def chi_squared_p_value(baseline: dict[str, float], current: dict[str, float]) -> float:
    """Pearson's chi-squared test of the current counts against the baseline's frequencies.

    A value the baseline never saw has an expected count of 0: any current count of it makes
    the statistic infinite (p = 0)."""
    base_total, now_total = sum(baseline.values()), sum(current.values())
    if not base_total or not now_total:
        return 1.0
    values = sorted({*baseline, *current})
    expected = np.array([baseline.get(v, 0) / base_total * now_total for v in values])
    observed = np.array([current.get(v, 0) for v in values], dtype=float)
    if np.any((expected == 0) & (observed > 0)):
        return 0.0
    seen = expected > 0
    statistic = float(np.sum((observed[seen] - expected[seen]) ** 2 / expected[seen]))
    dof = int(np.count_nonzero(seen)) - 1
    return float(chi2.sf(statistic, dof)) if dof > 0 else 1.0


def categorical_drift(baseline: dict[str, float], current: dict[str, float], threshold: float,
                      method: str) -> tuple[float, bool]:
    if method == CHI_SQUARED:
        p_value = chi_squared_p_value(baseline, current)
        return p_value, p_value < threshold
    distance = categorical_l_infinity(baseline, current)
    return distance, distance > threshold
