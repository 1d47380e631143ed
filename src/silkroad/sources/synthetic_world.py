"""The synthetic demo world: economies, products and the parameters of its generative model.

:mod:`silkroad.sources.synthetic` writes a BACI-format release from a :class:`World`; this
module builds the world. Everything here is invented except the shape of things: real
economies (ISO codes, capitals from :func:`silkroad.reference.countries.countries`, GDP of the
right order of magnitude from ``data/synthetic_sizes.csv``) and HS6 codes that look real
(chapter + heading + subheading, with the number of codes per chapter taken from the HS
nomenclature, and real codes that analysts talk about, such as 870120 road tractors).

The model, for exporter *i*, importer *j*, product *p* and year *t* (values in thousands of USD)::

    E[i,j,p,t] = K(t) * G[i,j,t] * S[i,p] * price[p,t] * D[j,p] * shocks[i,j,p,t]
    G[i,j,t]   = GDP[i,t]**1.0 * GDP[j,t]**0.9 / distance[i,j]**1.1
                 * 8.0 if both post-Soviet (* 2.0 more among Belarus, Kazakhstan, Russia)
                 * 1.3 if both in the EAEU (from their accession: 2015)
    S[i,p]     = exporter i's product mix: zero unless capability[i] >= requirement[p]
                 (nestedness, with a little noise), product weight * comparative advantage
                 (lognormal, with boosts for known specialisations: Belarus tractors, dairy,
                 potash and oil products; Kazakhstan crude oil, grain and metals; ...)
    D[j,p]     = importer j's taste for p (lognormal; richer importers like complex goods)
    K(t)       = scales the world total to WORLD_TRADE_2010_USD with a 5% trend and a dip
                 in 2009

A flow is listed (BACI lists only positive flows) with probability ``1 - exp(-sqrt(E / E0))``,
where ``E0`` is calibrated so that 2010 has the size's target number of rows; its value is then
``E / probability`` times lognormal noise, so that expected values follow the model exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from silkroad.errors import ReferenceDataError

BACI_COMPOSITE_CODES = {"FRA": 251, "NOR": 579, "IND": 699, "CHE": 757, "USA": 842}
"""BACI numeric codes that differ from ISO 3166-1 numeric (FORMATS.md 1.4)."""

EAEU_ACCESSION = {"BLR": 2015, "KAZ": 2015, "RUS": 2015, "ARM": 2015, "KGZ": 2015}
EAEU_LIFT = 1.3
POST_SOVIET = frozenset(
    [
        "ARM",
        "AZE",
        "BLR",
        "EST",
        "GEO",
        "KAZ",
        "KGZ",
        "LTU",
        "LVA",
        "MDA",
        "RUS",
        "TJK",
        "TKM",
        "UKR",
        "UZB",
    ]
)
POST_SOVIET_LIFT = 8.0
CORE = frozenset({"BLR", "KAZ", "RUS"})
CORE_LIFT = 2.0
"""Extra, constant lift between Belarus, Kazakhstan and Russia (customs union since 2010)."""
GDP_EXPONENT_EXPORTER = 1.0
GDP_EXPONENT_IMPORTER = 0.9
DISTANCE_EXPONENT = 1.1
MIN_DISTANCE_KM = 50.0
BASE_YEAR = 2010
WORLD_TRADE_2010_USD = 14e12
WORLD_TREND = 0.05
DIP = {2009: 0.76, 2010: 0.95}
"""World trade relative to its trend: 2009 is about 20% below 2008, then it recovers."""
GDP_DIP = {2009: 0.95}
ENERGY_PRICE = {
    2007: 0.85, 2008: 1.2, 2009: 0.75, 2010: 1.0, 2011: 1.3, 2012: 1.3, 2013: 1.25,
    2014: 1.15, 2015: 0.65, 2016: 0.55,
}  # fmt: skip
"""Price index of chapter 27 (mineral fuels), 2010 = 1; other years 1."""

CAPABILITY_NOISE = 0.04
ADVANTAGE_SIGMA = 0.7
SPECIALISED_SIGMA = 0.2
PRODUCT_WEIGHT_SIGMA = 1.0
DEMAND_SIGMA = 0.5
SPECIALISE_COMPLEX = 4.0
DEMAND_COMPLEX = 2.0
RESOURCE_WITHOUT_ENDOWMENT = 0.03

INCOME_LEVEL = {"L": 0, "LM": 1, "UM": 2, "H": 3}

CHAPTER_SHAPE = {
    1: (34, 6), 2: (66, 10), 3: (224, 8), 4: (32, 10), 5: (15, 9), 6: (16, 4), 7: (67, 14),
    8: (68, 14), 9: (39, 10), 10: (26, 8), 11: (27, 9), 12: (49, 14), 13: (11, 2), 14: (5, 2),
    15: (48, 21), 16: (42, 5), 17: (17, 4), 18: (11, 6), 19: (19, 5), 20: (52, 9), 21: (16, 6),
    22: (24, 9), 23: (23, 9), 24: (10, 3), 25: (68, 29), 26: (37, 21), 27: (39, 16),
    28: (174, 50), 29: (385, 42), 30: (44, 6), 31: (24, 5), 32: (44, 15), 33: (29, 7),
    34: (23, 7), 35: (15, 7), 36: (8, 6), 37: (30, 7), 38: (92, 26), 39: (129, 26),
    40: (80, 17), 41: (37, 11), 42: (20, 5), 43: (12, 4), 44: (103, 21), 45: (7, 4),
    46: (11, 2), 47: (21, 7), 48: (101, 22), 49: (19, 11), 50: (9, 7), 51: (38, 13),
    52: (124, 12), 53: (23, 10), 54: (72, 8), 55: (109, 16), 56: (30, 9), 57: (22, 5),
    58: (38, 11), 59: (24, 11), 60: (44, 6), 61: (106, 17), 62: (112, 17), 63: (52, 10),
    64: (25, 6), 65: (8, 6), 66: (6, 3), 67: (8, 4), 68: (49, 15), 69: (30, 13), 70: (64, 19),
    71: (53, 18), 72: (167, 29), 73: (124, 26), 74: (50, 16), 75: (17, 8), 76: (35, 16),
    78: (8, 4), 79: (9, 6), 80: (5, 4), 81: (48, 13), 82: (64, 15), 83: (36, 11),
    84: (516, 85), 85: (265, 46), 86: (23, 9), 87: (87, 16), 88: (15, 5), 89: (18, 8),
    90: (144, 32), 91: (49, 14), 92: (17, 7), 93: (18, 7), 94: (42, 6), 95: (31, 6),
    96: (49, 20), 97: (7, 6),
}  # fmt: skip
"""Chapter -> (number of HS6 codes, number of headings) in the HS nomenclature (2017)."""

# (first chapter, last chapter, lowest requirement, highest requirement, unit value USD/t,
#  % of world trade)
CHAPTER_GROUPS = (
    (1, 5, 0.00, 0.35, 3_000, 2.0), (6, 14, 0.00, 0.30, 800, 3.0),
    (15, 15, 0.05, 0.35, 1_000, 0.6), (16, 24, 0.10, 0.45, 2_000, 3.0),
    (25, 26, 0.00, 0.30, 150, 2.2), (27, 27, 0.00, 0.35, 500, 15.0),
    (28, 29, 0.35, 0.90, 3_000, 4.0), (30, 30, 0.50, 0.95, 60_000, 3.0),
    (31, 31, 0.15, 0.50, 350, 0.4), (32, 38, 0.30, 0.85, 4_000, 3.0),
    (39, 40, 0.30, 0.80, 2_500, 4.5), (41, 43, 0.10, 0.50, 12_000, 0.8),
    (44, 46, 0.05, 0.45, 500, 0.8), (47, 49, 0.30, 0.75, 1_200, 1.2),
    (50, 60, 0.15, 0.60, 6_000, 2.0), (61, 63, 0.05, 0.45, 20_000, 2.8),
    (64, 67, 0.10, 0.50, 18_000, 1.0), (68, 70, 0.20, 0.70, 1_000, 1.2),
    (71, 71, 0.10, 0.80, 2_000_000, 3.5), (72, 73, 0.20, 0.70, 1_200, 4.0),
    (74, 83, 0.30, 0.80, 6_000, 3.5), (84, 84, 0.45, 1.00, 25_000, 13.0),
    (85, 85, 0.40, 1.00, 35_000, 14.0), (86, 89, 0.40, 0.95, 12_000, 9.5),
    (90, 92, 0.55, 1.00, 120_000, 3.5), (93, 93, 0.50, 0.95, 40_000, 0.1),
    (94, 96, 0.15, 0.60, 6_000, 2.3), (97, 97, 0.30, 0.90, 300_000, 0.2),
)  # fmt: skip

# Real HS6 codes analysts talk about: (code, description, unit value USD/t, % of world trade).
# The other products of a catalogue share the rest of world trade.
NAMED_PRODUCTS = (
    ("010111", "Horses: live, pure-bred breeding animals", 20_000, 0.02),
    ("020130", "Meat of bovine animals: fresh or chilled, boneless", 6_000, 0.12),
    ("020230", "Meat of bovine animals: frozen, boneless", 4_500, 0.10),
    ("030212", "Fish: Pacific, Atlantic and Danube salmon, fresh or chilled", 6_000, 0.05),
    ("030379", "Fish: frozen, other", 1_500, 0.05),
    ("040120", "Milk and cream: not concentrated, fat content 1-6%", 600, 0.03),
    ("040210", "Milk and cream: in powder, fat content not exceeding 1.5%", 3_000, 0.04),
    ("040221", "Milk and cream: in powder, fat content over 1.5%, unsweetened", 3_500, 0.05),
    ("040310", "Yogurt", 1_500, 0.02),
    ("040390", "Buttermilk, kephir and other fermented milk and cream", 1_200, 0.01),
    ("040410", "Whey and modified whey", 1_200, 0.02),
    ("040510", "Butter", 4_500, 0.04),
    ("040610", "Cheese: fresh (unripened or uncured), including whey cheese and curd", 4_000, 0.03),
    ("040690", "Cheese: other", 5_000, 0.12),
    ("060311", "Cut flowers: roses, fresh", 8_000, 0.03),
    ("080300", "Bananas, including plantains: fresh or dried", 600, 0.06),
    ("090111", "Coffee: not roasted, not decaffeinated", 3_500, 0.15),
    ("100199", "Wheat and meslin: other than durum wheat, other than seed", 250, 0.25),
    ("100300", "Barley", 220, 0.04),
    ("100630", "Rice: semi-milled or wholly milled", 550, 0.10),
    ("110100", "Wheat or meslin flour", 350, 0.03),
    ("120100", "Soya beans: whether or not broken", 450, 0.30),
    ("151110", "Palm oil: crude", 800, 0.10),
    ("151211", "Sunflower-seed or safflower oil: crude", 1_000, 0.05),
    ("170111", "Cane sugar: raw", 450, 0.08),
    ("180100", "Cocoa beans: whole or broken, raw or roasted", 2_800, 0.05),
    ("220421", "Wine: of fresh grapes, in containers holding 2 litres or less", 4_000, 0.15),
    ("220830", "Whiskies", 8_000, 0.06),
    ("240220", "Cigarettes: containing tobacco", 12_000, 0.10),
    ("252329", "Portland cement: other than white", 60, 0.02),
    ("260111", "Iron ores and concentrates: non-agglomerated", 100, 0.70),
    ("260300", "Copper ores and concentrates", 2_000, 0.35),
    ("270112", "Coal: bituminous, not agglomerated", 100, 0.50),
    ("270900", "Petroleum oils and oils obtained from bituminous minerals: crude", 550, 7.00),
    ("271012", "Light petroleum oils and preparations", 800, 1.50),
    ("271019", "Medium and heavy petroleum oils and preparations", 700, 3.00),
    ("271111", "Natural gas: liquefied", 500, 0.70),
    ("271121", "Natural gas: in gaseous state", 350, 1.00),
    ("284410", "Natural uranium and its compounds", 120_000, 0.02),
    ("300220", "Vaccines for human medicine", 300_000, 0.20),
    ("300490", "Medicaments: other, in measured doses or packed for retail sale", 80_000, 2.00),
    ("310210", "Urea, whether or not in aqueous solution", 350, 0.10),
    ("310230", "Ammonium nitrate, whether or not in aqueous solution", 300, 0.03),
    ("310420", "Potassium chloride", 350, 0.10),
    (
        "310520",
        "Mineral or chemical fertilizers containing nitrogen, phosphorus and potassium",
        450,
        0.06,
    ),
    ("390110", "Polyethylene having a specific gravity of less than 0.94", 1_500, 0.15),
    ("401120", "New pneumatic tyres, of rubber: of a kind used on buses or lorries", 3_000, 0.10),
    ("440710", "Wood sawn or chipped lengthwise: coniferous", 250, 0.15),
    ("470321", "Chemical wood pulp, soda or sulphate: coniferous, bleached", 700, 0.08),
    ("520100", "Cotton: not carded or combed", 1_800, 0.12),
    ("540233", "Synthetic filament yarn: textured yarn of polyesters", 2_000, 0.04),
    ("610910", "T-shirts, singlets and other vests: knitted, of cotton", 15_000, 0.25),
    ("620342", "Trousers and shorts: men's or boys', of cotton, not knitted", 18_000, 0.20),
    ("640399", "Footwear: with uppers of leather, other", 25_000, 0.15),
    ("710239", "Diamonds: non-industrial, worked", 500_000_000, 0.70),
    ("710812", "Gold: non-monetary, unwrought", 40_000_000, 1.50),
    ("711319", "Jewellery: of precious metal other than silver", 30_000_000, 0.40),
    ("720241", "Ferro-alloys: ferro-chromium, containing more than 4% carbon", 1_500, 0.05),
    ("720712", "Semi-finished products of iron or non-alloy steel: rectangular section", 450, 0.10),
    ("720839", "Flat-rolled iron or non-alloy steel: hot-rolled, in coils, under 3mm", 600, 0.05),
    ("721420", "Bars and rods of iron or non-alloy steel: with deformations (rebar)", 550, 0.06),
    ("730429", "Casing, tubing and drill pipe for oil or gas drilling", 1_800, 0.10),
    ("740311", "Copper: refined, cathodes and sections of cathodes", 7_000, 0.40),
    ("750210", "Nickel: unwrought, not alloyed", 20_000, 0.08),
    ("760110", "Aluminium: unwrought, not alloyed", 2_200, 0.20),
    ("790111", "Zinc: unwrought, not alloyed, containing 99.99% or more of zinc", 2_100, 0.04),
    ("840734", "Engines: spark-ignition reciprocating, for vehicles, over 1000cc", 15_000, 0.25),
    ("841111", "Turbo-jets: of a thrust not exceeding 25kN", 800_000, 0.10),
    ("841810", "Combined refrigerator-freezers, with separate external doors", 3_000, 0.06),
    ("842952", "Excavators: with a 360 degree revolving superstructure", 9_000, 0.10),
    ("843351", "Combine harvester-threshers", 9_000, 0.05),
    (
        "847130",
        "Portable automatic data processing machines, weighing not more than 10kg",
        60_000,
        1.00,
    ),
    ("847330", "Parts and accessories of automatic data processing machines", 60_000, 0.80),
    ("848180", "Taps, cocks, valves and similar appliances: other", 20_000, 0.30),
    ("850440", "Static converters", 30_000, 0.40),
    ("851712", "Telephones for cellular networks or for other wireless networks", 120_000, 1.50),
    ("852872", "Television receivers: colour", 12_000, 0.40),
    ("854231", "Electronic integrated circuits: processors and controllers", 2_000_000, 2.00),
    ("860110", "Rail locomotives: powered from an external source of electricity", 12_000, 0.02),
    ("870120", "Road tractors for semi-trailers", 8_000, 0.15),
    ("870130", "Tractors: track-laying", 9_000, 0.02),
    ("870190", "Tractors: other (wheeled agricultural and forestry tractors)", 10_000, 0.15),
    (
        "870323",
        "Vehicles: spark-ignition engine, cylinder capacity over 1500cc to 3000cc",
        15_000,
        3.00,
    ),
    ("870324", "Vehicles: spark-ignition engine, cylinder capacity over 3000cc", 20_000, 1.00),
    ("870332", "Vehicles: diesel engine, cylinder capacity over 1500cc to 2500cc", 15_000, 1.00),
    ("870410", "Dumpers designed for off-highway use", 8_000, 0.05),
    ("870421", "Trucks: diesel engine, gross vehicle weight not exceeding 5 tonnes", 9_000, 0.30),
    ("870422", "Trucks: diesel engine, gross vehicle weight 5 to 20 tonnes", 8_000, 0.10),
    ("870423", "Trucks: diesel engine, gross vehicle weight exceeding 20 tonnes", 7_000, 0.12),
    ("870899", "Parts and accessories of motor vehicles: other", 9_000, 1.50),
    ("880240", "Aeroplanes and other aircraft: unladen weight exceeding 15,000kg", 900_000, 0.80),
    ("890190", "Vessels for the transport of goods and of persons: other", 3_000, 0.20),
    ("901890", "Instruments and appliances used in medical sciences: other", 150_000, 0.40),
    ("910211", "Wrist-watches: battery powered, with mechanical display only", 400_000, 0.05),
    ("930690", "Bombs, grenades, torpedoes, mines, missiles and similar munitions", 30_000, 0.03),
    ("940360", "Furniture: wooden, other than for offices, kitchens or bedrooms", 3_000, 0.20),
    ("950300", "Toys: other; reduced-size models and puzzles", 7_000, 0.30),
    ("970110", "Paintings, drawings and pastels: executed entirely by hand", 2_000_000, 0.08),
)

RESOURCE_PREFIXES = (
    "2601", "2603", "2701", "2709", "2711", "2844", "0901", "1801", "4001", "5201", "1511",
    "7102", "7108", "310420",
)  # fmt: skip
"""Products exported in quantity only by economies endowed with them (a specialisation)."""

# (economies, HS prefixes, comparative advantage: a multiple of the product's world share in
# the economy's exports; the boosts of several lines multiply)
SPECIALISATIONS = (
    ("BLR", "2710", 6),
    ("BLR", "310420", 60),
    ("BLR", "0401 0402 0403 0404 0405 0406", 15),
    ("BLR", "0201 0202", 4),
    ("BLR", "870120 870130 870190 8433 870410 870423 870422", 15),
    ("BLR", "9403 4011 8418 7214 5402", 4),
    ("KAZ", "2709", 12),
    ("KAZ", "1001 1101 1003", 25),
    ("KAZ", "7202 7403 7901 7601 2844 2601 2603 7108", 10),
    ("KAZ", "2711", 4),
    ("RUS", "2709 2710 2711 2701", 5),
    ("RUS", "7601 7502 7207 7208 3102 310420 4407 1001 7108 7102", 4),
    ("RUS", "8802 9306", 2),
    ("ARM", "2603 7108 2208", 20),
    ("KGZ", "7108", 40),
    ("UZB", "5201 2711 7108", 15),
    ("TKM", "2711 5201", 30),
    ("AZE", "2709 2711", 12),
    ("UKR", "1001 1003 1512 7207 2601", 15),
    ("SAU IRQ KWT ARE QAT OMN IRN NGA AGO VEN LBY DZA NOR CAN GNQ COG GAB ECU COL BRN", "2709", 10),
    ("QAT NOR DZA AUS MYS IDN NGA TTO", "2711", 8),
    ("AUS IDN ZAF COL USA MNG", "2701", 8),
    ("AUS BRA ZAF IND CAN SWE MRT", "2601", 10),
    ("CHL PER ZMB COD MNG AUS", "2603 7403", 15),
    ("CHE ZAF AUS GHA PER MLI BFA TZA", "7108", 10),
    ("BWA IND ISR BEL NAM ZAF", "7102", 15),
    ("BRA VNM COL ETH HND IDN UGA GTM PER", "0901", 20),
    ("CIV GHA CMR NGA ECU", "1801", 30),
    ("USA IND BRA AUS BFA MLI", "5201", 10),
    ("IDN MYS", "1511", 30),
    ("THA IDN MYS VNM CIV", "4001", 20),
    ("CAN", "310420 4407 4703", 20),
    ("USA CAN AUS ARG FRA", "1001 1003", 8),
    ("USA BRA ARG PRY", "1201", 15),
    ("NZL NLD DEU FRA IRL DNK", "0401 0402 0405 0406", 6),
    ("DEU JPN KOR USA MEX ESP GBR CZE SVK FRA", "8703 8708", 4),
    ("CHN KOR SGP MYS VNM HKG JPN USA PHL THA MEX", "8517 8471 8473 8542 8528", 4),
    ("CHN BGD VNM TUR IND KHM LKA PAK IDN", "61 62 63 64", 5),
    ("USA FRA DEU GBR CAN BRA", "8802 8803 8411", 5),
    ("CHE DEU USA IRL BEL FRA GBR ITA IND DNK", "30", 3),
    ("FRA ITA ESP AUS CHL GEO MDA", "2204", 8),
    ("CHE", "91 7108", 10),
    ("NOR CHL VNM ISL", "03", 10),
    ("DEU JPN USA ITA CHN", "84", 2),
    ("NLD KEN COL ECU", "0603", 20),
    ("ECU CRI COL PHL GTM", "0803", 30),
    ("CHN POL ITA DEU VNM", "94", 3),
)

EXPORT_PROPENSITY = {
    "CHN": 2.2, "DEU": 1.6, "NLD": 1.8, "KOR": 1.6, "SGP": 2.0, "BEL": 1.8, "HKG": 1.8,
    "CHE": 1.3, "MYS": 1.6, "VNM": 1.8, "CZE": 1.5, "SVK": 1.5, "HUN": 1.5, "IRL": 1.4,
    "BLR": 1.6, "KAZ": 1.3, "SAU": 1.5, "ARE": 1.6, "QAT": 1.6, "KWT": 1.5, "TWN": 1.5,
    "USA": 0.8, "JPN": 0.8, "BRA": 0.6, "IND": 0.8, "ARG": 0.6, "EGY": 0.6, "PAK": 0.6,
}  # fmt: skip
"""How much more (or less) an economy exports than its GDP says (openness, synthetic)."""

RESISTANCE = 0.5
"""Exponent of multilateral resistance: remote economies trade more than distance alone says."""


@dataclass(frozen=True)
class World:
    """A synthetic world: its economies, products and the arrays of the generative model.

    Arrays indexed by economy follow ``economies`` (sorted by BACI code); arrays indexed by
    product follow ``products`` (sorted by HS6 code).
    """

    seed: int
    economies: pd.DataFrame
    """iso3, baci_code, name, iso2, lat, lon, gdp_bn_2010, growth_pct, income, capability."""
    products: pd.DataFrame
    """code, description, chapter, requirement, unit_value_usd_t, world_share."""
    distance_km: np.ndarray
    history: np.ndarray
    """Multiplier for common history (post-Soviet pairs), economy x economy."""
    exporter_term: np.ndarray
    """Export propensity over multilateral resistance, per exporter."""
    importer_term: np.ndarray
    """Multilateral resistance of importers."""
    mix: np.ndarray
    """S: exporter's product mix (rows sum to 1; zero where not capable), economy x product."""
    demand: np.ndarray
    """D: importer's taste, economy x product."""
    unit_value: np.ndarray
    """Unit value in USD per tonne in 2010, exporter x product."""
    feasible: tuple[np.ndarray, ...]
    """For each exporter, the indices of the products it can export."""
    e0: float
    """Scale of the extensive margin, thousands of USD."""

    def gdp_bn(self, year: int) -> np.ndarray:
        """GDP in billions of USD in ``year`` (no population: a growth path from 2010)."""
        growth = 1.0 + self.economies["growth_pct"].to_numpy() / 100.0
        return (
            self.economies["gdp_bn_2010"].to_numpy()
            * growth ** (year - BASE_YEAR)
            * GDP_DIP.get(year, 1.0)
        )

    def gravity(self, year: int) -> np.ndarray:
        """G: exporter x importer gravity term in ``year`` (zero on the diagonal)."""
        gdp = self.gdp_bn(year)
        g = np.outer(
            self.exporter_term * gdp**GDP_EXPONENT_EXPORTER,
            self.importer_term * gdp**GDP_EXPONENT_IMPORTER,
        )
        g /= self.distance_km**DISTANCE_EXPONENT
        g *= self.history
        g *= eaeu_lift(self.economies["iso3"].tolist(), year)
        np.fill_diagonal(g, 0.0)
        return g

    def price(self, year: int) -> np.ndarray:
        """Price index per product in ``year`` (2010 = 1): energy moves, the rest stays at 1."""
        index = np.ones(len(self.products))
        index[self.products["chapter"].to_numpy() == 27] = ENERGY_PRICE.get(year, 1.0)
        return index

    def world_total(self, year: int) -> float:
        """Expected world trade in ``year``, thousands of USD."""
        trend = np.exp(WORLD_TREND * (year - BASE_YEAR))
        return WORLD_TRADE_2010_USD / 1000.0 * trend * DIP.get(year, 1.0)

    def scale(self, year: int) -> float:
        """K(t): makes the expected sum of all flows equal :meth:`world_total`."""
        pair = (self.mix * self.price(year)) @ self.demand.T
        return self.world_total(year) / float((self.gravity(year) * pair).sum())


