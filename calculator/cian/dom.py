"""Reading the rendered listing DOM by Cian's stable `data-name` / `data-testid` attributes.

This is the fallback when the embedded state is missing or lacks a field. Hashed CSS classes
(`xa15a2ab7--…`) change with every Cian release and are never used.
"""

from __future__ import annotations

import json
import re

from lxml import html as lxml_html

from calculator.numbers import clean_text

from . import vocabulary
from .numbers import minutes_from_text

Pairs = list[tuple[str, str]]


# Characters XML text may not hold: lxml refuses to set them (e.g. when a tree is edited), so a
# page carrying them would fail later, far from here.
_NOT_XML_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def parse_document(html: str) -> lxml_html.HtmlElement | None:
    """The page's element tree, or None when it is no HTML at all.

    A page that is only a comment or a processing instruction gets a whole-document parse, so
    callers always receive an element they can search.
    """
    cleaned = _NOT_XML_TEXT.sub("", html)
    try:
        doc = lxml_html.fromstring(cleaned)
        if not isinstance(doc, lxml_html.HtmlElement):
            doc = lxml_html.document_fromstring(cleaned)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    return doc


def _text(element: lxml_html.HtmlElement | None) -> str:
    return clean_text(element.text_content()) if element is not None else ""


def _by_name(root: lxml_html.HtmlElement, name: str, attr: str = "data-name") -> list:
    return root.xpath(f'.//*[@{attr}="{name}"]')


def factoids(doc: lxml_html.HtmlElement) -> Pairs:
    """The icon tiles under the title ("Общая площадь" / "126,4 м²").

    Label and value are the spans of the item's last child `div`: on some pages the icon box
    holds an empty spinner span first, so "the first two spans" would shift by one.
    """
    pairs = []
    for item in _by_name(doc, "ObjectFactoidsItem"):
        boxes = item.xpath("./div")
        spans = boxes[-1].xpath("./span") if boxes else []
        if len(spans) >= 2:
            pairs.append((_text(spans[0]), _text(spans[-1])))
    return pairs


def summary_groups(doc: lxml_html.HtmlElement) -> list[Pairs]:
    """ "О квартире" / "О доме" blocks: one list of (label, value) per group, in page order."""
    groups = []
    for group in _by_name(doc, "OfferSummaryInfoGroup"):
        pairs = []
        for item in _by_name(group, "OfferSummaryInfoItem"):
            cells = item.xpath("./p")
            if len(cells) >= 2:
                pairs.append((_text(cells[0]), _text(cells[-1])))
        groups.append(pairs)
    return groups


def sidebar_facts(doc: lxml_html.HtmlElement) -> Pairs:
    """The price box facts ("Цена за метр" / "617 089 ₽/м²", "Условия сделки" / …)."""
    pairs = []
    for item in _by_name(doc, "OfferFactItem"):
        spans = item.xpath("./span")
        if len(spans) >= 2:
            pairs.append((_text(spans[0]), _text(spans[-1])))
    return pairs


def labelled_values(doc: lxml_html.HtmlElement) -> dict[str, str]:
    """Every label → value pair on the page, the first occurrence of a label winning."""
    values: dict[str, str] = {}
    pairs = factoids(doc) + [p for group in summary_groups(doc) for p in group]
    for label, value in pairs + sidebar_facts(doc):
        values.setdefault(label.lower(), value)
    return values


def price_text(doc: lxml_html.HtmlElement) -> str:
    found = _by_name(doc, "price-amount", "data-testid")
    return _text(found[0]) if found else ""


def title(doc: lxml_html.HtmlElement) -> str:
    """The offer heading ("Продается 3-комн. квартира, 126,4 м²")."""
    for container in _by_name(doc, "OfferTitleNew"):
        heading = container.xpath(".//h1")
        return _text(heading[0] if heading else container)
    headings = doc.xpath("//h1")
    return _text(headings[0]) if headings else ""


def jk_name(doc: lxml_html.HtmlElement) -> str | None:
    for container in _by_name(doc, "OfferTitleNew"):
        text = _text(container)
        if "ЖК «" in text:
            return text.split("ЖК «", 1)[1].split("»", 1)[0] or None
    return None


def address_parts(doc: lxml_html.HtmlElement) -> list[str]:
    return [t for t in (_text(a) for a in _by_name(doc, "AddressItem")) if t]


# The only sign of walk or transport beside a station's minutes is an icon: a walker or a car,
# Cian's design-system pictures, told apart by the start of their outline. An unknown icon is
# an unknown way, never a guess.
_TRAVEL_ICONS = (("M8.67 4.471", "walk"), ("m14 7-.84-4.196", "transport"))


def _travel_type(time: lxml_html.HtmlElement) -> str | None:
    """walk / transport from the time's words ("пешком") or, lacking them, its icon."""
    said = vocabulary.travel_type(_text(time))
    if said:
        return said
    for outline in time.xpath("(.//path)[position() <= 3]/@d"):
        for start, kind in _TRAVEL_ICONS:
            if str(outline).startswith(start):
                return kind
    return None


def metro(doc: lxml_html.HtmlElement) -> list[dict]:
    """Stations with minutes and, from the time's icon, walk or transport."""
    stations = []
    for item in _by_name(doc, "UndergroundItem"):
        links = item.xpath("./a")
        spans = item.xpath("./span")
        name = _text(links[0]) if links else ""
        if name:
            minutes = minutes_from_text(_text(spans[-1])) if spans else None
            travel = _travel_type(spans[-1]) if spans else None
            stations.append({"name": name, "minutes": minutes, "travel_type": travel})
    return stations


def description(doc: lxml_html.HtmlElement) -> str | None:
    found = _by_name(doc, "Description")
    text = found[0].text_content().strip() if found else ""
    return text or None


def json_ld(doc: lxml_html.HtmlElement) -> dict:
    """The schema.org Product block (name, offers.price, image[], description, sku), or {}."""
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        if isinstance(data, dict) and data.get("@type") == "Product":
            return data
    return {}


def page_urls(doc: lxml_html.HtmlElement) -> list[str]:
    """The addresses a page gives for itself (canonical link, `og:url`), in page order: the only
    place a page saved without its scripts (Chromium's MHTML) still names its offer."""
    found = doc.xpath('//link[@rel="canonical"]/@href | //meta[@property="og:url"]/@content')
    return [str(url).strip() for url in found if str(url).strip()]


def og_images(doc: lxml_html.HtmlElement) -> list[str]:
    """The `og:image` photos: what is left of the gallery when the JSON-LD script is not saved."""
    return [str(u).strip() for u in doc.xpath('//meta[@property="og:image"]/@content') if u.strip()]


def canonical_url(doc: lxml_html.HtmlElement) -> str | None:
    urls = page_urls(doc)
    return urls[0] if urls else None
