"""The summary an analyst would write, generated from the brief's data in English or Russian.

Sentences change with the data: growth or decline, "N times" or percent (the rule of
:mod:`silkroad.report.numbers`), a record (the highest or lowest turnover of the years shown),
trade that is new or resumed after a year without it, one-sided trade, no trade at all, the
driver of a change, new and lost products, price and volume effects, the partner's rank.

Every number is written by the same :class:`~silkroad.report.numbers.Numbers` call, on the same
value, as the table cell that shows it, so the text never states a figure the tables do not
show (amounts in sentences are the rounded table amount, in billions from 1,000 million).

A sentence is made only when the data support it (docs/brief.md, "The summary"): unknown is
never written as zero (a side the data hold no flow of, a NaN), trade not broken down by
product (code ``TOTAL``) is never named as a product, products are compared across years only
when both years break the direction down by product, a partner holding 100 % of a side's trade
is "the only trade partner in the data" (an unknown share, as from a one-partner declared table,
is not stated), and a record is claimed over a span only when every year
of it is shown.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from silkroad.reference.products import TOTAL
from silkroad.report.brief import DIRECTIONS, value
from silkroad.report.i18n import capitalize, lower_first, name
from silkroad.report.names import edition, is_code, short_hs6_name
from silkroad.report.numbers import NBSP, Change, change, missing, nobreak
from silkroad.report.tables import pair_names

if TYPE_CHECKING:
    from silkroad.analytics.parties import Party
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
    if w.partial:  # one flow known (a table of exports only): it and its goods
        goods = [s for d in w.known_directions() for s in w.main_goods(d)]
        return [nobreak(s) for s in head + goods]
    if not w.T > 0:  # no trade, or unknown: the headline says which
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
    if w.partial:  # one flow known: what changed in it, and the partner's place
        second: list[str] = []
        if brief.data.movers is not None:
            for d in w.known_directions():
                if w.products_comparable(d):
                    second += w.driver(d) + w.new_and_lost(d) + w.price_volume(d)
                else:
                    second += w.not_comparable(d)
        second += w.partner_rank() + w.common_blocs()
        return [nobreak(s) for s in second]
    if not w.T > 0:
        return []
    head = w.headline()
    goods = [s for d in DIRECTIONS for s in w.main_goods(d)]
    versus = w.versus_base()
    points = head + w.flows() + w.balance() + versus + goods
    second = _moved(points, versus, head[1:])
    if brief.data.movers is not None:
        for d in DIRECTIONS:
            if w.products_comparable(d):
                second += w.driver(d) + w.new_and_lost(d)
            else:
                second += w.not_comparable(d)
        second += [s for d in DIRECTIONS if w.products_comparable(d) for s in w.price_volume(d)]
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
        y, prev = self.d.year, self.d.prev
        self.T, self.X, self.M = (self.known(y, f) for f in ("turnover", "exports", "imports"))
        self.pT, self.pX, self.pM = (
            self.known(prev, f) for f in ("turnover", "exports", "imports")
        )

    def known_directions(self) -> list[str]:
        """The directions with a known, positive value in the year."""
        pairs = (("exports", self.X), ("imports", self.M))
        return [d for d, v in pairs if not missing(v) and v > 0]

    @property
    def partial(self) -> bool:
        """The turnover is unknown but one flow is known and positive (a table of one flow)."""
        return missing(self.T) and len(self.known_directions()) == 1

    def known(self, year: int | None, flow: str = "turnover") -> float:
        """``flow`` ('turnover', 'exports', 'imports') in ``year``, USD; NaN where it is unknown:
        not shown, NaN in the profile, or a side of which the data hold no flow that year."""
        if year is not None and self.d.absent.get(year):
            return math.nan
        return value(self.d.profile, year, f"{flow}_usd")

    def span(self, years: list[int]) -> str:
        """'in 2007–2014' / 'за 2007–2014 годы' when every year between is shown, else the
        years themselves: 'in the years held (2007, 2013 and 2014)' (or 'shown')."""
        first, last = years[0], years[-1]
        if years == list(range(first, last + 1)):
            span = self.nf.years(first, last)
            return f"in {span}" if self.en else f"за {span} годы"
        listed = _join([str(y) for y in years], self.brief.lang)
        between = set(range(first, last + 1)) - set(years)
        if self.d.held and not between & set(self.d.held):
            held = f"in the years held ({listed})"
            return held if self.en else f"за годы, по которым есть данные ({listed})"
        return f"in the years shown ({listed})" if self.en else f"за показанные годы ({listed})"

    def not_broken_down(self, direction: str, year: int | None) -> float:
        """USD of ``direction`` in ``year`` not broken down by product (code TOTAL)."""
        if year is None:
            return 0.0
        return self.d.not_broken_down.get(direction, {}).get(year, 0.0)

    def products_comparable(self, direction: str) -> bool:
        """Whether both years compared break ``direction`` down by product entirely (else a
        product may hide in the rest: no product is new, lost or a driver)."""
        return all(self.not_broken_down(direction, y) == 0 for y in (self.d.prev, self.d.year))

    # --- paragraph 1 ---------------------------------------------------------------------
    def headline(self) -> list[str]:
        d, nf, en = self.d, self.nf, self.en
        y, prev, between = d.year, d.prev, self.names["between"]
        money = nf.money(self.T)
        if missing(self.T):
            return [self.unknown_year()]
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
            turnovers = [self.known(yy) for yy in earlier]
            first_time = all(t == 0 for t in turnovers)  # NaN (unknown) is not zero
            resumed = any(t > 0 for t in turnovers)
            span = self.span([*earlier, y])
            if first_time and len(earlier) > 1:
                s = (
                    f"In {y} trade {between} appeared for the first time {span}: "
                    f"turnover reached {money}."
                    if en
                    else f"В {y} году впервые {span} появилась торговля {between}: "
                    f"товарооборот составил {money}."
                )
            elif not resumed:  # only the year before is known to be without trade
                s = (
                    f"In {y} trade turnover {between} reached {money}, after no trade in {prev}."
                    if en
                    else f"В {y} году товарооборот {between} составил {money}; "
                    f"в {prev} году торговли не было."
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

    def unknown_year(self) -> str:
        """The headline when the year's turnover is unknown: the data hold nothing for a side
        (or no figure for the pair), which is not zero trade."""
        d, en, y = self.d, self.en, self.d.year
        between = self.names["between"]
        gone = [p for p in (d.party_a, d.party_b) if p.code in d.absent.get(y, ())]
        flows = [(f, v) for f, v in (("exports", self.X), ("imports", self.M)) if not missing(v)]
        if not gone and len(flows) == 1:  # one flow known: say it, and that the rest is not
            flow, money = flows[0][0], self.nf.money(flows[0][1])
            other = "imports" if flow == "exports" else "exports"
            if en:
                return (
                    f"In {y} {flow} in the trade {between} amounted to {money}; {other} are "
                    "unknown, and so is the turnover."
                )
            noun = "экспорт" if flow == "exports" else "импорт"
            about = "импорте" if flow == "exports" else "экспорте"
            return (
                f"В {y} году {noun} в торговле {between} составил {money}; данных об {about} "
                "нет, поэтому товарооборот неизвестен."
            )
        if not gone:
            return (
                f"In {y} the data hold no figure for the trade {between}: it is unknown, not zero."
                if en
                else f"В {y} году в данных нет сведений о торговле {between}: она неизвестна, "
                "а не равна нулю."
            )
        if en:
            who = " or ".join(str(name(p, "en", "the")) for p in gone)
            return (
                f"In {y} the data hold no trade of {who} with any partner, so the trade "
                f"{between} is unknown, not zero."
            )
        gens = [name(p, "ru", "gen") for p in gone]
        if all(gens):
            who = " и ".join(str(g) for g in gens)
            return (
                f"В {y} году в данных нет торговли {who} ни с одним партнёром, поэтому "
                f"торговля {between} неизвестна, а не равна нулю."
            )
        who = ", ".join(p.name("ru") for p in gone)
        return (
            f"В данных за {y} год нет ни одного потока с участием стран: {who}. Торговля "
            f"{between} неизвестна, а не равна нулю."
        )

    def record(self) -> list[str]:
        """'This is the highest turnover in 2007–2014.' when the year tops the years shown
        (the years themselves when the span has gaps)."""
        d, en = self.d, self.en
        others = [self.known(y) for y in d.years if y != d.year]
        if len(others) < 2 or any(missing(o) for o in others):
            return []
        span = self.span(d.years)
        if max(others) < self.T:
            return [
                f"This is the highest turnover {span}."
                if en
                else f"Это максимальное значение {span}."
            ]
        if 0 < self.T < min(others):
            return [
                f"This is the lowest turnover {span}."
                if en
                else f"Это минимальное значение {span}."
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
        bT = self.known(d.base)
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
        total = df.code.astype(str).str.upper() == TOTAL  # not broken down: never a product
        rows = df[(df.code != "other") & ~total & (df.value_usd > 0)].head(MAIN_GOODS)
        rest = df[total & (df.value_usd > 0)]
        out = []
        if not rows.empty:
            items = []
            for r in rows.to_dict(orient="records"):
                label, share = lower_first(str(r[f"label_{lang}"])), r["share"]
                shown = nf.money(r["value_usd"]) + ("" if missing(share) else f", {nf.pct(share)}")
                items.append(f"{label} ({shown})")
            listed = _join(items, lang)
            if en:
                noun = "exports" if direction == "exports" else "imports"
                if len(items) == 1:
                    out.append(f"The main {noun[:-1]} was {listed}.")
                else:
                    out.append(f"The main {noun} were {listed}.")
            else:
                noun = "экспорта" if direction == "exports" else "импорта"
                out.append(f"Основные товары {noun}: {listed}.")
        if not rest.empty:
            out.append(self._not_broken_down_share(direction, rows.empty, rest.share.sum()))
        return out

    def _not_broken_down_share(self, direction: str, whole: bool, share: float) -> str:
        """'The data do not break down 38.1% of exports by product.' (or all of them)."""
        nf, en = self.nf, self.en
        noun = direction if en else ("экспорта" if direction == "exports" else "импорта")
        if whole:
            return (
                f"The data do not break {noun} down by product."
                if en
                else f"Данные не дают разбивки {noun} по товарам."
            )
        if missing(share):
            return (
                f"The data do not break part of the {noun} down by product."
                if en
                else f"Часть {noun} в данных не разбита по товарам."
            )
        return (
            f"The data do not break down {nf.pct(share)} of {noun} by product."
            if en
            else f"Для {nf.pct(share)} {noun} данные не дают разбивки по товарам."
        )

    # --- paragraph 2 ---------------------------------------------------------------------
    def driver(self, direction: str) -> list[str]:
        """The product behind most of a direction's change (largest gain or largest fall)."""
        nf, en, lang = self.nf, self.en, self.brief.lang
        movers = self.brief.movers
        assert movers is not None
        result = movers[direction]
        ch = float(result["margins"].iloc[0].change_usd)
        if missing(ch) or nf.table_value(ch) == 0:
            return []
        key = "gainers" if ch > 0 else "losers"
        top = result[key]
        if top.empty:
            return []
        r = top.iloc[0]
        code = str(r["product"])
        if code.upper() == TOTAL:
            return []  # trade not broken down by product is not a product
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

    def not_comparable(self, direction: str) -> list[str]:
        """Why no product is named as new, lost or a driver: a year compared is not (fully)
        broken down by product; said only where those sentences would have claimed something."""
        d, en = self.d, self.en
        if not (self.driver(direction) or self.new_and_lost(direction)):
            return []
        years = [
            y for y in (d.prev, d.year) if y is not None and self.not_broken_down(direction, y) > 0
        ]
        whole = all(self.not_broken_down(direction, y) >= self.known(y, direction) for y in years)
        listed = _join([str(y) for y in years], self.brief.lang)
        if en:
            how = "not broken down" if whole else "not fully broken down"
            return [
                f"In {listed} {direction} were {how} by product, so which products appeared, "
                "disappeared or drove the change cannot be told."
            ]
        noun = "экспорт" if direction == "exports" else "импорт"
        how = "не был разбит" if whole else "не был полностью разбит"
        when = f"В {listed} году" if len(years) == 1 else f"В {listed} годах"
        return [
            f"{when} {noun} {how} по товарам, поэтому нельзя сказать, какие товары появились, "
            "выбыли или определили изменение."
        ]

    def new_and_lost(self, direction: str) -> list[str]:
        d, nf, en = self.d, self.nf, self.en
        movers = self.brief.movers
        assert movers is not None
        m = movers[direction]["margins"].iloc[0]
        if missing(float(m.n_new)) or missing(float(m.n_lost)):
            return []
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
        effects = (float(s.price_effect_usd), float(s.volume_effect_usd), float(s.coverage1))
        if missing(float(s.n_continuing)) or int(s.n_continuing) == 0 or any(map(missing, effects)):
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
        d = self.d
        p, y = d.profile, d.year
        rank_b, share_b = value(p, y, "partner_rank_for_a"), value(p, y, "partner_share_of_a")
        rank_a, share_a = value(p, y, "a_rank_for_b"), value(p, y, "a_share_of_b")
        a, b = d.party_a, d.party_b
        sides = [(b, a, rank_b, share_b), (a, b, rank_a, share_a)]
        # 100 % of a side's trade (a share the analytics establish: reconciled data, where a
        # one-partner declared table gives NaN): "the largest partner" would say less than true
        only = [self._only_partner(other, me) for other, me, _, share in sides if share >= 1]
        sides = [s for s in sides if not s[3] >= 1]
        return self._ranks(sides) + [s for s in only if s]

    def _only_partner(self, other: Party, me: Party) -> str:
        """'Kazakhstan was the only trade partner of Belarus in the data (100% of its trade).';
        '' in Russian where a name has no known genitive."""
        pct = self.nf.pct(1.0)
        if self.en:
            who, of = name(other, "en", "the"), name(me, "en", "the")
            return capitalize(
                f"{who} was the only trade partner of {of} in the data ({pct} of its trade)."
            )
        gen_me = name(me, "ru", "gen")
        if gen_me is None:
            return ""
        return (
            f"{other.name('ru')} — единственный торговый партнёр {gen_me} в данных "
            f"({pct} товарооборота)."
        )

    def _ranks(self, sides: list[tuple[Party, Party, float, float]]) -> list[str]:
        """'Kazakhstan was the 2nd largest trade partner of Belarus (30.2% of its trade); …'."""
        d, nf, en = self.d, self.nf, self.en
        y = d.year
        parts = []
        if en:
            for other, me, rank, share in sides:
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
        for other, me, rank, share in sides:
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
