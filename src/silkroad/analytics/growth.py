"""Growth arithmetic with the conventions of METHODS.md 1.2-1.4 (no ±inf, no silent zeros)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def growth(current: pd.Series, previous: pd.Series) -> pd.Series:
    """Growth as a fraction (0.229 = +22.9 %): NaN where the previous value is 0 or missing.

    A flow rising from zero is "new" (see :func:`growth_note`), never +inf; a fall to zero is
    -1.0 (-100 %).
    """
    prev = previous.astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = current.astype(float) / prev - 1.0
    return out.where(prev > 0)


def growth_array(values: np.ndarray) -> np.ndarray:
    """:func:`growth` of each value over the one before it (the first NaN), on a float array:
    the same arithmetic without a pandas Series per call."""
    prev = np.concatenate([[np.nan], values[:-1]]).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = values.astype(float) / prev - 1.0
    return np.where(prev > 0, out, np.nan)


def growth_note(current: float, previous: float) -> str:
    """'new' (0 -> positive), 'stopped' (positive -> 0), 'none' (0 -> 0), '' otherwise or unknown."""
    if _missing(current) or _missing(previous):
        return ""
    if previous == 0 and current > 0:
        return "new"
    if previous > 0 and current == 0:
        return "stopped"
    if previous == 0 and current == 0:
        return "none"
    return ""


def ratio(current: float, base: float) -> float:
    """R = current / base (METHODS 1.3); NaN when the base is 0 or either value is missing."""
    if _missing(current) or _missing(base) or base == 0:
        return math.nan
    return float(current) / float(base)


def cagr(start: float, end: float, intervals: int) -> float:
    """Compound annual growth over ``intervals`` yearly intervals (2015->2020 is 5), a fraction.

    Undefined (NaN) for a start <= 0, a negative end, a missing endpoint or no interval; an end
    of 0 from a positive start is -1.0.
    """
    if intervals <= 0 or _missing(start) or _missing(end) or start <= 0 or end < 0:
        return math.nan
    return (float(end) / float(start)) ** (1.0 / intervals) - 1.0


def _missing(x: float) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))
