"""The OpenAPI description of the API: response schemas, examples and the error body.

The examples are the hand-worked two-year world of the tests (Belarus and Kazakhstan, 2014 and
2015; values in USD), cut to one row per table; those of complexity and gravity, which that
world is too small for, come from the tests' random 14-economy world (rounded).
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["type", "message", "status"],
            "properties": {
                "type": {"type": "string", "description": "The silkroad error class."},
                "message": {"type": "string", "description": "One line for people."},
                "status": {"type": "integer"},
                "field": {"type": ["string", "null"]},
                "found": {"description": "What was found (any JSON value, or null)."},
                "expected": {"type": ["string", "null"]},
                "hint": {"type": ["string", "null"]},
            },
        }
    },
}
ERROR_EXAMPLE = {
    "error": {
        "type": "InputError",
        "message": "field 'direction': unknown direction; found 'export'; expected one of: "
        "exports, imports",
        "status": 400,
        "field": "direction",
        "found": "export",
        "expected": "one of: exports, imports",
        "hint": None,
    }
}
#: HTTP status of each error class (the most specific class listed wins).
ERROR_STATUS_HELP = {
    400: "A bad argument (InputError): the message names the parameter.",
    401: "A write without a valid bearer token.",
    403: "Write endpoints are off (no token configured).",
    404: "An unknown economy, bloc or code (ReferenceDataError), or no such job.",
    409: "The store cannot do it now: no data, no such source, locked (StoreError).",
    413: "The upload is larger than the server's limit.",
    422: "The analysis cannot be computed as asked (AnalysisError), or an uploaded file is "
    "not in its format (FormatError).",
}
READ_ERRORS = (400, 404, 409, 422)

METADATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Where the numbers come from: source, release, perspective, years, units.",
    "properties": {
        "exporter": {"type": "string"},
        "partner": {"type": "string"},
        "source": {"type": "string"},
        "source_version": {"type": "string"},
        "perspective": {"type": "string"},
        "years": {"type": "array", "items": {"type": "integer"}},
        "currency": {"type": "string"},
        "synthetic": {"type": "boolean"},
    },
}
RESULT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["metadata"],
    "description": "metadata, then the result's values and tables (lists of records; "
    "amounts in USD, shares and growth as fractions; null where unknown).",
    "properties": {"metadata": METADATA_SCHEMA},
    "additionalProperties": True,
}

_META = {
    "a": "BLR",
    "b": "KAZ",
    "a_name": "Belarus",
    "b_name": "Kazakhstan",
    "a_kind": "economy",
    "b_kind": "economy",
    "source": "baci-hs92",
    "source_version": "202401b",
    "classification": "HS92",
    "perspective": "reconciled",
    "years": [2014, 2015],
    "currency": "USD",
    "synthetic": False,
}
_SUMMARY_ROW = {
    "year": 2015,
    "exports_usd": 500250.0,
    "imports_usd": 150000.0,
    "turnover_usd": 650250.0,
    "balance_usd": 350250.0,
    "exports_growth": 0.250625,
    "imports_growth": -0.5,
    "turnover_growth": -0.0710714,
}
RESULT_EXAMPLES: dict[str, dict[str, Any]] = {
    "summary": {"metadata": _META, "rows": [_SUMMARY_ROW]},
    "indicators": {
        "metadata": {**_META, "years": [2014], "level": "hs6"},
        "tii_ab": 0.628571,
        "tci_ab": 34.43,
        "esi": 0.0,
        "gl_aggregate": 0.0,
        "market": [
            {
                "code": "870120",
                "b_imports_usd": 300500.0,
                "a_exports_usd": 300500.0,
                "a_share": 1.0,
                "a_rank": 1,
                "suppliers": 1,
            }
        ],
    },
    "potential": {
        "metadata": {**_META, "years": [2014, 2015], "level": "hs4"},
        "potential_usd": 450125.0,
        "actual_usd": 450125.0,
        "untapped_usd": 0.0,
        "products": [
            {
                "code": "8701",
                "demand": 750500.0,
                "potential": 375250.0,
                "actual": 375250.0,
                "untapped": 0.0,
                "realised": 1.0,
            }
        ],
    },
    "profile": {
        "metadata": {**_META, "base": 2014},
        "cagr": {"exports": 0.250625, "imports": -0.5, "turnover": -0.0710714, "intervals": 1},
        "rows": [{**_SUMMARY_ROW, "turnover_to_base": 0.928929, "partner_rank_for_a": 1.0}],
    },
    "structure": {
        "metadata": {**_META, "years": [2015], "direction": "exports", "level": "hs2"},
        "rows": [
            {
                "code": "87",
                "label_en": "Vehicles other than railway",
                "label_ru": "Транспортные средства, кроме железнодорожных",
                "value_usd": 450000.0,
                "share": 0.89955,
                "prev_value_usd": 300500.0,
                "change_usd": 149500.0,
                "growth": 0.497504,
                "contribution_pp": 37.375,
            }
        ],
    },
    "movers": {
        "metadata": {**_META, "year": 2015, "direction": "exports", "top": 10},
        "new": [],
        "lost": [],
        "gainers": [
            {
                "product": "870120",
                "prev_value_usd": 300500.0,
                "value_usd": 450000.0,
                "change_usd": 149500.0,
                "status": "continuing",
            }
        ],
        "losers": [
            {
                "product": "040210",
                "prev_value_usd": 99500.0,
                "value_usd": 50250.0,
                "change_usd": -49250.0,
                "status": "continuing",
            }
        ],
        "margins": [{"year": 2015, "change_usd": 100250.0, "intensive_usd": 100250.0}],
    },
    "prices": {
        "metadata": {**_META, "year": 2015, "direction": "exports"},
        "summary": [
            {
                "year": 2015,
                "change_usd": 100250.0,
                "price_effect_usd": 81950.0,
                "volume_effect_usd": 67550.0,
            }
        ],
        "products": [{"product": "870120", "unit_value_growth": 0.24792}],
    },
    "mirror": {
        "metadata": {**_META, "perspective": "exporter", "source": "comtrade-blr"},
        "summary": [
            {
                "direction": "exports",
                "exporter_declared_usd": 500250.0,
                "importer_declared_usd": 520000.0,
                "gap_rel": 0.0395,
            }
        ],
        "exports": [],
        "imports": [],
    },
}
_WORLD_META = {k: v for k, v in _META.items() if not k.startswith(("a", "b"))}
_ECI_ROW = {"economy": "AUS", "diversity": 10, "eci": 1.5813, "eci_rank": 1, "coi": -1.4841}
_PCI_ROW = {"code": "1101", "ubiquity": 6, "pci": 3.9776, "pci_rank": 1}
_COMPLEXITY_META = {
    **_WORLD_META,
    "years": [2015],
    "level": "hs4",
    "analysis": "complexity",
    "convention": "ecomplexity",
    "reference": "py-ecomplexity 0.5.3 (defaults)",
    "presence_rule": "RCA ≥ 1.0",
    "notices": [],
}
RESULT_EXAMPLES.update(
    {
        "rca": {
            "metadata": {
                **_WORLD_META,
                "years": [2014],
                "level": "hs6",
                "economy": "BLR",
                "indicator": "rca",
                "formula": "Balassa: (x_ik / X_i) / (x_wk / X_w)",
                "top": 10,
                "notices": [],
            },
            "products_with_advantage": 2,
            "products_exported": 2,
            "rows": [
                {
                    "code": "870120",
                    "exports_usd": 1300500.0,
                    "world_exports_usd": 1300500.0,
                    "share_of_world": 1.0,
                    "rca": 1.7285714285714286,
                }
            ],
        },
        "complexity": {"metadata": _COMPLEXITY_META, "eci": [_ECI_ROW], "pci": [_PCI_ROW]},
        "economy_complexity": {
            "metadata": _COMPLEXITY_META,
            "economy": "BLR",
            "economy_eci": 0.4123,
            "eci_rank": 4,
            "eci": [_ECI_ROW],
            "pci": [_PCI_ROW],
            "opportunities": [
                {
                    "code": "2001",
                    "cog": -0.0724,
                    "density": 0.5527,
                    "distance": 0.4473,
                    "pci": 1.2607,
                    "rca": 0.0,
                    "exports_usd": 0.0,
                }
            ],
        },
        "markets": {
            "metadata": {
                **_WORLD_META,
                "level": "hs6",
                "definition": "ITC-style export potential, METHODS 4.3",
                "a": "BLR",
                "product": "870120",
                "top": 10,
                "notices": [],
            },
            "markets": [
                {
                    "rank": 1,
                    "market": "KAZ",
                    "demand": 375250.0,
                    "ease": 1.0,
                    "potential": 375250.0,
                    "actual": 375250.0,
                    "untapped": 0.0,
                    "realised": 375250.0,
                    "share_of_untapped": 0.0,
                }
            ],
        },
        "gravity": {
            "metadata": {
                **_WORLD_META,
                "level": "total",
                "estimator": "PPML (pyfixest fepois)",
                "fixed_effects": ["exporter-year", "importer-year"],
                "covariates": ["dist_km", "contig", "comlang"],
                "bloc": None,
                "notices": [],
            },
            "specification": "PPML of trade (USD) on ln_dist_km, contig, comlang with "
            "exporter-year and importer-year fixed effects; standard errors clustered by "
            "unordered country pair; 364 observations, 2014–2015",
            "nobs": 364,
            "coefficients": [
                {
                    "term": "ln_dist_km",
                    "estimate": 0.0081,
                    "std_error": 0.0497,
                    "t_value": 0.1627,
                    "p_value": 0.8707,
                    "ci_low": -0.0892,
                    "ci_high": 0.1054,
                    "effect_pct": None,
                }
            ],
            "pair": [
                {
                    "year": 2014,
                    "actual": 11164000.0,
                    "predicted": 5646390.65,
                    "ratio": 1.9772,
                    "gap": -5517609.35,
                }
            ],
        },
    }
)
SOURCES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["home", "generation", "sources"],
    "properties": {
        "home": {"type": "string"},
        "generation": {"type": "integer"},
        "sources": {"type": "array", "items": {"type": "object"}},
    },
}
SOURCES_EXAMPLE = {
    "home": "/home/analyst/.local/share/silkroad",
    "generation": 1,
    "sources": [
        {
            "source": "baci-hs92",
            "kind": "baci",
            "version": "202401b",
            "classification": "HS92",
            "synthetic": False,
            "years": [2014, 2015],
            "rows": 12,
            "rows_rejected": 0,
        }
    ],
}
ECONOMIES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["economies", "blocs"],
    "properties": {
        "year": {"type": ["integer", "null"]},
        "source": {"type": ["string", "null"]},
        "economies": {"type": "array", "items": {"type": "object"}},
        "blocs": {"type": "array", "items": {"type": "object"}},
    },
}
ECONOMIES_EXAMPLE = {
    "year": 2015,
    "source": "baci-hs92",
    "economies": [{"code": "BLR", "name_en": "Belarus", "name_ru": "Беларусь"}],
    "blocs": [
        {
            "code": "EAEU",
            "name_en": "Eurasian Economic Union",
            "name_ru": "Евразийский экономический союз",
        }
    ],
}
JOB_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "state", "kind", "filename"],
    "properties": {
        "id": {"type": "string"},
        "state": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
        "kind": {"type": "string"},
        "filename": {"type": "string"},
        "bytes": {"type": "integer"},
        "stage": {"type": ["string", "null"]},
        "done": {"type": "integer"},
        "total": {"type": "integer"},
        "result": {"type": ["object", "null"]},
        "error": {"type": ["object", "null"]},
    },
}
JOB_EXAMPLE = {
    "id": "3f1c9a0e2b7d",
    "state": "done",
    "kind": "baci",
    "filename": "BACI_HS92_V202401b.zip",
    "bytes": 1048576,
    "stage": "write",
    "done": 2,
    "total": 2,
    "result": {"source": "baci-hs92", "rows_read": 12, "rows_loaded": 12, "rows_rejected": 0},
    "error": None,
}


def errors(codes: tuple[int, ...] = READ_ERRORS) -> dict[int | str, dict[str, Any]]:
    """The error responses (JSON body :data:`ERROR_SCHEMA`) of an operation."""
    return {
        code: {
            "description": ERROR_STATUS_HELP[code],
            "content": {"application/json": {"schema": ERROR_SCHEMA, "example": ERROR_EXAMPLE}},
        }
        for code in codes
    }


def json_responses(
    schema: dict[str, Any], example: Any, *, codes: tuple[int, ...] = READ_ERRORS
) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": "OK",
            "content": {"application/json": {"schema": schema, "example": example}},
        },
        **errors(codes),
    }


def result_responses(name: str) -> dict[int | str, dict[str, Any]]:
    """A result as JSON (``to_dict()``) or CSV (``to_csv()``), and the errors."""
    return {
        200: {
            "description": "The result: JSON by default, CSV with ?format=csv or Accept: text/csv.",
            "content": {
                "application/json": {"schema": RESULT_SCHEMA, "example": RESULT_EXAMPLES[name]},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
        **errors(),
    }


def brief_responses(media: dict[str, str]) -> dict[int | str, dict[str, Any]]:
    content: dict[str, Any] = {}
    for fmt, mt in media.items():
        base = mt.split(";")[0]
        schema = (
            {"type": "string"} if fmt in ("html", "md") else {"type": "string", "format": "binary"}
        )
        content[base] = {"schema": schema}
    return {
        200: {"description": "The brief document (attachment).", "content": content},
        **errors(),
    }


def tidy(spec: dict[str, Any]) -> dict[str, Any]:
    """Replace FastAPI's default 422 body (pydantic's) by silkroad's error body everywhere."""
    for path in spec.get("paths", {}).values():
        for op in path.values():
            responses = op.get("responses", {})
            if "422" in responses:
                responses["422"] = errors((422,))[422]
    schemas = spec.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    if "components" in spec and not schemas:
        spec["components"].pop("schemas", None)
    spec.setdefault("components", {})["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "The server's write token ($SILKROAD_TOKEN or --token-file).",
        }
    }
    return spec
