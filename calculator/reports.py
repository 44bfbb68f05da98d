"""What the analysis page, the printable report, the share page and the Markdown file show.

All of them are built from one stored analysis (the result plus the inputs it was computed from),
so a report never mixes a result with inputs edited after it.
"""

from __future__ import annotations

import copy
from datetime import datetime

from django.utils import timezone

from calculator import answer as answers
from calculator.chart import ChartRow, price_chart
from calculator.cian.urls import safe_url
from calculator.formatting import (
    area,
    floor_label,
    format_number,
    listing_facts,
    rooms_label,
    rub,
    rub_sqm,
    signed_percent,
)
from calculator.numbers import price_per_sqm, to_number
from calculator.valuation.summary import plain_label
from calculator.valuation.validation import OUTLIER_REASON
from calculator.wizard import comparable_origin

METHOD_NOTES = [
    "Метод сравнительных продаж: каждый аналог приводится к оцениваемой квартире поправками "
    "(отделка, окна, лифты, вид, потолки, этаж, доля жилой площади, санузлы, размер).",
    "Аналоги взвешиваются по сходству (тот же дом, тот же ЖК) и по размеру поправок; "
    "справедливая цена — середина пересчитанных цен за м² с учётом весов (взвешенная медиана).",
    "Диапазон получен многократным пересчётом по случайным выборкам из тех же аналогов, "
    "с учётом неточности поправок и различий между домами.",
    "Это цены предложения, а не сделок: реальная цена продажи обычно ниже на несколько процентов.",
    "Коэффициенты поправок — экспертные значения по умолчанию, "
    "а не результат статистики по сделкам.",
    "Расчёт не заменяет отчёт оценщика для банка или суда.",
]


ORIGIN_LABELS = {"link": "ссылка", "search": "поиск ЦИАН", "file": "файл", "manual": "вручную"}


def source_label(comparable: dict) -> str:
    """Where the comparable came from, as "Источник: …" shows it; empty when not recorded."""
    return ORIGIN_LABELS.get(comparable_origin(comparable), "")


def _text(item: object) -> str:
    """A strength/weakness/warning given as a string or as a small dict."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        label = item.get("text") or item.get("label") or _title(str(item.get("name") or ""))
        pct = item.get("percent")
        if pct is None:
            return str(label)
        return f"{label}: {'+' if pct > 0 else ''}{format_number(pct, 1)} %"
    return str(item)


def _title(label: str) -> str:
    """An attribute's label starting a list item: "Доля жилой площади, %" → "Доля жилой площади"."""
    name = plain_label(label)
    return name[:1].upper() + name[1:]


def comparable_number(comparable_id: str) -> str:
    return comparable_id[1:] if comparable_id.startswith("c") else comparable_id


def _joined_rows(analysis: dict, items: list[dict]) -> list[dict]:
    """Result rows joined with the inputs they came from (address, area, price, link, source)."""
    inputs = {c["id"]: c for c in analysis["inputs"]["comparables"]}
    rows = []
    for item in items:
        source = inputs.get(str(item.get("id")), {})
        number = comparable_number(str(item.get("id")))
        rows.append({**source, **item, "number": number, "source_label": source_label(source)})
    return rows


# Units of the adjustment values that are numbers (the labels' ", %" and ", м²" go there).
FACTOR_UNITS = {"living_share": " %", "total_area": " м²", "ceiling_height": " м"}
# A coefficient closer to 1 than this is shown as no adjustment (it rounds to ×1,000).
NO_CHANGE = 0.0005


def _factor_value(value: object, key: object) -> str:
    if value is None:
        return "не указано"
    number = to_number(value) if not isinstance(value, str) else None
    shown = format_number(number, 2) if number is not None else str(value)
    return shown + FACTOR_UNITS.get(str(key), "")


def factor_text(factor: dict) -> str:
    """ "Ремонт: стандартная → улучшенная, +8 %": what differs and what the adjustment does."""
    coef = to_number(factor.get("coef")) or 1.0
    key = factor.get("key")
    was = _factor_value(factor.get("comparable"), key)
    now = _factor_value(factor.get("target"), key)
    name = _title(str(factor.get("name") or ""))
    return f"{name}: {was} → {now}, {signed_percent((coef - 1) * 100)}"


def _factors(row: dict) -> dict:
    """A row's adjustments that change its price, and the names of the others in one line."""
    factors = [f for f in row.get("factors") or [] if isinstance(f, dict)]
    changed = [f for f in factors if abs((to_number(f.get("coef")) or 1.0) - 1) >= NO_CHANGE]
    same = [plain_label(str(f.get("name") or "")) for f in factors if f not in changed]
    return {"changes": [factor_text(f) for f in changed], "unchanged": ", ".join(same)}


