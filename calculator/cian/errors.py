"""Typed failures of the Cian module.

Every error carries `.message`: one Russian sentence the wizard can show as is, so no caller ever
has to turn a raw network exception into user text.
"""

from __future__ import annotations


class CianError(Exception):
    """Base class: anything that stops us from getting a listing from Cian."""

    message = "Не удалось получить данные с ЦИАН. Попробуйте ещё раз или введите данные вручную"

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


class NotAListing(ParseError):
    message = "Страница не похожа на объявление ЦИАН. Проверьте ссылку или введите данные вручную"


class ListingRemoved(CianError):
    message = "Объявление не найдено или снято с публикации"


class Blocked(CianError):
    message = "ЦИАН временно ограничил доступ. Попробуйте позже или введите данные вручную"


class FetchTimeout(CianError):
    message = "ЦИАН не ответил вовремя. Попробуйте ещё раз или введите данные вручную"


class FetchFailed(CianError):
    """Connection refused, DNS, TLS, unexpected HTTP status: Cian could not be reached properly."""

    message = "Не удалось связаться с ЦИАН. Попробуйте ещё раз или введите данные вручную"


class ResponseTooLarge(FetchFailed):
    message = "Страница ЦИАН оказалась слишком большой. Введите данные вручную"
