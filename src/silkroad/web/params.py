"""The query parameters of the web API, each checked by :mod:`silkroad.args` as the CLI does.

A :class:`Param` names a query parameter, its OpenAPI type, default, help and example, and the
:mod:`silkroad.args` check that normalises it. The analyses of :mod:`silkroad.web.api` list the
parameters they take; the same definitions serve the dashboard's forms. The common kinds are
made by one factory each (:func:`choice_param`, :func:`level_param`, :func:`year_param`,
:func:`text_param`), so a parameter is its name, default, help and example.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
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


def choice_param(
    name: str, default: Any, help: str, allowed: tuple[str, ...], *, example: Any = None
) -> Param:
    """A parameter taking one of ``allowed`` (case-insensitive), checked by :func:`args.choice`."""
    return Param(
        name,
        str,
        default,
        help,
        default if example is None else example,
        enum=allowed,
        check=lambda v: args.choice(v, allowed, field=name),
    )


def level_param(default: str, help: str, allowed: tuple[str, ...] = args.LEVELS) -> Param:
    """The ``level`` parameter of one analysis: its default and the levels (or 'section') it
    allows, checked by :func:`args.level` as the CLI's ``--level``."""
    return choice_param("level", default, help, allowed)


def year_param(name: str, default: Any, help: str, example: int = 2015) -> Param:
    """A one-year parameter (``REQUIRED`` or a default), checked by :func:`args.year`."""
    return Param(name, int, default, help, example, check=lambda v: args.year(v, field=name))


def text_param(
    name: str, help: str, example: Any, check: Callable[[Any], Any], default: Any = None
) -> Param:
    """A parameter given as text (optional unless ``default`` is ``REQUIRED``), normalised by
    ``check`` (which raises an InputError naming it)."""
    return Param(name, str, default, help, example, check=check)


