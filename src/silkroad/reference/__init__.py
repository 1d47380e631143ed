"""Reference data: economies (codes, names, capitals), blocs and products (HS).

>>> from silkroad.reference import resolve_country, country_name
>>> country_name(resolve_country("Беларусь"), "en")
'Belarus'
"""

from silkroad.reference.blocs import bloc_ids, bloc_name, is_bloc, members, membership
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
    "bloc_ids",
    "bloc_name",
    "countries",
    "country_name",
    "is_aggregate",
    "is_bloc",
    "is_economy",
    "iso3_from_numeric",
    "members",
    "membership",
    "numeric_code_table",
    "resolve_country",
]
