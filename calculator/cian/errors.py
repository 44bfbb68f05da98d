"""Typed failures of the Cian module.

Every error carries `.message`: one Russian sentence the wizard can show as is, so no caller ever
has to turn a raw network exception into user text.
"""

from __future__ import annotations


class CianError(Exception):
    """Base class: anything that stops us from getting a listing from Cian."""

    message = "Не удалось получить данные с ЦИАН. Попробуйте ещё раз или введите данные вручную"
    # True when Cian could not be reached: the page saved in the visitor's browser would do.
    saved_page_helps = False

    def __init__(self, detail: str = "", *, message: str | None = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(detail or self.message)
        self.detail = detail


class InvalidURL(CianError):
    message = (
        "Ссылка не распознана. Вставьте ссылку на объявление ЦИАН, "
        "например https://www.cian.ru/sale/flat/123456789/"
    )


class HostNotAllowed(CianError):
    message = "Загрузка с этого сайта не поддерживается"


class ParseError(CianError):
    message = "Не удалось разобрать страницу объявления. Введите данные вручную"


class PageTooComplex(ParseError):
    """A page past one of the parser's bounds (`limits`): too many tags, a field far longer than
    any real one, or more CPU time than a real page takes. Nothing of it is used."""


class NotAListing(ParseError):
    message = "Страница не похожа на объявление ЦИАН. Проверьте ссылку или введите данные вручную"


class ListingRemoved(CianError):
    message = "Объявление не найдено или снято с публикации"


# What to do when the server cannot get a page but the visitor's own browser can: no "try again".
SAVE_IT_YOURSELF = (
    "Откройте эту страницу ЦИАН у себя в браузере, сохраните её и загрузите файл "
    "— или введите данные вручную"
)


class Blocked(CianError):
    """Cian's anti-bot page, which answers most server traffic: offer the file way instead.
    A retry cannot help, so the sentence never suggests one."""

    message = f"ЦИАН не пускает наш сервер, повтор не поможет. {SAVE_IT_YOURSELF}"
    saved_page_helps = True


class Busy(CianError):
    """This worker already has its share of requests waiting on Cian (the bulkhead is full)."""

    message = (
        "ЦИАН сейчас отвечает медленно, попробуйте через минуту или загрузите сохранённые страницы"
    )
    saved_page_helps = True


class UploadsBusy(CianError):
    """This worker already reads its share of uploaded pages (the upload bulkhead is full)."""

    message = (
        "Сервер сейчас разбирает другие загруженные страницы. "
        "Загрузите файлы ещё раз через минуту или введите данные вручную"
    )


class FetchTimeout(CianError):
    message = f"ЦИАН не ответил вовремя. {SAVE_IT_YOURSELF}"
    saved_page_helps = True


class FetchFailed(CianError):
    """Connection refused, DNS, TLS, unexpected HTTP status: Cian could not be reached properly."""

    message = f"Не удалось связаться с ЦИАН. {SAVE_IT_YOURSELF}"
    saved_page_helps = True


class ResponseTooLarge(FetchFailed):
    message = "Страница ЦИАН оказалась слишком большой. Введите данные вручную"


class SavedPageError(CianError):
    """A page file the visitor uploaded could not be used; the sentence names the file."""

    template = (
        "Не удалось прочитать файл «{name}». Сохраните страницу объявления ЦИАН заново "
        "или введите данные вручную"
    )

    def __init__(self, filename: str, detail: str = "", **fields: object) -> None:
        self.filename = filename
        super().__init__(detail, message=self.template.format(name=filename, **fields))


class SavedPageTooComplex(SavedPageError):
    """A saved page past the parser's bounds: the plain "could not read the file" sentence."""


class SavedPageTooLarge(SavedPageError):
    """Over the per-file cap: `limit` names it ("8 МБ"); pictures are what make a page big."""

    template = (
        "Файл «{name}» слишком большой: мы принимаем файлы до {limit}. Сохраните страницу "
        "без картинок — в Chrome, Яндекс Браузере и Edge как «Веб-страница полностью», "
        "в Firefox как «Веб-страница, только HTML» — и загрузите только файл .html. "
        "Или введите данные вручную"
    )


class NotAWebPage(SavedPageError):
    template = (
        "Файл «{name}» — не сохранённая веб-страница. Откройте объявление на ЦИАН, сохраните "
        "страницу (как — в подсказке «Как сохранить страницу») и загрузите получившийся файл"
    )


class EmptySavedPage(NotAWebPage):
    template = (
        "Файл «{name}» пустой — страница не сохранилась. Сохраните её ещё раз "
        "или введите данные вручную"
    )


class SavedPagePdf(NotAWebPage):
    """A PDF of the page (iPhone's share sheet offers it first): no data to read in it."""

    template = (
        "Файл «{name}» — PDF, из него данные не прочитать. Сохраните страницу как веб-архив "
        "(на iPhone: «Поделиться» → «Параметры» → «Веб-архив») или введите данные вручную"
    )


class SavedPagePicture(NotAWebPage):
    """A screenshot or a photo of the page: no data to read in it."""

    template = (
        "Файл «{name}» — картинка, из неё данные не прочитать. Сохраните саму страницу "
        "(как — в подсказке «Как сохранить страницу») или введите данные вручную"
    )


class NotCianPage(SavedPageError):
    template = (
        "Файл «{name}» — страница другого сайта. Загрузите страницу объявления или поиска с cian.ru"
    )


class SavedPageNotListing(SavedPageError, NotAListing):
    template = (
        "Файл «{name}» — страница ЦИАН, но не объявление и не результаты поиска. "
        "Сохраните страницу самого объявления"
    )


class SavedPageBlocked(SavedPageError, Blocked):
    template = (
        "Файл «{name}» — страница проверки ЦИАН «Я не робот», а не объявление. "
        "Пройдите проверку в браузере, откройте объявление и сохраните его снова"
    )


class SavedListingRemoved(SavedPageError, ListingRemoved):
    template = (
        "В файле «{name}» объявление, снятое с публикации. "
        "Загрузите страницу действующего объявления"
    )


class SavedSearchPage(SavedPageError):
    template = (
        "Файл «{name}» — результаты поиска ЦИАН, а не объявление. Здесь нужна страница "
        "одного объявления; результаты поиска загрузите на шаге «Аналоги»"
    )
