"""Reading the rendered listing DOM by Cian's stable `data-name` / `data-testid` attributes.

This is the fallback when the embedded state is missing or lacks a field. Hashed CSS classes
(`xa15a2ab7--…`) change with every Cian release and are never used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from lxml import etree
from lxml import html as lxml_html

from calculator.numbers import clean_text

from . import limits, vocabulary
from .errors import PageTooComplex
from .figures import minutes_from_text

Pairs = list[tuple[str, str]]
Key = tuple[str, str]  # (attribute, value): ("data-name", "AddressItem"), or (TAG, "a")
TAG = "<tag>"  # as the attribute of a key: the element's tag name


# Characters XML text may not hold: lxml refuses to set them (e.g. when a tree is edited), so a
# page carrying them would fail later, far from here.
_NOT_XML_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def parse_document(html: str) -> lxml_html.HtmlElement | None:
    """The page's element tree, or None when it is no HTML at all.

    A page that is only a comment or a processing instruction gets a whole-document parse, so
    callers always receive an element they can search. PageTooComplex for more than
    `limits.MAX_TAGS` tags, before lxml builds them.
    """
    if html.count("<") > limits.MAX_TAGS:
        raise PageTooComplex(f"more than {limits.MAX_TAGS} tags")
    cleaned = _NOT_XML_TEXT.sub("", html)
    try:
        doc = lxml_html.fromstring(cleaned)
        if not isinstance(doc, lxml_html.HtmlElement):
            doc = lxml_html.document_fromstring(cleaned)
    except (ValueError, lxml_html.etree.ParserError):
        return None
    return doc


def outermost(root: lxml_html.HtmlElement, keys: Iterable[Key]) -> dict[Key, list]:
    """For each (attribute, value) key, the elements under `root` (itself included) that carry
    it and are not inside another element carrying it, in page order, at most
    `limits.MAX_LIST_ITEMS` of them; PageTooComplex past `limits.MAX_DEPTH` levels.

    One walk whatever the nesting: a search per key (`.//*[@data-name=…]`) finds a block nested
    250 deep 250 times, and reading the text of each match reads the same text 250 times.
    """
    found: dict[Key, list] = {key: [] for key in keys}
    attrs = {attr for attr, _ in found}
    open_: set[Key] = set()
    closes: dict[lxml_html.HtmlElement, list[Key]] = {}  # an open match → the keys it holds open
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        if event == "end":
            depth -= 1
            for key in closes.pop(element, ()):
                open_.discard(key)
            continue
        depth += 1
        if depth > limits.MAX_DEPTH:
            raise PageTooComplex(f"elements nested over {limits.MAX_DEPTH} deep")
        for attr in attrs:
            key = (attr, element.tag if attr == TAG else element.get(attr))
            if key[1] is None or key not in found or key in open_:
                continue
            open_.add(key)
            closes.setdefault(element, []).append(key)
            if len(found[key]) < limits.MAX_LIST_ITEMS:
                found[key].append(element)
    return found


def _raw_text(element: lxml_html.HtmlElement, field: str) -> str:
    """The element's text as on the page, reading at most `limits.MAX_RAW_TEXT` characters: past
    that it is cut for prose and PageTooComplex for anything else, without reading the rest."""
    pieces, size = [], 0
    for piece in element.itertext():
        size += len(piece)
        pieces.append(piece)
        if size > limits.MAX_RAW_TEXT:
            if field not in limits.CUT_FIELDS:
                raise PageTooComplex(f"{field} over {limits.MAX_RAW_TEXT} characters of text")
            break
    return "".join(pieces)


def starts_with(element: lxml_html.HtmlElement, prefix: str) -> bool:
    """Whether the element's cleaned text starts with `prefix`, reading only its beginning."""
    pieces, size = [], 0
    for piece in element.itertext():
        pieces.append(piece)
        size += len(piece)
        if size > 4 * len(prefix) + 256:  # room for the indentation of a pretty-printed page
            break
    return clean_text("".join(pieces)).startswith(prefix)


def text_of(element: lxml_html.HtmlElement | None, field: str = "label") -> str:
    """The element's text, cleaned, within the cap of `field` (`limits.field_text`)."""
    if element is None:
        return ""
    return limits.field_text(field, clean_text(_raw_text(element, field))) or ""


def _name(value: str) -> Key:
    return ("data-name", value)


FACTOID, FACT = _name("ObjectFactoidsItem"), _name("OfferFactItem")
SUMMARY_GROUP, SUMMARY_ITEM = _name("OfferSummaryInfoGroup"), _name("OfferSummaryInfoItem")
TITLE, ADDRESS, STATION = _name("OfferTitleNew"), _name("AddressItem"), _name("UndergroundItem")
DESCRIPTION, PRICE = _name("Description"), ("data-testid", "price-amount")
KEYS = (FACTOID, FACT, SUMMARY_GROUP, TITLE, ADDRESS, STATION, DESCRIPTION, PRICE)


