"""What the analysis page, the printable report, the share page and the Markdown file show.

All of them are built from one stored analysis (the result plus the inputs it was computed from),
so a report never mixes a result with inputs edited after it.
"""

from __future__ import annotations

import copy
from datetime import datetime

from django.utils import timezone

from calculator import comparables as comparable_rules
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
)
from calculator.valuation import price_per_sqm
from calculator.valuation.quality import quality
from calculator.wizard import WizardState, comparable_origin

VERDICT_CSS = {"ПЕРЕОЦЕНЕНА": "over", "ВЫГОДНАЯ ЦЕНА": "good", "В РЫНКЕ": "fair"}
# In place of a verdict when the flat has no price (an owner came to learn it): said kindly.
NO_PRICE = (
    "Цена квартиры не указана, поэтому сравнивать не с чем и вердикта нет. "
    "Справедливая цена — ниже: от неё можно отталкиваться, назначая цену"
)
METHOD_NOTES = [
    "Метод сравнительных продаж: каждый аналог приводится к оцениваемой квартире поправками "
    "(отделка, окна, лифты, вид, потолки, этаж, доля жилой площади, санузлы, размер).",
    "Аналоги взвешиваются по сходству (тот же дом, тот же ЖК) и по размеру поправок; "
    "справедливая цена — взвешенная медиана скорректированных цен за м².",
    "Диапазоны получены бутстрепом с учётом неточности таблиц поправок и различий между домами.",
    "Это цены предложения, а не сделок: реальная цена продажи обычно ниже на несколько процентов.",
    "Коэффициенты поправок — экспертные значения по умолчанию, "
    "а не результат статистики по сделкам.",
    "Расчёт не заменяет отчёт оценщика для банка или суда.",
]


ORIGIN_LABELS = {"link": "ссылка", "search": "поиск ЦИАН", "file": "файл", "manual": "вручную"}


def source_label(comparable: dict) -> str:
    """Where the comparable came from, as "Источник: …" shows it; empty when not recorded."""
    return ORIGIN_LABELS.get(comparable_origin(comparable), "")


def _pair(value: object) -> tuple[float, float] | None:
    """A range given as [low, high] or {"low": .., "high": ..}."""
    if isinstance(value, dict):
        low, high = value.get("low"), value.get("high")
    elif isinstance(value, list | tuple) and len(value) == 2:
        low, high = value
    else:
        return None
    return (low, high) if low is not None and high is not None else None


def _text(item: object) -> str:
    """A strength/weakness/warning given as a string or as a small dict."""
    if isinstance(item, str):
        return item
    if isinstance(item, dict):
        label = item.get("text") or item.get("label") or item.get("name") or ""
        pct = item.get("percent")
        if pct is None:
            return str(label)
        return f"{label}: {'+' if pct > 0 else ''}{format_number(pct, 1)} %"
    return str(item)


def _number(comparable_id: str) -> str:
    return comparable_id[1:] if comparable_id.startswith("c") else comparable_id


def _joined_rows(analysis: dict, items: list[dict]) -> list[dict]:
    """Result rows joined with the inputs they came from (address, area, price, link, source)."""
    inputs = {c["id"]: c for c in analysis["inputs"]["comparables"]}
    rows = []
    for item in items:
        source = inputs.get(str(item.get("id")), {})
        number = _number(str(item.get("id")))
        rows.append({**source, **item, "number": number, "source_label": source_label(source)})
    return rows


def comparable_rows(analysis: dict) -> list[dict]:
    return _joined_rows(analysis, analysis["result"].get("comparables", []))


def excluded_rows(analysis: dict) -> list[dict]:
    return _joined_rows(analysis, analysis["result"].get("excluded", []))


def _scenarios(result: dict) -> list[dict]:
    scenarios = result.get("scenarios") or []
    if isinstance(scenarios, dict):
        scenarios = [{"name": name, **values} for name, values in scenarios.items()]
    return scenarios


