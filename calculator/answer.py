"""The answer in plain words: what the fair price means for this visitor, and every figure
explained in one sentence a layperson can read.

Where the asking price stands is the valuation's call (`summary.verdict`: against the 80 % range);
it is decided again here from the stored figures, so results computed before that rule still
read right. The words depend on the visitor's role — the owner selling or a buyer looking — which
the wizard stores (`wizard.ROLES`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from calculator.formatting import format_number, percent, rub
from calculator.numbers import to_number
from calculator.valuation import summary
from calculator.valuation.coefficients import params_from_settings
from calculator.wizard import DEFAULT_ROLE, ROLES

KINDS = {"ПЕРЕОЦЕНЕНА": "above", "ВЫГОДНАЯ ЦЕНА": "below", "В РЫНКЕ": "within"}
HEADLINES = {
    ("owner", "within"): "Цена в рынке",
    ("owner", "above"): "Цена выше рынка",
    ("owner", "below"): "Цена ниже рынка",
    ("buyer", "within"): "Цена в рынке",
    ("buyer", "above"): "Цена завышена",
    ("buyer", "below"): "Цена ниже рынка",
}
# The colour of the verdict: for an owner any price off the market is a warning, for a buyer a
# price above it is bad and one below it good.
CSS = {
    ("owner", "above"): "warn",
    ("owner", "below"): "warn",
    ("buyer", "above"): "over",
    ("buyer", "below"): "good",
}
ADVICE = {
    ("owner", "within"): "Покупатели увидят в ней обычную цену для такой квартиры.",
    ("owner", "above"): "Квартира может продаваться дольше обычного или уйти с заметным торгом.",
    ("owner", "below"): "Возможно, вы продаёте дешевле, чем могли бы.",
    ("buyer", "within"): "Это обычная цена для такой квартиры: поторговаться можно, "
    "но большой скидки ждать не стоит.",
    ("buyer", "above"): "Есть повод торговаться: справедливая цена ниже.",
    ("buyer", "below"): "Выгодно, если с квартирой всё в порядке: узнайте, почему она дешевле "
    "других, и проверьте документы.",
}
NO_PRICE = {
    "owner": "Цену вы не указали, поэтому сравнивать не с чем — и это не страшно. Справедливая "
    "цена и диапазон ниже помогут выбрать цену для объявления.",
    "buyer": "Цена не указана, поэтому сравнивать не с чем. Справедливая цена и диапазон ниже "
    "помогут понять, сколько разумно предложить.",
}
# Warnings the answer itself already says, in the words of old and new results.
SAID_BY_THE_ANSWER = ("Цена объекта не указана — вердикт не рассчитан",)


@dataclass(frozen=True)
class Answer:
    role: str
    kind: str | None  # within / above / below; None without an asking price
    headline: str  # empty without a verdict
    sentences: list[str]
    css: str
    range_sentence: str
    range: tuple[float, float] | None = None
    confidence_caption: str = ""
    figures: list[dict] = field(default_factory=list)  # the finer figures, each with a caption


def role_of(value: object) -> str:
    return value if value in ROLES else DEFAULT_ROLE


def _asking(target: dict) -> float | None:
    price = to_number(target.get("price"))
    return price if price is not None and price > 0 else None


def _range(result: dict) -> tuple[float, float] | None:
    pair = result.get("range_80")
    if isinstance(pair, dict):
        low, high = to_number(pair.get("low")), to_number(pair.get("high"))
        return (low, high) if low is not None and high is not None else None
    return None


def _money_gap(a: float, b: float) -> str:
    return rub(round(abs(a - b), -3))


def _where(role: str, kind: str, asking: float, fair: float, limits, has_range: bool) -> str:
    """The sentence that says where the asking price stands and how far from what; `limits` are
    the prices the verdict calls "в рынке" (the range, or fair ± the threshold without one)."""
    subject = f"Ваша цена {rub(asking)}" if role == "owner" else f"Цена {rub(asking)}"
    off = percent(abs(asking - fair) / fair * 100)
    if kind == "within" and not has_range:
        near = percent((limits[1] / fair - 1) * 100, 0)
        return f"{subject} отличается от справедливой ({rub(fair)}) меньше чем на {near}."
    if kind == "within":
        gap = (
            f" От справедливой цены ({rub(fair)}) она отличается на {off} — это обычный разброс."
            if round(asking, -3) != round(fair, -3)
            else ""
        )
        return f"{subject} — в пределах, где справедливая цена бывает в 8 случаях из 10.{gap}"
    side = "выше" if kind == "above" else "ниже"
    text = f"{subject} на {_money_gap(asking, fair)} ({off}) {side} справедливой ({rub(fair)})"
    if has_range:
        edge = limits[1] if kind == "above" else limits[0]
        border = "верхней" if kind == "above" else "нижней"
        text += f" и на {_money_gap(asking, edge)} {side} {border} границы диапазона"
    return text + "."


def range_sentence(bounds: tuple[float, float] | None) -> str:
    if bounds is None:
        return (
            "Насколько справедливая цена может отличаться, оценить не удалось: "
            "для этого нужно больше аналогов."
        )
    low, high = rub(bounds[0]), rub(bounds[1])
    return f"В 8 случаях из 10 справедливая цена этой квартиры — от {low} до {high}."


def answer(result: dict, target: dict, role: object = None) -> Answer:
    """The verdict worded for `role`, the range in a sentence and the finer figures explained."""
    role = role_of(role)
    fair = to_number(result.get("fair_price_total")) or 0
    bounds, asking = _range(result), _asking(target)
    common = {"range_sentence": range_sentence(bounds), "range": bounds}
    common["confidence_caption"] = confidence_caption(bounds, fair)
    common["figures"] = figures(result)
    if asking is None or fair <= 0:
        return Answer(role, None, "", [NO_PRICE[role]], "fair", **common)
    params = params_from_settings()
    kind = KINDS[summary.verdict(asking, fair, _as_range(bounds), params)]
    limits = summary.verdict_bounds(fair, _as_range(bounds), params.verdict_threshold)
    sentences = [_where(role, kind, asking, fair, limits, bounds is not None), ADVICE[role, kind]]
    return Answer(
        role, kind, HEADLINES[role, kind], sentences, CSS.get((role, kind), "fair"), **common
    )


def _as_range(bounds: tuple[float, float] | None) -> dict | None:
    return None if bounds is None else {"low": bounds[0], "high": bounds[1]}


def confidence_caption(bounds: tuple[float, float] | None, fair: float) -> str:
    if bounds is None or fair <= 0:
        return "Диапазон не рассчитан — слишком мало аналогов, поэтому уверенность низкая."
    half = (bounds[1] - bounds[0]) / 2 / fair * 100
    return (
        f"Справедливая цена известна с точностью примерно ±{format_number(half, 0)} %: "
        "чем уже диапазон, тем увереннее оценка."
    )


def figures(result: dict) -> list[dict]:
    """The finer figures of the result (label, value, one-line caption), for those who want them."""
    found = []
    wide = result.get("range_95")
    if isinstance(wide, dict) and wide.get("low") is not None and wide.get("high") is not None:
        found.append(
            {
                "label": "Почти наверняка (в 19 случаях из 20)",
                "value": f"{rub(wide['low'])} — {rub(wide['high'])}",
                "caption": "Более широкий диапазон: справедливая цена выходит за него редко.",
            }
        )
    cv = to_number(result.get("adjusted_cv"))
    if cv is not None:
        found.append(
            {
                "label": "Разброс цен аналогов после поправок",
                "value": percent(cv),
                "caption": "Насколько цены аналогов за м² расходятся после поправок: до 10 % — "
                "аналоги хорошо согласуются, больше 30 % — они слишком разные.",
            }
        )
    loo = result.get("loo_mdape")
    if isinstance(loo, dict) and to_number(loo.get("percent")) is not None:
        found.append(
            {
                "label": "Проверка на самих аналогах",
                "value": f"±{percent(loo['percent'])}",
                "caption": "Если рассчитать цену каждого аналога по остальным, ошибка в среднем "
                "такая. Это говорит лишь о том, насколько аналоги похожи друг на друга; "
                "насколько может ошибаться оценка этой квартиры, показывает диапазон.",
            }
        )
    return found
