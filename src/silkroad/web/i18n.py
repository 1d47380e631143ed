"""The dashboard's own words in English and Russian (the brief's come from the report)."""

from __future__ import annotations

from typing import Any

from silkroad.report.i18n import text as report_text

WORDS: dict[str, tuple[str, str]] = {
    "app": ("silkroad dashboard", "Панель silkroad"),
    "store": ("What the store holds", "Что есть в хранилище"),
    "store_empty": (
        "The store is empty: run `silkroad demo` or `silkroad ingest` first.",
        "Хранилище пусто: сначала выполните `silkroad demo` или `silkroad ingest`.",
    ),
    "source": ("Source", "Источник"),
    "kind": ("Kind", "Вид"),
    "release": ("Release", "Выпуск"),
    "years": ("Years", "Годы"),
    "rows": ("Rows", "Строк"),
    "rejected": ("Rejected", "Отклонено"),
    "synthetic": ("synthetic", "синтетические"),
    "pick": ("Pick a pair", "Выберите пару"),
    "side_a": ("Economy or bloc", "Страна или объединение"),
    "side_b": ("Partner", "Партнёр"),
    "year": ("Year", "Год"),
    "base": ("Base year", "Базовый год"),
    "level": ("Products by", "Товары по"),
    "top": ("Largest groups", "Крупнейших групп"),
    "perspective": ("Perspective", "Перспектива"),
    "open": ("Open", "Открыть"),
    "show": ("Show", "Показать"),
    "recent": ("Recent pairs", "Недавние пары"),
    "none_yet": ("None yet.", "Пока нет."),
    "economies": ("Economies", "Страны"),
    "blocs": ("Blocs", "Объединения"),
    "json_twin": ("This page as JSON", "Эта страница в JSON"),
    "api_docs": ("API documentation", "Документация API"),
    "home": ("Home", "Главная"),
    "download": ("Download the brief", "Скачать справку"),
    "treemap": ("Structure of {direction}, {year}", "Структура: {direction}, {year}"),
    "prices": ("Prices and volumes", "Цены и объёмы"),
    "mirror": ("Mirror statistics", "Зеркальная статистика"),
    "mirror_none": (
        "No mirror comparison: {reason}",
        "Зеркальное сравнение недоступно: {reason}",
    ),
    "mirror_summary": (
        "Declared by the exporter vs by the importer, USD",
        "Данные экспортёра и импортёра, долл. США",
    ),
    "direction": ("Direction", "Направление"),
    "exporter_declared": ("Exporter declared", "По данным экспортёра"),
    "importer_declared": ("Importer declared", "По данным импортёра"),
    "gap": ("Gap, %", "Расхождение, %"),
    "error": ("Error", "Ошибка"),
    "back": ("Back to the start", "На главную"),
    "charts_need_js": (
        "Charts need JavaScript; the tables below hold every number.",
        "Для графиков нужен JavaScript; все числа есть в таблицах ниже.",
    ),
    "language": ("Language", "Язык"),
    "sec_advantage": (
        "Comparative advantage and complexity",
        "Сравнительные преимущества и сложность",
    ),
    "sec_potential": ("Untapped export potential", "Нереализованный экспортный потенциал"),
    "advantage_none": (
        "Not available: the store holds no reconciled (BACI) data for {year}.",
        "Недоступно: в хранилище нет согласованных данных (BACI) за {year} г.",
    ),
    "potential_none": (
        "Not available for a bloc as the exporter, or without reconciled (BACI) data.",
        "Недоступно для объединения-экспортёра или без согласованных данных (BACI).",
    ),
    "economy_pages": ("Each side on its own", "Каждая сторона отдельно"),
    "economy_title": (
        "{name}: comparative advantage and complexity",
        "{name}: сравнительные преимущества и сложность",
    ),
    "economy_subtitle": ("{year}, products by {level}", "{year} г., товары по {level}"),
    "eci_card": ("Economic Complexity Index", "Индекс экономической сложности"),
    "eci_rank": ("rank {rank} of {n}", "{rank}-е место из {n}"),
    "eci_none": ("No ECI: {reason}", "ECI не рассчитан: {reason}"),
    "products_adv": (
        "{n} of {total} products exported with RCA ≥ 1",
        "{n} из {total} экспортируемых товаров с RCA ≥ 1",
    ),
    "t_economy_rca": (
        "Products of highest revealed comparative advantage (Balassa RCA), {year}",
        "Товары с наибольшим выявленным сравнительным преимуществом (RCA Баласса), {year} г.",
    ),
    "t_economy_opp": (
        "Opportunities: products not yet exported with advantage, by opportunity gain (COG)",
        "Возможности: товары, ещё не экспортируемые с преимуществом, по выигрышу (COG)",
    ),
    "sec_rca": ("Revealed comparative advantage", "Выявленные сравнительные преимущества"),
    "sec_opportunities": ("Opportunities", "Возможности"),
    "code": ("Code", "Код"),
    "product": ("Product", "Товар"),
    "exports_unit": ("Exports, {unit}", "Экспорт, {unit}"),
    "world_share": ("Share of world exports, %", "Доля в мировом экспорте, %"),
    "pci": ("PCI", "PCI"),
    "convention_note": (
        "Complexity by the {convention} convention (METHODS 3); RCA = the product's share in "
        "the economy's exports over its share in world exports.",
        "Сложность по соглашению {convention} (METHODS 3); RCA — доля товара в экспорте страны, "
        "делённая на его долю в мировом экспорте.",
    ),
}


def t(lang: str, key: str, **kw: Any) -> str:
    """A dashboard word in ``lang`` ('en' or 'ru'); the brief's keys are looked up there."""
    pair = WORDS.get(key)
    if pair is None:
        return report_text(lang, key, **kw)
    s = pair[0] if lang == "en" else pair[1]
    return s.format(**kw) if kw else s
