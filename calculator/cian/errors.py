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


class Blocked(CianError):
    """Cian's anti-bot page: since 2026-09 it answers most server traffic, so offer the file way."""

    message = (
        "ЦИАН не пускает наш сервер. Откройте страницу ЦИАН в своём браузере, "
        "сохраните её (Ctrl+S) и загрузите файл — или введите данные вручную"
    )
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
    message = "ЦИАН не ответил вовремя. Попробуйте ещё раз или введите данные вручную"
    saved_page_helps = True


class FetchFailed(CianError):
    """Connection refused, DNS, TLS, unexpected HTTP status: Cian could not be reached properly."""

    message = "Не удалось связаться с ЦИАН. Попробуйте ещё раз или введите данные вручную"
    saved_page_helps = True


class ResponseTooLarge(FetchFailed):
    message = "Страница ЦИАН оказалась слишком большой. Введите данные вручную"


class SavedPageError(CianError):
    """A page file the visitor uploaded could not be used; the sentence names the file."""

    template = (
        "Не удалось прочитать файл «{name}». Сохраните страницу объявления ЦИАН заново "
        "или введите данные вручную"
    )

    def __init__(self, filename: str, detail: str = "") -> None:
        self.filename = filename
        super().__init__(detail, message=self.template.format(name=filename))


class SavedPageTooComplex(SavedPageError):
    """A saved page past the parser's bounds: the plain "could not read the file" sentence."""


class SavedPageTooLarge(SavedPageError):
    template = (
        "Файл «{name}» слишком большой. Сохраните страницу как «Веб-страница полностью» "
        "(в Firefox — «Веб-страница, только HTML») и загрузите только файл .html"
    )


class NotAWebPage(SavedPageError):
    template = (
        "Файл «{name}» — не сохранённая веб-страница. Откройте объявление на ЦИАН, "
        "нажмите Ctrl+S и загрузите получившийся файл"
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
