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
    "todo": (
        "Indicators, complexity, potential and gravity join this page as they land.",
        "Индикаторы, сложность, потенциал и гравитация появятся здесь позже.",
    ),
}


def t(lang: str, key: str, **kw: Any) -> str:
    """A dashboard word in ``lang`` ('en' or 'ru'); the brief's keys are looked up there."""
    pair = WORDS.get(key)
    if pair is None:
        return report_text(lang, key, **kw)
    s = pair[0] if lang == "en" else pair[1]
    return s.format(**kw) if kw else s
