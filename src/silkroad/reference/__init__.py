"""Reference data: economies (codes, names, capitals), blocs and products (HS).

>>> from silkroad.reference import resolve_country, country_name
>>> country_name(resolve_country("Беларусь"), "en")
'Belarus'
"""

from silkroad.reference.countries import (
    AGGREGATES,
    countries,
    country_name,
    is_aggregate,
    is_economy,
    iso3_from_numeric,
    numeric_code_table,
    resolve_country,
)

__all__ = [
    "AGGREGATES",
    "countries",
    "country_name",
    "is_aggregate",
    "is_economy",
    "iso3_from_numeric",
    "numeric_code_table",
    "resolve_country",
]
