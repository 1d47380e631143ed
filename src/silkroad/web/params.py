"""The query parameters of the web API, each checked by :mod:`silkroad.args` as the CLI does.

A :class:`Param` names a query parameter, its OpenAPI type, default, help and example, and the
:mod:`silkroad.args` check that normalises it. The analyses of :mod:`silkroad.web.api` list the
parameters they take; the same definitions serve the dashboard's forms.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from silkroad import args
from silkroad.errors import InputError

REQUIRED = object()


@dataclass(frozen=True)
class Param:
    """One query parameter: name, Python type, default (``REQUIRED`` if none), help, check."""

    name: str
    kind: type
    default: Any
    help: str
    example: Any = None
    enum: tuple[str, ...] | None = None
    check: Callable[[Any], Any] | None = None

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def clean(self, value: Any) -> Any:
        """The normalised value (InputError naming the parameter when it is wrong)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None if self.required else self.default  # an empty form field: not given
        return self.check(value) if self.check else value

    def schema(self) -> dict[str, Any]:
        """Extra JSON-schema keywords for the OpenAPI description."""
        out: dict[str, Any] = {}
        if self.enum:
            out["enum"] = list(self.enum)
        return out


def _trim(value: Any) -> float:
    """A positive number of median absolute deviations."""
    try:
        k = float(value)
    except (TypeError, ValueError) as exc:
        raise InputError("bad trim", field="trim", found=value, expected="a number > 0") from exc
    if not math.isfinite(k) or k <= 0:
        raise InputError("bad trim", field="trim", found=value, expected="a number > 0")
    return k


def _base(value: Any) -> int:
    return args.year(value, field="base")


YEARS = Param(
    "years",
    str,
    None,
    "Years, e.g. 2010-2015 or 2012,2014 (default: all the source holds).",
    "2014-2015",
    check=lambda v: args.years(v, field="years"),
)
YEAR = Param(
    "year",
    int,
    REQUIRED,
    "The year analysed (compared with the year before).",
    2015,
    check=lambda v: args.year(v, field="year"),
)
BASE = Param("base", int, None, "Base year for 'N times' ratios.", 2014, check=_base)
DIRECTION = Param(
    "direction",
    str,
    "exports",
    "A's exports to B, or A's imports from B.",
    "exports",
    enum=args.DIRECTIONS,
    check=lambda v: args.direction(v, field="direction"),
)
LEVEL = Param(
    "level",
    str,
    "hs2",
    "Group products by HS chapter (hs2), heading (hs4), subheading (hs6) or HS section.",
    "hs2",
    enum=args.GROUPINGS,
    check=lambda v: args.level(v, field="level"),
)
MIRROR_LEVEL = Param(
    "level",
    str,
    "hs2",
    "Group products by HS chapter (hs2), heading (hs4) or subheading (hs6).",
    "hs2",
    enum=args.LEVELS,
    check=lambda v: args.level(v, field="level", allowed=args.LEVELS),
)
WORLD_LEVEL = Param(
    "level",
    str,
    "hs6",
    "HS level of the products: chapter (hs2), heading (hs4) or subheading (hs6).",
    "hs6",
    enum=args.LEVELS,
    check=lambda v: args.level(v, field="level", allowed=args.LEVELS),
)
POTENTIAL_LEVEL = Param(
    "level",
    str,
    "hs4",
    "Group the products by HS chapter (hs2), heading (hs4), subheading (hs6) or section.",
    "hs4",
    enum=args.GROUPINGS,
    check=lambda v: args.level(v, field="level"),
)
OPTIONAL_YEAR = Param(
    "year",
    int,
    None,
    "The last year of the average (default: the latest the source holds).",
    2015,
    check=lambda v: args.year(v, field="year"),
)
TOP = Param(
    "top",
    int,
    args.DEFAULT_TOP,
    "Largest N rows (then 'other').",
    args.DEFAULT_TOP,
    check=lambda v: args.top(v, field="top"),
)
TRIM = Param(
    "trim",
    float,
    None,
    "Set aside products whose unit-value change is more than K MADs from the median.",
    3.0,
    check=_trim,
)
PERSPECTIVE = Param(
    "perspective",
    str,
    "auto",
    "reconciled (BACI), exporter (each side's own declarations), mirror (the partner's), "
    "or auto (best available; stated in the metadata).",
    "auto",
    enum=args.PERSPECTIVES,
    check=lambda v: args.perspective(v, field="perspective"),
)
SOURCE = Param(
    "source",
    str,
    None,
    "Source id, as /api/v1/sources lists it (default: the best one).",
    None,
    check=lambda v: str(v).strip() or None,
)
LANG = Param(
    "lang",
    str,
    "en",
    "Language: en or ru.",
    "en",
    enum=args.LANGS,
    check=lambda v: args.lang(v, field="lang"),
)