class Page:
    """A listing's element tree with its `data-name` / `data-testid` blocks found in one walk."""

    def __init__(self, doc: lxml_html.HtmlElement) -> None:
        self.doc = doc
        self.blocks = outermost(doc, KEYS)

    def __getitem__(self, key: Key) -> list:
        return self.blocks[key]


def page_of(doc: lxml_html.HtmlElement | Page) -> Page:
    return doc if isinstance(doc, Page) else Page(doc)


def _pairs(items: Iterable[lxml_html.HtmlElement], cells: str, *, last_box: bool = False) -> Pairs:
    """(label, value) of each item: the texts of its first and last `cells` children (of its
    last child `div` when `last_box`), for items that have two of them."""
    pairs = []
    for item in items:
        box = item
        if last_box:
            boxes = item.xpath("./div")
            if not boxes:
                continue
            box = boxes[-1]
        found = box.xpath(cells)
        if len(found) >= 2:
            pairs.append((text_of(found[0]), text_of(found[-1])))
    return pairs


def factoids(doc: lxml_html.HtmlElement | Page) -> Pairs:
    """The icon tiles under the title ("Общая площадь" / "126,4 м²").

    Label and value are the spans of the item's last child `div`: on some pages the icon box
    holds an empty spinner span first, so "the first two spans" would shift by one.
    """
    return _pairs(page_of(doc)[FACTOID], "./span", last_box=True)


def summary_groups(doc: lxml_html.HtmlElement | Page) -> list[Pairs]:
    """ "О квартире" / "О доме" blocks: one list of (label, value) per group, in page order."""
    groups = page_of(doc)[SUMMARY_GROUP]
    return [_pairs(outermost(group, [SUMMARY_ITEM])[SUMMARY_ITEM], "./p") for group in groups]


def sidebar_facts(doc: lxml_html.HtmlElement | Page) -> Pairs:
    """The price box facts ("Цена за метр" / "617 089 ₽/м²", "Условия сделки" / …)."""
    return _pairs(page_of(doc)[FACT], "./span")


def labelled_values(doc: lxml_html.HtmlElement | Page) -> dict[str, str]:
    """Every label → value pair on the page, the first occurrence of a label winning."""
    page = page_of(doc)
    values: dict[str, str] = {}
    pairs = factoids(page) + [p for group in summary_groups(page) for p in group]
    for label, value in pairs + sidebar_facts(page):
        values.setdefault(label.lower(), value)
    return values


def price_text(doc: lxml_html.HtmlElement | Page) -> str:
    found = page_of(doc)[PRICE]
    return text_of(found[0], "figure") if found else ""


def title(doc: lxml_html.HtmlElement | Page) -> str:
    """The offer heading ("Продается 3-комн. квартира, 126,4 м²")."""
    page = page_of(doc)
    for container in page[TITLE]:
        heading = next(container.iterdescendants("h1"), None)
        return text_of(container if heading is None else heading, "title")
    return text_of(next(page.doc.iter("h1"), None), "title")


def jk_name(doc: lxml_html.HtmlElement | Page) -> str | None:
    for container in page_of(doc)[TITLE]:
        text = text_of(container, "title")
        if "ЖК «" in text:
            return text.split("ЖК «", 1)[1].split("»", 1)[0] or None
    return None


def address_parts(doc: lxml_html.HtmlElement | Page) -> list[str]:
    parts = (text_of(a, "address") for a in page_of(doc)[ADDRESS])
    return [t for t in parts if t]


# The only sign of walk or transport beside a station's minutes is an icon: a walker or a car,
# Cian's design-system pictures, told apart by the start of their outline. An unknown icon is
# an unknown way, never a guess.
_TRAVEL_ICONS = (("M8.67 4.471", "walk"), ("m14 7-.84-4.196", "transport"))


def _travel_type(time: lxml_html.HtmlElement) -> str | None:
    """walk / transport from the time's words ("пешком") or, lacking them, its icon."""
    said = vocabulary.travel_type(text_of(time))
    if said:
        return said
    for outline in time.xpath("(.//path)[position() <= 3]/@d"):
        for start, kind in _TRAVEL_ICONS:
            if str(outline).startswith(start):
                return kind
    return None


def metro(doc: lxml_html.HtmlElement | Page) -> list[dict]:
    """Stations with minutes and, from the time's icon, walk or transport."""
    stations = []
    for item in page_of(doc)[STATION][: limits.MAX_STATIONS]:
        links = item.xpath("./a")
        spans = item.xpath("./span")
        name = text_of(links[0], "station") if links else ""
        if name:
            minutes = minutes_from_text(text_of(spans[-1])) if spans else None
            travel = _travel_type(spans[-1]) if spans else None
            stations.append({"name": name, "minutes": minutes, "travel_type": travel})
    return stations


def description(doc: lxml_html.HtmlElement | Page) -> str | None:
    """The seller's text as written (line breaks kept), cut at its cap."""
    found = page_of(doc)[DESCRIPTION]
    text = _raw_text(found[0], "description").strip() if found else ""
    return limits.field_text("description", text) or None


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
