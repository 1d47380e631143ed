"""Reference data: economies (codes, names, capitals), blocs and products (HS).

>>> from silkroad.reference import resolve_country, country_name
>>> country_name(resolve_country("Беларусь"), "en")
'Belarus'
"""

from silkroad.reference.blocs import bloc_ids, bloc_name, is_bloc, list_blocs, members, membership
from silkroad.reference.countries import (
    AGGREGATES,
    countries,
    country_name,
    is_aggregate,
    is_economy,
    iso3_from_numeric,
    numeric_code_table,
    resolve_country,
    search_economies,
)
from silkroad.reference.product_lookup import load_russian_names, search_products
from silkroad.reference.products import (
    HS_EDITIONS,
    LEVELS,
    chapter_to_section,
    chapters,
    hs_edition,
    hs_level,
    normalize_hs6,
    product_name,
    product_names,
    residual_name,
    sections,
)

__all__ = [
    "AGGREGATES",
    "HS_EDITIONS",
    "LEVELS",
    "bloc_ids",
    "bloc_name",
    "chapter_to_section",
    "chapters",
    "countries",
    "country_name",
    "hs_edition",
    "hs_level",
    "is_aggregate",
    "is_bloc",
    "is_economy",
    "iso3_from_numeric",
    "list_blocs",
    "load_russian_names",
    "members",
    "membership",
    "normalize_hs6",
    "numeric_code_table",
    "product_name",
    "product_names",
    "residual_name",
    "resolve_country",
    "search_economies",
    "search_products",
    "sections",
]
