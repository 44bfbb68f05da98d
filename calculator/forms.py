"""The wizard's forms: Russian-typed numbers, input limits and messages.

Numbers are typed into text inputs (a browser's number input turns "54,5" into 545 silently) and
read by `calculator.numbers`: "54,5", "54.5", "9 500 000 ₽" (also with NBSP) mean what they say,
and a price may be typed in words too ("75 млн", "7,5 млн ₽").
Choices come from the valuation's coefficient tables, so every choice has an effect.
"""

from __future__ import annotations

from datetime import date

from django import forms

from calculator import cian
from calculator.cian.figures import MAX_METRO_MINUTES
from calculator.formatting import format_number
from calculator.numbers import clean_text, parse_amount, parse_decimal, price_per_sqm
from calculator.regions import region_of_address
from calculator.valuation.coefficients import (
    ELEVATOR_OPTIONS,
    REPAIR_OPTIONS,
    VIEW_OPTIONS,
    WINDOW_OPTIONS,
    choices,
)
from calculator.valuation.quality import ENOUGH_COMPARABLES
from calculator.wizard import ROLES, WizardState

ROOM_CHOICES = [("", "Выберите"), (0, "Студия"), (1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5+")]
UNKNOWN = "Не знаю"
HOUSE_TYPE_CHOICES = [
    ("", UNKNOWN),
    ("монолит", "Монолит"),
    ("кирпич", "Кирпич"),
    ("монолит-кирпич", "Монолит-кирпич"),
    ("панель", "Панель"),
    ("блочный", "Блочный"),
    ("дерево", "Дерево"),
]
METRO_WAY_CHOICES = [("", UNKNOWN), ("walk", "Пешком"), ("transport", "На транспорте")]
CATEGORY_CHOICES = [("", UNKNOWN), ("new", "Новостройка"), ("resale", "Вторичка")]
REPAIR_CHOICES = choices(REPAIR_OPTIONS)
WINDOW_CHOICES = choices(WINDOW_OPTIONS)
ELEVATOR_CHOICES = choices(ELEVATOR_OPTIONS)
VIEW_CHOICES = choices(VIEW_OPTIONS)
BATHROOM_CHOICES = [(1, "1"), (2, "2"), (3, "3"), (4, "4")]
DETAIL_DEFAULTS = {
    "repair_level": "стандартная",
    "ceiling_height": 2.7,
    "bathrooms": 1,
    "window_type": "пластиковые",
    "elevator_count": "один",
    "view_type": "улица",
    "living_area": None,
}

PRICE_MIN, PRICE_MAX = 100_000, 10_000_000_000
AREA_MIN, AREA_MAX = 10, 1000
MAX_FLOORS = 200


def number_input(mode: str, placeholder: str = "") -> forms.TextInput:
    attrs = {"inputmode": mode, "autocomplete": "off"}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.TextInput(attrs=attrs)


class NumberField(forms.Field):
    """A number typed as text, with limits and a Russian message naming them."""

    def __init__(
        self,
        *,
        minimum: float,
        maximum: float,
        unit: str = "",
        integer: bool = False,
        exclusive_min: bool = False,
        placeholder: str = "",
        amount: bool = False,
        **kwargs,
    ) -> None:
        self.minimum, self.maximum, self.unit = minimum, maximum, unit
        self.integer, self.exclusive_min, self.amount = integer, exclusive_min, amount
        kwargs.setdefault("widget", number_input("numeric" if integer else "decimal", placeholder))
        super().__init__(**kwargs)

    def _range_text(self) -> str:
        def fmt(x: float) -> str:
            return format_number(x, 2)

        unit = f" {self.unit}" if self.unit else ""
        if self.exclusive_min:
            return f"больше {fmt(self.minimum)} и не больше {fmt(self.maximum)}{unit}"
        return f"от {fmt(self.minimum)} до {fmt(self.maximum)}{unit}"

    def _typing_hint(self) -> str:
        if self.amount:
            return "Введите цену, например 9 500 000 или 9,5 млн"
        return "Введите целое число" if self.integer else "Введите число, например 54,5"

    def prepare_value(self, value: object) -> object:
        """A prefilled number reads the Russian way ("34,5", not "34.5"); typed text stays."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return format_number(value, 2)
        return value

    def to_python(self, value: object) -> int | float | None:
        if value in self.empty_values or not str(value).strip():
            return None
        try:
            number = parse_amount(str(value)) if self.amount else parse_decimal(str(value))
        except ValueError:
            raise forms.ValidationError(self._typing_hint(), code="invalid") from None
        if self.amount:
            number = number.to_integral_value()
        if self.integer and number != number.to_integral_value():
            raise forms.ValidationError("Введите целое число", code="invalid")
        too_small = number <= self.minimum if self.exclusive_min else number < self.minimum
        if too_small or number > self.maximum:
            raise forms.ValidationError(f"Допустимо значение {self._range_text()}", code="range")
        return int(number) if self.integer else float(number)


def price_field(label: str = "Цена, ₽", **kwargs) -> NumberField:
    return NumberField(
        label=label,
        minimum=PRICE_MIN,
        maximum=PRICE_MAX,
        unit="₽",
        integer=True,
        amount=True,
        placeholder="9,5 млн",
        **kwargs,
    )


def area_field(
    label: str, *, required: bool = True, minimum: float = AREA_MIN, placeholder: str = "54,5"
) -> NumberField:
    """An area in м²; the placeholder shows a typical value of *this* area, not the total's."""
    return NumberField(
        label=label,
        minimum=minimum,
        maximum=AREA_MAX,
        unit="м²",
        required=required,
        exclusive_min=minimum == 0,
        placeholder=placeholder,
    )


def rooms_field() -> forms.TypedChoiceField:
    """Starts at "Выберите": a silent "Студия" would value a two-room flat as a studio."""
    return forms.TypedChoiceField(
        label="Комнат",
        choices=ROOM_CHOICES,
        coerce=int,
        error_messages={"required": "Выберите, сколько в квартире комнат"},
    )


def floor_fields() -> tuple[NumberField, NumberField]:
    return (
        NumberField(label="Этаж", minimum=1, maximum=MAX_FLOORS, integer=True, required=False),
        NumberField(
            label="Этажей в доме", minimum=1, maximum=MAX_FLOORS, integer=True, required=False
        ),
    )


def check_floors(form: forms.Form, cleaned: dict) -> None:
    floor, total = cleaned.get("floor"), cleaned.get("total_floors")
    if floor and total and floor > total:
        form.add_error("floor", "Этаж не может быть больше этажности дома")


def check_areas(form: forms.Form, cleaned: dict, total_area: float | None) -> None:
    if not total_area:
        return
    living, kitchen = cleaned.get("living_area"), cleaned.get("kitchen_area")
    if living and living >= total_area:
        form.add_error("living_area", "Жилая площадь не может быть больше общей")
    if kitchen and kitchen >= total_area:
        form.add_error("kitchen_area", "Площадь кухни не может быть больше общей")
    fits = living and kitchen and living < total_area and kitchen < total_area
    if fits and living + kitchen > total_area:
        form.add_error("kitchen_area", "Жилая площадь и кухня вместе больше общей")


class YesNoUnknown(forms.NullBooleanSelect):
    """Да / Нет / Не знаю: an unchecked checkbox would silently claim "no"."""

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs)
        self.choices = [("unknown", UNKNOWN), ("true", "Да"), ("false", "Нет")]


class HouseFields(forms.Form):
    """The house and its place, all optional: what the valuation adjusts for when it knows it.

    Blank means unknown (None), never a default, so an unanswered question does not move the price.
    """

    house_type = forms.ChoiceField(label="Тип дома", choices=HOUSE_TYPE_CHOICES, required=False)
    build_year = NumberField(
        label="Год постройки / сдачи",
        minimum=1800,
        maximum=date.today().year + 6,
        integer=True,
        required=False,
        placeholder="2015",
    )
    category = forms.ChoiceField(label="Рынок", choices=CATEGORY_CHOICES, required=False)
    apartments = forms.NullBooleanField(label="Апартаменты", widget=YesNoUnknown, required=False)
    metro_minutes = NumberField(
        label="До метро, минут",
        minimum=0,
        maximum=MAX_METRO_MINUTES,
        unit="мин",
        integer=True,
        required=False,
        placeholder="10",
    )
    metro_way = forms.ChoiceField(
        label="До метро добираться", choices=METRO_WAY_CHOICES, required=False
    )

    def check_metro(self, cleaned: dict) -> None:
        typed_badly = "metro_minutes" in self.errors  # already told why
        if cleaned.get("metro_way") and cleaned.get("metro_minutes") is None and not typed_badly:
            self.add_error("metro_minutes", "Укажите, сколько минут до метро")

    @staticmethod
    def unknowns_as_none(data: dict) -> dict:
        """Blank choices ("Не знаю") stored as None, the listings' "unknown"."""
        for key in ("house_type", "category", "metro_way"):
            data[key] = data.get(key) or None
        return data


class AddressField(forms.CharField):
    def __init__(self, *, required: bool = True, **kwargs) -> None:
        super().__init__(
            label="Адрес",
            required=required,
            max_length=500,
            min_length=5 if required else None,
            widget=forms.TextInput(
                attrs={"placeholder": "Москва, ул. Ленина, 1", "autocomplete": "street-address"}
            ),
            **kwargs,
        )

    def to_python(self, value: object) -> str:
        return clean_text(super().to_python(value))


class DescribedErrors:
    """Ties each field's error text to its input (aria-describedby), as screen readers expect."""

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-describedby"] = f"{self[name].auto_id}_error"


# --- step 1 ----------------------------------------------------------------------------------


class ListingURLForm(DescribedErrors, forms.Form):
    """A Cian listing link, normalised; the view fetches it (`calculator.fetching`)."""

    url = forms.CharField(
        label="Ссылка на объявление",
        max_length=2000,
        widget=forms.TextInput(
            attrs={
                "placeholder": "https://www.cian.ru/sale/flat/123456789/",
                "inputmode": "url",
                "autocomplete": "url",
            }
        ),
    )

    def clean_url(self) -> str:
        try:
            return cian.normalize_listing_url(self.cleaned_data["url"].strip())
        except cian.CianError as exc:
            raise forms.ValidationError(exc.message) from None


class ManualTargetForm(DescribedErrors, HouseFields):
    """The flat typed by hand. The price is optional: an owner may come to learn it, and then
    gets the fair price without a verdict."""

    prefix = "manual"

    address = AddressField()
    price = price_field(required=False)
    total_area = area_field("Общая площадь, м²")
    rooms = rooms_field()
    floor, total_floors = floor_fields()
    living_area = area_field("Жилая площадь, м²", required=False, minimum=0, placeholder="32")
    kitchen_area = area_field("Площадь кухни, м²", required=False, minimum=0, placeholder="10")

    def clean(self) -> dict:
        cleaned = super().clean()
        check_floors(self, cleaned)
        check_areas(self, cleaned, cleaned.get("total_area"))
        self.check_metro(cleaned)
        return cleaned

    def listing(self) -> dict:
        data = self.unknowns_as_none(dict(self.cleaned_data))
        data["region_id"] = region_of_address(data["address"])
        per_sqm = price_per_sqm(data)
        data["price_per_sqm"] = round(per_sqm) if per_sqm else None
        return data

    @staticmethod
    def initial_from(target: dict | None) -> dict:
        keys = ManualTargetForm.base_fields
        return {k: v for k, v in (target or {}).items() if k in keys and v is not None}


class DetailsForm(DescribedErrors, forms.Form):
    """The pricing fields; prefilled from the listing, typical values otherwise."""

    prefix = "details"

    repair_level = forms.ChoiceField(label="Отделка / ремонт", choices=REPAIR_CHOICES)
    ceiling_height = NumberField(
        label="Высота потолков, м", minimum=2.0, maximum=5.0, unit="м", placeholder="2,7"
    )
    bathrooms = forms.TypedChoiceField(label="Санузлов", choices=BATHROOM_CHOICES, coerce=int)
    window_type = forms.ChoiceField(label="Окна", choices=WINDOW_CHOICES)
    elevator_count = forms.ChoiceField(label="Лифты", choices=ELEVATOR_CHOICES)
    view_type = forms.ChoiceField(label="Вид из окон", choices=VIEW_CHOICES)
    living_area = area_field("Жилая площадь, м²", required=False, minimum=0, placeholder="32")

    def __init__(self, *args, total_area: float | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.total_area = total_area

    def clean(self) -> dict:
        cleaned = super().clean()
        check_areas(self, cleaned, self.total_area)
        return cleaned

    @staticmethod
    def initial_from(target: dict) -> dict:
        initial = dict(DETAIL_DEFAULTS)
        for key in DETAIL_DEFAULTS:
            if target.get(key) is not None:
                initial[key] = target[key]
        if initial["bathrooms"] and initial["bathrooms"] > 4:
            initial["bathrooms"] = 4
        return initial


# --- step 2 ----------------------------------------------------------------------------------


class ComparableURLForm(ListingURLForm):
    """Same URL rules as step 1; duplicates and region are judged against the wizard state."""


class ComparableManualForm(DescribedErrors, HouseFields):
    prefix = "add_manual"

    price = price_field()
    total_area = area_field("Общая площадь, м²")
    rooms = rooms_field()
    floor, total_floors = floor_fields()
    address = AddressField(required=False)
    repair_level = forms.ChoiceField(
        label="Отделка / ремонт", choices=[("", "Не знаю"), *REPAIR_CHOICES], required=False
    )

    def clean(self) -> dict:
        cleaned = super().clean()
        check_floors(self, cleaned)
        self.check_metro(cleaned)
        return cleaned

    def listing(self) -> dict:
        data = self.unknowns_as_none(dict(self.cleaned_data))
        data["repair_level"] = data["repair_level"] or None
        data["address"] = data["address"] or None
        data["price_per_sqm"] = round(price_per_sqm(data))
        return data


class ComparableChoiceForm(DescribedErrors, forms.Form):
    """Exclude / include one comparable by its stable id."""

    comparable_id = forms.RegexField(regex=r"^c\d{1,6}$", max_length=8)


ROLE_LABELS = {"owner": "Продаю", "buyer": "Покупаю"}


class RoleForm(forms.Form):
    """Whom the answer speaks to: the owner selling the flat or a buyer looking at it."""

    role = forms.ChoiceField(
        label="Кому показать ответ",
        choices=[(role, ROLE_LABELS[role]) for role in ROLES],
        widget=forms.RadioSelect,
    )


def role_form(state: WizardState, data: object = None, posted: str | None = None) -> RoleForm:
    return RoleForm(_bound("role", posted, data), initial={"role": state.role})


class AnalyzeForm(DescribedErrors, forms.Form):
    """Going on to step 3; with fewer than five comparables the user confirms explicitly."""

    confirm_few = forms.BooleanField(
        label="Понимаю, что результат может быть неточным, — рассчитать", required=False
    )

    def __init__(self, *args, active_count: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.active_count = active_count

    @property
    def needs_confirmation(self) -> bool:
        return 0 < self.active_count < ENOUGH_COMPARABLES

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.active_count == 0:
            raise forms.ValidationError("Недостаточно аналогов для анализа: найдено 0")
        if self.needs_confirmation and not cleaned.get("confirm_few"):
            self.add_error(
                "confirm_few",
                f"Мало аналогов для анализа: {self.active_count}. "
                "Отметьте, что хотите продолжить, или добавьте ещё",
            )
        return cleaned


# --- forms of one page, with only the submitted one bound ------------------------------------


def _bound(action: str, posted: str | None, data: object) -> object:
    return data if posted == action else None


def object_forms(state: WizardState, data: object = None, posted: str | None = None) -> dict:
    """Step 1: link, manual entry and, once a flat is chosen, its pricing details."""
    target = state.target
    forms_ = {
        "url": ListingURLForm(_bound("url", posted, data)),
        "manual": ManualTargetForm(
            _bound("manual", posted, data), initial=ManualTargetForm.initial_from(target)
        ),
    }
    if target is not None:
        forms_["details"] = DetailsForm(
            _bound("details", posted, data),
            initial=DetailsForm.initial_from(target),
            total_area=target.get("total_area"),
        )
    return forms_


def comparable_forms(state: WizardState, data: object = None, posted: str | None = None) -> dict:
    """Step 2: search, add by link or by hand, exclude/include, go on to the analysis."""
    choice = _bound("exclude", posted, data) or _bound("include", posted, data)
    return {
        "find": forms.Form(_bound("find", posted, data)),
        "add_url": ComparableURLForm(_bound("add_url", posted, data)),
        "add_manual": ComparableManualForm(_bound("add_manual", posted, data)),
        "exclude": ComparableChoiceForm(choice),
        "include": ComparableChoiceForm(choice),
        "keep": ComparableChoiceForm(_bound("keep", posted, data)),
        "analyze": analyze_form(state, data, posted),
    }


def analyze_form(state: WizardState, data: object = None, posted: str | None = None) -> AnalyzeForm:
    return AnalyzeForm(_bound("analyze", posted, data), active_count=len(state.active_comparables))
