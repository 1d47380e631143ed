"""The summary an analyst would write, generated from the brief's data in English or Russian.

Sentences change with the data: growth or decline, "N times" or percent (the rule of
:mod:`silkroad.report.numbers`), a record (the highest or lowest turnover of the years shown),
trade that is new or resumed after a year without it, one-sided trade, no trade at all, the
driver of a change, new and lost products, price and volume effects, the partner's rank.

Every number is written by the same :class:`~silkroad.report.numbers.Numbers` call, on the same
value, as the table cell that shows it, so the text never states a figure the tables do not
show (amounts in sentences are the rounded table amount, in billions from 1,000 million).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from silkroad.report.brief import DIRECTIONS, value
from silkroad.report.i18n import capitalize, lower_first, name
from silkroad.report.names import edition, is_code, short_hs6_name
from silkroad.report.numbers import NBSP, Change, change, missing, nobreak
from silkroad.report.tables import pair_names

if TYPE_CHECKING:
    from silkroad.report.brief import Brief

#: Groups named in the sentence on the main goods of each direction.
MAIN_GOODS = 3
#: Sentences on page 1 at most.
KEY_POINTS = 6


def narrative(brief: Brief) -> list[str]:
    """Paragraphs (one string each): the key points, then what changed and the partner's place."""
    first = key_points(brief)
    second = details(brief)
    return [" ".join(p) for p in (first, second) if p]


def key_points(brief: Brief) -> list[str]:
    """The sentences of page 1 (at most :data:`KEY_POINTS`): turnover, flows, balance, goods.

    When there are more, the comparison with the base year goes to :func:`details` first, then
    the record ("the highest turnover in …").
    """
    w = _Writer(brief)
    head = w.headline()
    if w.T == 0:
        return [nobreak(s) for s in head]
    main, record = head[:1], head[1:]
    goods = [s for d in DIRECTIONS for s in w.main_goods(d)]
    versus = w.versus_base()
    points = main + record + w.flows() + w.balance() + versus + goods
    return [nobreak(s) for s in points if s not in _moved(points, versus, record)]


def _moved(points: list[str], *candidates: list[str]) -> list[str]:
    """The sentences that leave page 1 (in the order of ``candidates``) to keep it short."""
    moved: list[str] = []
    for group in candidates:
        if len(points) - len(moved) <= KEY_POINTS:
            break
        moved += group
    return moved


def details(brief: Brief) -> list[str]:
    """The sentences after page 1: drivers, new and lost products, prices and volumes, ranks."""
    w = _Writer(brief)
    if w.T == 0:
        return []
    head = w.headline()
    goods = [s for d in DIRECTIONS for s in w.main_goods(d)]
    versus = w.versus_base()
    points = head + w.flows() + w.balance() + versus + goods
    second = _moved(points, versus, head[1:])
    if brief.data.movers is not None:
        for d in DIRECTIONS:
            second += w.driver(d) + w.new_and_lost(d)
        second += [s for d in DIRECTIONS for s in w.price_volume(d)]
    second += w.partner_rank() + w.common_blocs()
    return [nobreak(s) for s in second]


def _join(items: list[str], lang: str) -> str:
    """'a, b and c' / 'a, b и c'."""
    if len(items) <= 1:
        return "".join(items)
    word = " and " if lang == "en" else " и "
    return ", ".join(items[:-1]) + word + items[-1]