def report_context(analysis: dict) -> dict:
    result = analysis["result"]
    target = analysis["inputs"]["target"]
    rows = comparable_rows(analysis)
    asking_sqm = target.get("price_per_sqm") or price_per_sqm(target)
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
    verdict = result.get("verdict") or ""
    return {
        "analysis": analysis,
        "result": result,
        "target": target,
        "computed_at": datetime.fromisoformat(analysis["computed_at"]),
        "verdict": verdict,
        "verdict_css": VERDICT_CSS.get(verdict, "fair"),
        "no_price": NO_PRICE if result.get("diff_percent") is None else "",
        "range_80": _pair(result.get("range_80")),
        "range_95": _pair(result.get("range_95")),
        "stats": result.get("market_statistics") or {},
        "rows": rows,
        "excluded": excluded_rows(analysis),
        "chart": price_chart(chart_rows, asking=asking_sqm, fair=result.get("fair_price_per_sqm")),
        "scenarios": _scenarios(result),
        "strengths": [_text(x) for x in result.get("strengths") or []],
        "weaknesses": [_text(x) for x in result.get("weaknesses") or []],
        "warnings": [_text(x) for x in result.get("warnings") or []],
        "method_notes": METHOD_NOTES,
    }


def comparables_context(state: WizardState) -> dict:
    """Step 2: the list with ₽/м², the quality label, warnings and the last search summary."""
    active = state.active_comparables
    rows = [
        {
            **c,
            "number": _number(c["id"]),
            "ppsqm": price_per_sqm(c),
            "source_label": source_label(c),
        }
        for c in state.comparables
    ]
    return {
        "rows": rows,
        "active_count": len(active),
        "quality": quality(len(active), comparable_rules.price_spread(active)),
        "list_warnings": comparable_rules.warnings(active),
        "search": state.search,
        "search_deadline": comparable_rules.search_deadline(),
    }


def share_payload(analysis: dict) -> dict:
    """A deep copy: the snapshot must not change when the wizard does."""
    return copy.deepcopy(analysis)


# --- Markdown ---------------------------------------------------------------------------------


def _md(text: object) -> str:
    """User text inside Markdown: no table breaks, no raw HTML."""
    value = "—" if text in (None, "") else str(text)
    for char in ("\\", "|", "<", ">", "*", "_", "`", "[", "]"):
        value = value.replace(char, "\\" + char)
    return " ".join(value.split())


def markdown(analysis: dict) -> str:
    ctx = report_context(analysis)
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
    lines += [
        "",
        "## Итог",
        "",
        f"**{_md(ctx['verdict'])}**" if ctx["verdict"] else ctx["no_price"],
    ]
    diff = result.get("diff_percent")
    if diff:
        side = "выше" if diff > 0 else "ниже"
        lines += ["", f"Цена объявления {side} справедливой на {format_number(abs(diff), 1)} %."]
    lines += [
        "",
        f"- Справедливая цена: **{rub(result.get('fair_price_total'))}** "
        f"({rub_sqm(result.get('fair_price_per_sqm'))})",
    ]
    for label, pair in (("80 %", ctx["range_80"]), ("95 %", ctx["range_95"])):
        text = f"{rub(pair[0])} — {rub(pair[1])}" if pair else "недостаточно данных"
        lines.append(f"- Диапазон {label}: {text}")
    lines.append(f"- Уверенность: {_md(result.get('confidence'))}")
    lines += _markdown_tables(ctx)
    lines += ["", "## О методе и ограничениях", ""] + [f"- {note}" for note in METHOD_NOTES]
    return "\n".join(lines) + "\n"


def _markdown_tables(ctx: dict) -> list[str]:
    stats = ctx["stats"]
    lines = ["", "## Рынок (₽/м²)", "", "| показатель | значение |", "|---|---|"]
    for key, label in (
        ("count", "аналогов"),
        ("min", "минимум"),
        ("q1", "25 %"),
        ("median", "медиана"),
        ("q3", "75 %"),
        ("max", "максимум"),
        ("mean", "среднее"),
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
        factors = "; ".join(
            f"{f.get('name')} ×{format_number(f.get('coef'), 3)}" for f in row["factors"]
        )
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
            f"- №{r['number']} {_md(r.get('address'))}: {_md(r.get('reason'))}"
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