YEARS = text_param(
    "years",
    "Years, e.g. 2010-2015 or 2012,2014 (default: all the source holds).",
    "2014-2015",
    lambda v: args.years(v, field="years"),
)
YEAR = year_param("year", REQUIRED, "The year analysed (compared with the year before).")
BASE = year_param("base", None, "Base year for 'N times' ratios.", 2014)
_HS = "chapter (hs2), heading (hs4) or subheading (hs6)"
DIRECTION = choice_param(
    "direction", "exports", "A's exports to B, or A's imports from B.", args.DIRECTIONS
)
LEVEL = level_param(
    "hs2",
    "Group products by HS chapter (hs2), heading (hs4), subheading (hs6) or HS section.",
    args.GROUPINGS,
)
MIRROR_LEVEL = level_param("hs2", f"Group products by HS {_HS}.")
WORLD_LEVEL = level_param("hs6", f"HS level of the products: {_HS}.")
COMPLEXITY_LEVEL = level_param("hs4", f"HS level of the products: {_HS}.")
POTENTIAL_LEVEL = level_param(
    "hs4",
    "Group the products by HS chapter (hs2), heading (hs4), subheading (hs6) or section.",
    args.GROUPINGS,
)
OPTIONAL_YEAR = year_param(
    "year", None, "The last year of the average (default: the latest the source holds)."
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
PERSPECTIVE = choice_param(
    "perspective",
    "auto",
    "reconciled (BACI), exporter (each side's own declarations), mirror (the partner's), "
    "or auto (best available; stated in the metadata).",
    args.PERSPECTIVES,
)
SOURCE = text_param(
    "source",
    "Source id, as /api/v1/sources lists it (default: the best one).",
    None,
    lambda v: str(v).strip() or None,
)
LANG = choice_param("lang", "en", "Language: en or ru.", args.LANGS)


# --- the world-level analyses (rca, complexity, best markets, gravity) --------------------------
def party(value: Any, *, field: str, bloc: bool | None = None) -> str:
    """The code of the economy or bloc ``value`` names (BLR, Belarus, EAEU); the error names
    ``field``. ``bloc``: True to accept only a bloc, False only an economy."""
    from silkroad.analytics.parties import resolve_party
    from silkroad.errors import ReferenceDataError
    from silkroad.web.state import check_side

    text = str(value).strip()
    check_side(text, field=field)
    try:
        p = resolve_party(text)
    except ReferenceDataError as exc:
        raise ReferenceDataError(
            exc.message, field=field, found=text, expected=exc.expected, hint=exc.hint
        ) from exc
    if bloc is not None and p.is_bloc != bloc:
        what, want = (
            ("not a bloc", "a bloc id such as EAEU")
            if bloc
            else ("a bloc, not an economy", "an economy (ISO3 or a name)")
        )
        raise InputError(what, field=field, found=text, expected=want)
    return p.code


def _hs6(value: Any) -> str:
    from silkroad.errors import ReferenceDataError
    from silkroad.reference.products import normalize_hs6

    try:
        return normalize_hs6(str(value))
    except ReferenceDataError as exc:
        raise InputError(
            "not an HS6 code", field="product", found=value, expected="six digits such as 870120"
        ) from exc


def _words(value: Any) -> list[str]:
    return [w.strip() for w in str(value).split(",") if w.strip()]


def _fe(value: Any) -> str:
    """Fixed effects as a normalised comma list (a string, so that it keys the cache)."""
    from silkroad.analytics.gravity import FIXED_EFFECTS

    chosen = [args.choice(w, FIXED_EFFECTS, field="fe") for w in _words(value)]
    if not chosen:
        raise InputError("no fixed effects given", field="fe", found=value, expected=FE.help)
    return ",".join(dict.fromkeys(chosen))


def _pair(value: Any) -> tuple[str, str]:
    sides = _words(value)
    if len(sides) != 2:
        raise InputError("a pair is two sides", field="pair", found=value, expected="A,B: BLR,KAZ")
    a, b = (party(s, field="pair", bloc=False) for s in sides)
    if a == b:
        raise InputError("a pair needs two economies", field="pair", found=value, expected="A ≠ B")
    return a, b


def _shifts(field: str) -> Callable[[Any], tuple[int, ...]]:
    """The check of ``lags`` or ``leads``: whole years from 1 to 50, comma-separated."""

    def check(value: Any) -> tuple[int, ...]:
        out = set()
        for w in _words(value):
            if not (w.isascii() and w.isdigit() and 1 <= int(w) <= 50):
                raise InputError(
                    f"bad {field}", field=field, found=w, expected="whole years from 1 to 50: 4,8"
                )
            out.add(int(w))
        return tuple(sorted(out))

    return check


WORLD_YEAR = year_param("year", REQUIRED, "The year analysed.")
ECONOMY = text_param(
    "economy",
    "Also this economy's opportunities: products by COG, with their density (ISO3 or a name).",
    "BLR",
    lambda v: party(v, field="economy", bloc=False),
)
CONVENTION = choice_param(
    "convention",
    "ecomplexity",
    "ecomplexity (py-ecomplexity 0.5.3), stata (Stata/Atlas) or oec (METHODS 3).",
    ("ecomplexity", "stata", "oec"),
)
PRODUCT = text_param(
    "product",
    "An HS6 product: six digits with the leading zero (870120, 040210).",
    "870120",
    _hs6,
    default=REQUIRED,
)
AVERAGE = Param(
    "average",
    int,
    3,
    "Years averaged for actual trade (the last ones up to year).",
    3,
    check=lambda v: args.top(v, field="average"),
)
GRAVITY_YEARS = replace(
    YEARS, help="Years of the panel: a range or a list, 2010-2019 or 2012,2014 (default: all)."
)
BLOC = text_param(
    "bloc",
    "A bloc whose effect is estimated (its members' trade with each other while members).",
    "EAEU",
    lambda v: party(v, field="bloc", bloc=True),
)
FE = text_param(
    "fe",
    "Fixed effects, comma-separated: some of exporter-year, importer-year, pair, "
    "unordered-pair, exporter, importer, year.",
    "exporter-year,importer-year",
    _fe,
    default="exporter-year,importer-year",
)
PAIR = text_param(
    "pair",
    "A,B: actual vs predicted trade of A to B per year (model without pair fixed effects).",
    "BLR,KAZ",
    _pair,
)
LAGS = text_param("lags", "Bloc lags in years: 4,8.", None, _shifts("lags"))
LEADS = text_param("leads", "Bloc leads in years: 4.", None, _shifts("leads"))
CLUSTER = choice_param(
    "cluster",
    "pair",
    "Standard errors clustered by pair (unordered), ordered-pair, exporter, importer, or none.",
    ("pair", "ordered-pair", "exporter", "importer", "none"),
)