def comparable_rows(analysis: dict) -> list[dict]:
    rows = _joined_rows(analysis, analysis["result"].get("comparables", []))
    return [{**row, **_factors(row)} for row in rows]


def _plain_reason(entry: dict) -> dict:
    """An outlier says so in plain words, with how far its price is from the others, and may be
    taken back (older results said "выброс: … отличается от медианы аналогов на −15 %")."""
    reason = str(entry.get("reason") or "")
    outlier = entry.get("outlier") is True or reason.startswith("выброс")
    if outlier:
        reason = _outlier_reason(to_number(entry.get("off_percent")))
    return {**entry, "reason": reason, "outlier": outlier}


def _outlier_reason(off: float | None) -> str:
    if off is None or round(off) == 0:
        return OUTLIER_REASON
    side = "выше" if off > 0 else "ниже"
    return (
        f"цена за м² после поправок на {format_number(abs(off))} % {side}, чем у остальных, "
        "— возможно, ошибка в объявлении"
    )


def excluded_rows(analysis: dict) -> list[dict]:
    rows = _joined_rows(analysis, analysis["result"].get("excluded", []))
    return [_plain_reason(row) for row in rows]


def _scenarios(result: dict) -> list[dict]:
    scenarios = result.get("scenarios") or []
    if isinstance(scenarios, dict):
        scenarios = [{"name": name, **values} for name, values in scenarios.items()]
    return scenarios


def _chart(result: dict, target: dict, rows: list[dict], band: tuple | None):
    """The ₽/м² chart; the 80 % range drawn as a band in ₽/м² (the fair total's ratio)."""
    asking_sqm = target.get("price_per_sqm") or price_per_sqm(target)
    fair_sqm, fair_total = result.get("fair_price_per_sqm"), result.get("fair_price_total")
    band_sqm = None
    if band and fair_sqm and fair_total:
        band_sqm = (fair_sqm * band[0] / fair_total, fair_sqm * band[1] / fair_total)
    chart_rows = [
        ChartRow(
            f"№{row['number']}",
            row.get("price_per_sqm"),
            row.get("adjusted_price_per_sqm"),
            bool(row.get("weak")),
        )
        for row in rows
        if row.get("price_per_sqm") and row.get("adjusted_price_per_sqm")
    ]
    return price_chart(chart_rows, asking=asking_sqm, fair=fair_sqm, band=band_sqm)


def _warnings(result: dict) -> list[str]:
    found = [_text(x) for x in result.get("warnings") or []]
    return [w for w in found if w not in answers.SAID_BY_THE_ANSWER]


def report_context(analysis: dict, role: object = None) -> dict:
    """Everything the result pages show; `role` as the wizard or the share snapshot stored it."""
    result = analysis["result"]
    target = analysis["inputs"]["target"]
    rows = comparable_rows(analysis)
    answer = answers.answer(result, target, role if role is not None else analysis.get("role"))
    return {
        "analysis": analysis,
        "result": result,
        "target": target,
        "computed_at": datetime.fromisoformat(analysis["computed_at"]),
        "answer": answer,
        "caveats": [_text(x) for x in result.get("caveats") or []],
        "stats": result.get("market_statistics") or {},
        "rows": rows,
        "excluded": excluded_rows(analysis),
        "chart": _chart(result, target, rows, answer.range),
        "scenarios": _scenarios(result),
        "strengths": [_text(x) for x in result.get("strengths") or []],
        "weaknesses": [_text(x) for x in result.get("weaknesses") or []],
        "warnings": _warnings(result),
        "method_notes": METHOD_NOTES,
    }


def share_payload(analysis: dict, role: str) -> dict:
    """A deep copy (the snapshot must not change when the wizard does), with the role the answer
    was worded for."""
    return {**copy.deepcopy(analysis), "role": role}


# --- Markdown ---------------------------------------------------------------------------------


def _md(text: object) -> str:
    """User text inside Markdown: no table breaks, no raw HTML."""
    value = "—" if text in (None, "") else str(text)
    for char in ("\\", "|", "<", ">", "*", "_", "`", "[", "]"):
        value = value.replace(char, "\\" + char)
    return " ".join(value.split())