def listing_probability(ratio: np.ndarray) -> np.ndarray:
    """Probability that a flow with expected value ``ratio * E0`` is listed (is positive).

    ``1 - exp(-sqrt(ratio))``: close to 1 for large flows; for small ones about
    ``sqrt(ratio)``, so that a listed small flow is worth about ``E0 * sqrt(ratio)`` (small
    flows stay small). Never above ``sqrt(ratio)``.
    """
    return -np.expm1(-np.sqrt(ratio))


def normal_quantile(p: np.ndarray) -> np.ndarray:
    """Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9)."""
    a = (-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.3577518672690,
         -30.66479806614716, 2.506628277459239)  # fmt: skip
    b = (-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
         -13.28068155288572)  # fmt: skip
    c = (-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
         4.374664141464968, 2.938163982698783)  # fmt: skip
    d = (0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416)
    p = np.asarray(p, dtype=float)
    q = p - 0.5
    r = q * q
    num = ((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]
    den = ((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0
    x = num * q / den
    tail = np.minimum(p, 1.0 - p) < 0.02425
    if tail.any():
        t = np.sqrt(-2.0 * np.log(np.minimum(p[tail], 1.0 - p[tail])))
        num = ((((c[0] * t + c[1]) * t + c[2]) * t + c[3]) * t + c[4]) * t + c[5]
        den = (((d[0] * t + d[1]) * t + d[2]) * t + d[3]) * t + 1.0
        x[tail] = np.where(p[tail] < 0.5, num / den, -num / den)
    return x


def eaeu_lift(iso3: list[str], year: int) -> np.ndarray:
    """Multiplier for trade between two EAEU members in ``year``, economy x economy."""
    member = np.array([EAEU_ACCESSION.get(c, 10_000) <= year for c in iso3])
    return np.where(np.outer(member, member), EAEU_LIFT, 1.0)


@lru_cache(maxsize=1)
def economy_table() -> pd.DataFrame:
    """All economies the generator knows, with BACI codes, names, capitals and sizes."""
    from silkroad.reference.countries import countries

    path = resources.files("silkroad.sources") / "data" / "synthetic_sizes.csv"
    with path.open(encoding="utf-8") as fh:
        sizes = pd.read_csv(fh, dtype={"iso3": str, "income": str}, keep_default_na=False)
    ref = countries()
    ref = ref[ref["iso3"].isin(sizes["iso3"])]
    missing = sorted(set(sizes["iso3"]) - set(ref["iso3"]))
    if missing:
        raise ReferenceDataError(
            "synthetic economies missing from the country reference", found=missing[:5]
        )
    table = sizes.merge(ref, on="iso3", how="left", validate="one_to_one")
    table["baci_code"] = [
        BACI_COMPOSITE_CODES.get(c, int(n))
        for c, n in zip(table["iso3"], table["iso_numeric"], strict=True)
    ]
    table = table.rename(columns={"name_en": "name", "capital_lat": "lat", "capital_lon": "lon"})
    columns = ["iso3", "baci_code", "name", "iso2", "lat", "lon"]
    columns += ["gdp_bn_2010", "growth_pct", "income"]
    return table[columns].sort_values("baci_code").reset_index(drop=True)


def _subheadings(count: int) -> list[str]:
    """Plausible subheading suffixes for a heading with ``count`` HS6 codes."""
    if count <= 1:
        return ["00"]
    if count <= 9:
        return [f"{10 * s}" for s in range(1, count)] + ["90"]
    first = [f"{t}{u}" for t in range(1, 9) for u in range(1, 10)][: count - 1]
    return [*first, "90"]


@lru_cache(maxsize=4)
def product_catalogue(n_target: int) -> pd.DataFrame:
    """About ``n_target`` HS6 products over every chapter but 77, named codes included.

    The catalogue depends only on ``n_target``, not on a seed: codes and descriptions are
    the same in every synthetic release of one size.
    """
    from silkroad.reference.products import chapters

    titles = dict(zip(chapters()["code"], chapters()["label_en"], strict=True))
    rng = np.random.default_rng(1992)
    total = sum(n for n, _ in CHAPTER_SHAPE.values())
    named = {code: desc for code, desc, _, _ in NAMED_PRODUCTS}
    rows: list[tuple[str, str]] = []
    for chapter, (n_codes, n_headings) in CHAPTER_SHAPE.items():
        per_heading = rng.multinomial(n_codes - n_headings, rng.dirichlet(np.ones(n_headings)))
        codes = [
            f"{chapter:02d}{h + 1:02d}{sub}"
            for h in range(n_headings)
            for sub in _subheadings(int(per_heading[h]) + 1)
        ]
        codes = [c for c in codes if c not in named]
        in_chapter = sum(c.startswith(f"{chapter:02d}") for c in named)
        keep = min(max(2, round(n_target * n_codes / total) - in_chapter), len(codes))
        chosen = np.sort(rng.choice(len(codes), size=keep, replace=False))
        title = titles[f"{chapter:02d}"]
        rows += [(codes[c], f"{title}: item {codes[c][:4]}.{codes[c][4:]} (synthetic)")
                 for c in chosen]  # fmt: skip
    rows += list(named.items())
    table = pd.DataFrame(rows, columns=["code", "description"])
    table = table.sort_values("code").reset_index(drop=True)
    table["chapter"] = table["code"].str[:2].astype(int)
    return table


def _match(codes: pd.Series, prefixes: str) -> np.ndarray:
    return codes.str.startswith(tuple(prefixes.split())).to_numpy()


def _haversine_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    dphi = phi[:, None] - phi[None, :]
    dlam = lam[:, None] - lam[None, :]
    a = np.sin(dphi / 2) ** 2 + np.cos(phi)[:, None] * np.cos(phi)[None, :] * np.sin(dlam / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _rank01(values: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(values)) / max(len(values) - 1, 1)


def build_world(*, n_economies: int, n_products: int, rows_2010: int, seed: int) -> World:
    """Draw a world: the ``n_economies`` largest economies (EAEU members always) and about
    ``n_products`` products, calibrated to about ``rows_2010`` listed flows in 2010."""
    rng = np.random.default_rng([seed, 0])
    table = economy_table()
    largest = set(table.nlargest(n_economies, "gdp_bn_2010")["iso3"]) | set(EAEU_ACCESSION)
    eco = table[table["iso3"].isin(largest)].reset_index(drop=True)
    n_c = len(eco)
    income = eco["income"].map(INCOME_LEVEL).to_numpy(dtype=float)
    capability = 0.4 * income / 3 + 0.6 * _rank01(np.log(eco["gdp_bn_2010"].to_numpy()))
    capability = np.clip(capability + rng.normal(0, 0.04, n_c), 0.02, 1.0)
    eco = eco.assign(capability=capability)

    prod = product_catalogue(n_products).copy()
    n_p = len(prod)
    chapter = prod["chapter"].to_numpy()
    lo, hi, uv = np.zeros(n_p), np.zeros(n_p), np.zeros(n_p)
    group = np.zeros(n_p, dtype=int)
    for g, (first, last, low, high, value, _) in enumerate(CHAPTER_GROUPS):
        in_group = (chapter >= first) & (chapter <= last)
        lo[in_group], hi[in_group], uv[in_group], group[in_group] = low, high, value, g
    requirement = lo + (hi - lo) * rng.random(n_p)
    unit_value = uv * np.exp(rng.normal(0, 0.5, n_p))
    # world shares: named products as given, the others share what their group has left
    named = {code: (value, pct) for code, _, value, pct in NAMED_PRODUCTS}
    is_named = prod["code"].isin(named).to_numpy()
    unit_value[is_named] = [named[c][0] for c in prod["code"][is_named]]
    share = np.zeros(n_p)
    share[is_named] = [named[c][1] / 100.0 for c in prod["code"][is_named]]
    draw = np.exp(PRODUCT_WEIGHT_SIGMA * np.clip(rng.standard_normal(n_p), -2.5, 2.5))
    for g, (*_, pct) in enumerate(CHAPTER_GROUPS):
        others = (group == g) & ~is_named
        left = max(pct / 100.0 - share[group == g].sum(), 0.05 * pct / 100.0)
        share[others] = left * draw[others] / draw[others].sum()
    share /= share.sum()
    prod = prod.assign(requirement=requirement, unit_value_usd_t=unit_value, world_share=share)

    boost = np.ones((n_c, n_p))
    special = np.zeros((n_c, n_p), dtype=bool)
    iso3 = eco["iso3"]
    for who, prefixes, factor in SPECIALISATIONS:
        cell = np.outer(iso3.isin(who.split()).to_numpy(), _match(prod["code"], prefixes))
        boost[cell] *= factor
        special |= cell
    resource = _match(prod["code"], " ".join(RESOURCE_PREFIXES))
    boost[~special & resource[None, :]] = RESOURCE_WITHOUT_ENDOWMENT
    able = capability[:, None] + rng.normal(0, CAPABILITY_NOISE, (n_c, n_p)) >= requirement
    able |= special
    complex_taste = np.outer(capability - 0.5, requirement - 0.5)
    sigma = np.where(special, SPECIALISED_SIGMA, ADVANTAGE_SIGMA)
    advantage = boost * np.exp(sigma * rng.standard_normal((n_c, n_p)))
    advantage *= np.exp(SPECIALISE_COMPLEX * complex_taste)
    mix = np.where(able, share * advantage, 0.0)
    mix /= mix.sum(axis=1, keepdims=True)
    demand = np.exp(rng.normal(0, DEMAND_SIGMA, (n_c, n_p)) + DEMAND_COMPLEX * complex_taste)
    quality = np.exp(rng.normal(0, 0.25, n_c) + 0.6 * (capability - 0.5))
    unit_values = unit_value[None, :] * quality[:, None] * np.exp(rng.normal(0, 0.15, (n_c, n_p)))

    distance = np.maximum(
        _haversine_km(eco["lat"].to_numpy(), eco["lon"].to_numpy()), MIN_DISTANCE_KM
    )
    soviet = iso3.isin(POST_SOVIET).to_numpy()
    history = np.where(np.outer(soviet, soviet), POST_SOVIET_LIFT, 1.0)
    core = iso3.isin(CORE).to_numpy()
    history *= np.where(np.outer(core, core), CORE_LIFT, 1.0)
    propensity = iso3.map(EXPORT_PROPENSITY).fillna(1.0).to_numpy()
    # multilateral resistance from 2010 market access: remote economies trade more per km
    gdp = eco["gdp_bn_2010"].to_numpy()
    access = np.outer(gdp**GDP_EXPONENT_EXPORTER, gdp**GDP_EXPONENT_IMPORTER)
    access *= history / distance**DISTANCE_EXPONENT
    np.fill_diagonal(access, 0.0)
    out_access = access.sum(axis=1) / gdp**GDP_EXPONENT_EXPORTER
    in_access = access.sum(axis=0) / gdp**GDP_EXPONENT_IMPORTER
    exporter_term = propensity * (out_access / out_access.mean()) ** -RESISTANCE
    importer_term = (in_access / in_access.mean()) ** -RESISTANCE
    world = World(
        seed=seed,
        economies=eco,
        products=prod,
        distance_km=distance,
        history=history,
        exporter_term=exporter_term,
        importer_term=importer_term,
        mix=mix,
        demand=demand,
        unit_value=unit_values,
        feasible=tuple(np.flatnonzero(row) for row in able),
        e0=1.0,
    )
    return _calibrated(world, rows_2010, np.random.default_rng([seed, 3]))


def _calibrated(world: World, rows: int, rng: np.random.Generator, samples: int = 400_000) -> World:
    """Set E0 so that the expected number of listed flows in 2010 is ``rows``."""
    n_c = len(world.economies)
    sizes = np.array([len(f) for f in world.feasible], dtype=float)
    cells = sizes.sum() * (n_c - 1)
    exporter = rng.choice(n_c, size=samples, p=sizes / sizes.sum())
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    offset = (rng.random(samples) * sizes[exporter]).astype(np.int64)
    product = np.concatenate(world.feasible)[start[exporter] + offset]
    importer = (exporter + 1 + rng.integers(0, n_c - 1, samples)) % n_c
    expected = (
        world.scale(BASE_YEAR)
        * world.gravity(BASE_YEAR)[exporter, importer]
        * world.mix[exporter, product]
        * world.demand[importer, product]
    )
    lo, hi = np.log(1e-6), np.log(1e12)
    for _ in range(80):
        mid = (lo + hi) / 2
        listed = listing_probability(expected / np.exp(mid)).mean() * cells
        lo, hi = (mid, hi) if listed > rows else (lo, mid)
    return replace(world, e0=float(np.exp((lo + hi) / 2)))
