"""The ₽/м² chart drawn on the server as inline SVG."""

from __future__ import annotations

from calculator.chart import ChartRow, price_chart


def test_chart_escapes_labels_and_marks_fair_and_asking():
    svg = str(
        price_chart(
            [ChartRow("<b>1</b>", 500_000, 520_000), ChartRow("№2", 610_000, 590_000, weak=True)],
            asking=617_000,
            fair=560_000,
        )
    )
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "&lt;b&gt;1&lt;/b&gt;" in svg and "<b>1</b>" not in svg
    assert 'class="marker asking"' in svg and 'class="marker fair"' in svg
    assert 'class="row weak"' in svg
    assert str(price_chart([], asking=None, fair=None)) == ""