class _Writer:
    def __init__(self, brief: Brief) -> None:
        self.brief = brief
        self.d = brief.data
        self.nf = brief.numbers
        self.en = brief.lang == "en"
        self.names = pair_names(brief)
        p = self.d.profile
        y, prev = self.d.year, self.d.prev
        self.T, self.X, self.M = (
            value(p, y, f"{f}_usd") for f in ("turnover", "exports", "imports")
        )
        self.pT, self.pX, self.pM = (
            value(p, prev, f"{f}_usd") for f in ("turnover", "exports", "imports")
        )

    # --- paragraph 1 ---------------------------------------------------------------------
    def headline(self) -> list[str]:
        d, nf, en = self.d, self.nf, self.en
        y, prev, between = d.year, d.prev, self.names["between"]
        money = nf.money(self.T)
        if self.T == 0:
            before = ""
            if not missing(self.pT) and self.pT > 0:
                before = (
                    f" (turnover in {prev}: {nf.money(self.pT)})"
                    if en
                    else f" (товарооборот в {prev} году: {nf.money(self.pT)})"
                )
            return [
                f"In {y} no trade {between} was recorded{before}."
                if en
                else f"В {y} году торговля {between} не зарегистрирована{before}."
            ]
        c = change(self.T, self.pT)
        if c.kind == "new":
            earlier = [yy for yy in d.years if yy < y]
            first_time = all(value(d.profile, yy, "turnover_usd") == 0 for yy in earlier)
            span = nf.years(d.years[0], y)
            if first_time and len(earlier) > 1:
                s = (
                    f"In {y} trade {between} appeared for the first time in {span}: "
                    f"turnover reached {money}."
                    if en
                    else f"В {y} году впервые за {span} годы появилась торговля {between}: "
                    f"товарооборот составил {money}."
                )
            else:
                s = (
                    f"In {y} trade {between} resumed after a year without it ({prev}): "
                    f"turnover reached {money}."
                    if en
                    else f"В {y} году возобновилась торговля {between}, которой не было "
                    f"в {prev} году: товарооборот составил {money}."
                )
            return [s, *self.record()]
        grew = c.kind == "up" or (c.kind == "pct" and c.number is not None and c.number > 0)
        if en:
            verb = "reached" if grew else "amounted to"
            s = f"In {y} trade turnover {between} {verb} {money}"
        else:
            verb = "достиг" if grew else "составил"
            s = f"В {y} году товарооборот {between} {verb} {money}"
        s += self._compared(c, prev) + "."
        return [s, *self.record()]

    def _compared(self, c: Change, prev: int | None) -> str:
        """', 22.9% more than in 2013' / ', что на 22,9 % больше, чем в 2013 году'."""
        nf, en = self.nf, self.en
        size = nf.change_size(c)
        if c.kind == "pct" and c.number is not None:
            if c.number == 0:
                return f", about the same as in {prev}" if en else f", как и в {prev} году"
            if en:
                return f", {size} {'more' if c.number > 0 else 'less'} than in {prev}"
            more = "больше" if c.number > 0 else "меньше"
            return f", что на {size} {more}, чем в {prev} году"
        if c.kind in ("up", "down"):
            if en:
                return f", {size} {'more' if c.kind == 'up' else 'less'} than in {prev}"
            return f", что {size} {'больше' if c.kind == 'up' else 'меньше'}, чем в {prev} году"
        return ""

    def record(self) -> list[str]:
        """'This is the highest value in 2007–2014.' when the year tops the years shown."""
        d, en = self.d, self.en
        others = [value(d.profile, y, "turnover_usd") for y in d.years if y != d.year]
        if len(others) < 2 or any(missing(o) for o in others):
            return []
        span = self.nf.years(d.years[0], d.years[-1])
        if max(others) < self.T:
            return [
                f"This is the highest turnover in {span}."
                if en
                else f"Это максимальное значение за {span} годы."
            ]
        if 0 < self.T < min(others):
            return [
                f"This is the lowest turnover in {span}."
                if en
                else f"Это минимальное значение за {span} годы."
            ]
        return []

    def _flow_change(self, current: float, previous: float, flow: str) -> str:
        """'(+0.8%)', '(3.6 times more)', '(none in 2013)' for a flow; '' with no comparison."""
        nf, en, prev = self.nf, self.en, self.d.prev
        c = change(current, previous)
        if c.kind in ("pct", "up", "down"):
            return f" ({nf.change_cell(c)})"
        if c.kind == "new":
            if en:
                return f" (none in {prev})"
            noun = "экспорта" if flow == "exports" else "импорта"
            return f" (в {prev} году {noun} не было)"
        return ""

    def flows(self) -> list[str]:
        nf, en, prev = self.nf, self.en, self.d.prev
        X, M = self.X, self.M
        cx = self._flow_change(X, self.pX, "exports")
        cm = self._flow_change(M, self.pM, "imports")
        if X > 0 and M > 0:
            return [
                f"Exports amounted to {nf.money(X)}{cx} and imports to {nf.money(M)}{cm}."
                if en
                else f"Экспорт составил {nf.money(X)}{cx}, импорт — {nf.money(M)}{cm}."
            ]
        if X > 0:
            before = ""
            if not missing(self.pM) and self.pM > 0:
                before = (
                    f" (imports in {prev}: {nf.money(self.pM)})"
                    if en
                    else f" (в {prev} году — {nf.money(self.pM)})"
                )
            return [
                f"Trade was one-sided: exports amounted to {nf.money(X)}{cx} and there were no "
                f"imports{before}."
                if en
                else f"Торговля была односторонней: экспорт составил {nf.money(X)}{cx}, "
                f"импорта не было{before}."
            ]
        before = ""
        if not missing(self.pX) and self.pX > 0:
            before = (
                f" (exports in {prev}: {nf.money(self.pX)})"
                if en
                else f" (в {prev} году — {nf.money(self.pX)})"
            )
        return [
            f"Trade was one-sided: imports amounted to {nf.money(M)}{cm} and there were no "
            f"exports{before}."
            if en
            else f"Торговля была односторонней: импорт составил {nf.money(M)}{cm}, "
            f"экспорта не было{before}."
        ]

    def balance(self) -> list[str]:
        nf, en = self.nf, self.en
        if not (self.X > 0 and self.M > 0):
            return []  # one-sided: the balance is the one flow
        b = self.X - self.M
        t = nf.table_value(b)
        if t == 0:
            return ["Trade was balanced." if en else "Торговля была сбалансированной."]
        money = nf.money(abs(b))
        if t > 0:
            return [
                f"The trade surplus was {money}."
                if en
                else f"Положительное сальдо торговли составило {money}."
            ]
        return [
            f"The trade deficit was {money}."
            if en
            else f"Отрицательное сальдо торговли составило {money}."
        ]

    def versus_base(self) -> list[str]:
        d, nf, en = self.d, self.nf, self.en
        if d.base is None or d.base == d.year:
            return []
        bT = value(d.profile, d.base, "turnover_usd")
        if missing(bT):
            return []
        if bT == 0:
            return [
                f"In {d.base} there was no trade." if en else f"В {d.base} году торговли не было."
            ]
        c = change(self.T, bT)
        size = nf.change_size(c)
        if c.kind == "up":
            what = f"grew {size}" if en else f"вырос {size}"
        elif c.kind == "down":
            what = f"fell {size}" if en else f"сократился {size}"
        elif c.kind == "pct" and c.number is not None and c.number > 0:
            what = f"grew by {size}" if en else f"вырос на {size}"
        elif c.kind == "pct" and c.number is not None and c.number < 0:
            what = f"fell by {size}" if en else f"сократился на {size}"
        else:
            what = "was about the same" if en else "остался на прежнем уровне"
        return [
            f"Compared with {d.base}, turnover {what}."
            if en
            else f"По сравнению с {d.base} годом товарооборот {what}."
        ]

    def main_goods(self, direction: str) -> list[str]:
        _d, nf, en, lang = self.d, self.nf, self.en, self.brief.lang
        df = self.brief.structure[direction]
        rows = df[(df.code != "other") & (df.value_usd > 0)].head(MAIN_GOODS)
        if rows.empty:
            return []
        items = [
            f"{lower_first(str(r[f'label_{lang}']))} ({nf.money(r['value_usd'])}, {nf.pct(r['share'])})"
            for r in rows.to_dict(orient="records")
        ]
        listed = _join(items, lang)
        if en:
            noun = "exports" if direction == "exports" else "imports"
            if len(items) == 1:
                return [f"The main {noun[:-1]} was {listed}."]
            return [f"The main {noun} were {listed}."]
        noun = "экспорта" if direction == "exports" else "импорта"
        return [f"Основные товары {noun}: {listed}."]

    # --- paragraph 2 ---------------------------------------------------------------------
    def driver(self, direction: str) -> list[str]:
        """The product behind most of a direction's change (largest gain or largest fall)."""
        nf, en, lang = self.nf, self.en, self.brief.lang
        movers = self.brief.movers
        assert movers is not None
        result = movers[direction]
        ch = float(result["margins"].iloc[0].change_usd)
        if nf.table_value(ch) == 0:
            return []
        key = "gainers" if ch > 0 else "losers"
        top = result[key]
        if top.empty:
            return []
        r = top.iloc[0]
        code = str(r["product"])
        label = short_hs6_name(code, lang, edition(self.d.metadata))
        label = lower_first(label) if en else label  # Russian quotes it as a name: «Нефтепродукты»
        amount = nf.money(float(r.value_usd) - float(r.prev_value_usd), signed=True)
        hs = "HS" if en else "ГС"
        detail = f"{hs}{NBSP}{code}, {amount}" if is_code(code) else amount
        if en:
            noun = "exports" if direction == "exports" else "imports"
            if ch > 0:
                return [f"The largest increase in {noun} came from {label} ({detail})."]
            return [f"The largest fall in {noun} was in {label} ({detail})."]
        noun = "экспорта" if direction == "exports" else "импорта"
        if ch > 0:
            return [f"Наибольший вклад в рост {noun} внесла позиция «{label}» ({detail})."]
        return [f"Наибольшее снижение {noun} пришлось на позицию «{label}» ({detail})."]

    def new_and_lost(self, direction: str) -> list[str]:
        d, nf, en = self.d, self.nf, self.en
        movers = self.brief.movers
        assert movers is not None
        m = movers[direction]["margins"].iloc[0]
        n_new, n_lost = int(m.n_new), int(m.n_lost)
        if n_new == 0 and n_lost == 0:
            return []
        new_money, lost_money = nf.money(m.extensive_new_usd), nf.money(m.extensive_lost_usd)
        parts = []
        if en:
            noun = "exports" if direction == "exports" else "imports"
            if n_new:
                what = "product" if n_new == 1 else "products"
                parts.append(f"{nf.integer(n_new)} {what} appeared in {noun} ({new_money})")
            if n_lost:
                what = "product" if n_lost == 1 else "products"
                gone = f"{nf.integer(n_lost)} disappeared ({lost_money})"
                if not n_new:
                    gone = f"{nf.integer(n_lost)} {what} disappeared from {noun} ({lost_money})"
                parts.append(gone)
            return [f"Compared with {d.prev}, " + _join(parts, "en") + "."]
        where = "в экспорте" if direction == "exports" else "в импорте"
        if n_new:
            phrase = nf.plural(
                n_new,
                {
                    "one": "появился {n} новый товар",
                    "few": "появились {n} новых товара",
                    "many": "появилось {n} новых товаров",
                    "other": "появилось {n} новых товара",
                },
            )
            parts.append(f"{phrase} (на {new_money})")
        if n_lost:
            phrase = nf.plural(
                n_lost,
                {
                    "one": "выбыл {n} товар",
                    "few": "выбыли {n} товара",
                    "many": "выбыло {n} товаров",
                    "other": "выбыло {n} товара",
                },
            )
            parts.append(f"{phrase} (на {lost_money})")
        return [f"По сравнению с {d.prev} годом {where} " + ", ".join(parts) + "."]

    def price_volume(self, direction: str) -> list[str]:
        d, nf, en = self.d, self.nf, self.en
        assert d.prices is not None
        s = d.prices[direction]["summary"].iloc[0]
        if int(s.n_continuing) == 0 or missing(float(s.coverage1)):
            return []
        price, volume = (
            nf.money(s.price_effect_usd, signed=True),
            nf.money(s.volume_effect_usd, signed=True),
        )
        coverage = nf.pct(s.coverage1)
        if en:
            noun = "exports" if direction == "exports" else "imports"
            return [
                f"For {noun} of products traded in both years with known weights "
                f"({coverage} of the {d.year} value), the price effect was {price} and the "
                f"volume effect {volume}."
            ]
        noun = "экспорту" if direction == "exports" else "импорту"
        return [
            f"По {noun} товаров, поставлявшихся в оба года и имеющих данные о весе "
            f"({coverage} стоимости {d.year} года), ценовой фактор составил {price}, "
            f"фактор физического объёма составил {volume}."
        ]

    def partner_rank(self) -> list[str]:
        d, nf, en = self.d, self.nf, self.en
        p, y = d.profile, d.year
        rank_b, share_b = value(p, y, "partner_rank_for_a"), value(p, y, "partner_share_of_a")
        rank_a, share_a = value(p, y, "a_rank_for_b"), value(p, y, "a_share_of_b")
        a, b = d.party_a, d.party_b
        parts = []
        if en:
            for other, me, rank, share in ((b, a, rank_b, share_b), (a, b, rank_a, share_a)):
                if missing(share) or share == 0:
                    continue
                who, of = name(other, "en", "the"), name(me, "en", "the")
                assert who is not None and of is not None
                if missing(rank):
                    parts.append(f"{who} accounted for {nf.pct(share)} of the trade of {of}")
                else:
                    place = "" if int(rank) == 1 else f"{nf.ordinal(int(rank))} "
                    parts.append(
                        f"{who} was the {place}largest trade partner of {of} "
                        f"({nf.pct(share)} of its trade)"
                    )
            return [capitalize("; ".join(parts)) + "."] if parts else []
        for other, me, rank, share in ((b, a, rank_b, share_b), (a, b, rank_a, share_a)):
            if missing(share) or share == 0:
                continue
            gen = name(me, "ru", "gen")
            if gen is None:
                continue  # no declension known: the context table has the figures
            who = other.name("ru")
            if missing(rank):
                parts.append(f"на {who} пришлось {nf.pct(share)} товарооборота {gen}")
            elif int(rank) == 1:
                parts.append(
                    f"{who} — крупнейший торговый партнёр {gen} ({nf.pct(share)} товарооборота)"
                )
            else:
                parts.append(
                    f"{who} — {int(rank)}-й по величине торговый партнёр {gen} "
                    f"({nf.pct(share)} товарооборота)"
                )
        return [f"В {y} году " + "; ".join(parts) + "."] if parts else []

    def common_blocs(self) -> list[str]:
        d, en, lang = self.d, self.en, self.brief.lang
        common = d.blocs["common"]
        if not common:
            return []
        from silkroad.analytics.parties import Party

        names = [name(Party(c, "bloc"), lang, "the" if en else "nom") or c for c in common]
        listed = _join([str(n) for n in names], lang)
        return [f"Both were members of {listed}." if en else f"Обе страны входили в {listed}."]