def markdown(analysis: dict, role: object = None) -> str:
    ctx = report_context(analysis, role)
    result, target = ctx["result"], ctx["target"]
    when = timezone.localtime(ctx["computed_at"]).strftime("%d.%m.%Y %H:%M")
    lines = [
        "# Оценка квартиры — Housler",
        "",
        f"Расчёт от {when}. Метод: {_md(result.get('method_version'))}.",
        "",
        "## Объект",
        "",
        f"- Адрес: {_md(target.get('address'))}",
        f"- Цена в объявлении: {rub(target.get('price'))}",
        f"- {area(target.get('total_area'))}, {rooms_label(target.get('rooms'))}, "
        f"этаж {floor_label(target.get('floor'), target.get('total_floors'))}",
    ]
    lines += [f"- {_md(fact)}" for fact in listing_facts(target, station=True)]
    link = safe_url(target.get("url"))  # may predate link checks
    if link:
        lines.append(f"- Объявление: {link}")
    lines += ["", "## Итог", ""]
    lines += _markdown_answer(ctx["answer"], result)
    lines += [f"- {_md(caveat)}" for caveat in ctx["caveats"]]
    lines += _markdown_tables(ctx)
    lines += ["", "## О методе и ограничениях", ""] + [f"- {note}" for note in METHOD_NOTES]
    return "\n".join(lines) + "\n"


def _markdown_answer(answer: answers.Answer, result: dict) -> list[str]:
    lines = [f"**{_md(answer.headline)}**", ""] if answer.headline else []
    lines += [_md(" ".join(answer.sentences)), ""]
    lines += [
        f"- Справедливая цена: **{rub(result.get('fair_price_total'))}** "
        f"({rub_sqm(result.get('fair_price_per_sqm'))})",
        f"- {_md(answer.range_sentence)}",
        f"- Уверенность: {_md(result.get('confidence'))}. {_md(answer.confidence_caption)}",
    ]
    lines += [
        f"- {_md(f['label'])}: {_md(f['value'])}. {_md(f['caption'])}" for f in answer.figures
    ]
    return lines


def _markdown_tables(ctx: dict) -> list[str]:
    stats = ctx["stats"]
    lines = ["", "## Рынок (₽/м²)", "", "| показатель | значение |", "|---|---|"]
    for key, label in (
        ("count", "аналогов"),
        ("min", "дешевле всего"),
        ("q1", "четверть аналогов дешевле"),
        ("median", "половина дешевле (медиана)"),
        ("q3", "три четверти дешевле"),
        ("max", "дороже всего"),
        ("mean", "в среднем"),
    ):
        if key in stats:
            lines.append(f"| {label} | {format_number(stats[key])} |")
    lines += [
        "",
        "## Аналоги и поправки",
        "",
        "| № | адрес | дом и метро | источник | площадь | цена | ₽/м² | с поправками | вес "
        "| поправки |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in ctx["rows"]:
        factors = "; ".join(row["changes"])
        weak = " (слабый аналог)" if row.get("weak") else ""
        lines.append(
            f"| {row['number']}{weak} | {_md(row.get('address'))} | "
            f"{_md('; '.join(listing_facts(row)))} | {_md(row['source_label'])} | "
            f"{area(row.get('total_area'))} | "
            f"{rub(row.get('price'))} | {format_number(row.get('price_per_sqm'))} | "
            f"{format_number(row.get('adjusted_price_per_sqm'))} | "
            f"{format_number((row.get('weight_share') or 0) * 100)} % | "
            f"{_md(factors) if factors else '—'} |"
        )
    if ctx["excluded"]:
        lines += ["", "Не вошли в расчёт:", ""]
        lines += [
            f"- №{r['number']}{' ' + _md(r['address']) if r.get('address') else ''}: "
            f"{_md(r.get('reason'))}"
            for r in ctx["excluded"]
        ]
    lines += _markdown_lists(ctx)
    return lines


def _markdown_lists(ctx: dict) -> list[str]:
    lines = ["", "## Сценарии продажи (ориентиры)", ""]
    for item in ctx["scenarios"]:
        lines.append(
            f"- {_md(item.get('name'))}: старт {rub(item.get('start_price'))}, "
            f"ожидаемо {rub(item.get('expected_price'))}, срок {_md(item.get('months'))} мес."
        )
    for title, items in (
        ("Сильные стороны", ctx["strengths"]),
        ("Слабые стороны", ctx["weaknesses"]),
        ("Предупреждения", ctx["warnings"]),
    ):
        if items:
            lines += ["", f"## {title}", ""] + [f"- {_md(item)}" for item in items]
    return lines
