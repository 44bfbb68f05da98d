"""Saved Cian pages uploaded in the wizard: the two upload forms and reading each file.

Cian turns our server away, so a visitor saves pages in their own browser and uploads them
(docs/listings.md, "Saved pages"). Each file is read up to the saved-page limit plus one byte, so
an oversized file is recognised without reading it whole. Each bad file gets its own sentence
naming it (the decoder's `SavedPageError`), and the good files of the same upload still count.
Files are read inside one of the worker's upload slots (`cian.upload_slot`): when every slot is
taken the form says so at once and nothing is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest

from calculator import cian
from calculator.cian.errors import NotAWebPage, SavedSearchPage
from calculator.cian.saved_page import display_name, size_text
from calculator.conf import conf

# What browsers write for "Веб-страница" (HTML), "один файл" (MHTML) and Safari's "Веб-архив".
ACCEPT = ".html,.htm,.mhtml,.mht,.webarchive,text/html,multipart/related,application/x-webarchive"
NAMES_SHOWN = 5


class UploadTooBig(RequestDataTooBig):
    """A request to an upload form whose body is over HOUSLER_MAX_UPLOAD_BYTES."""


class PageFilesInput(forms.FileInput):
    """A file input offering the page formats, one file or several at once (`multiple`)."""

    def __init__(self, *, multiple: bool) -> None:
        self.allow_multiple_selected = multiple  # Django renders `multiple` and reads a list
        super().__init__(attrs={"accept": ACCEPT})


class PageFilesField(forms.Field):
    """The uploaded files as a list; their content is judged file by file, not here."""

    def __init__(self, *, multiple: bool, **kwargs) -> None:
        kwargs.setdefault("widget", PageFilesInput(multiple=multiple))
        super().__init__(**kwargs)

    def to_python(self, data: object) -> list[UploadedFile]:
        items = data if isinstance(data, list) else [data]
        return [item for item in items if isinstance(item, UploadedFile)]


def max_files() -> int:
    return int(conf.HOUSLER_SAVED_PAGE_MAX_FILES)


def max_mb() -> int:
    """The body cap of an upload (housler/middleware.py), in whole megabytes for a sentence."""
    return int(conf.HOUSLER_MAX_UPLOAD_BYTES) // (1024 * 1024)


def file_limit_text() -> str:
    """The per-file cap for a sentence: "8 МБ"."""
    return size_text(int(conf.HOUSLER_SAVED_PAGE_MAX_BYTES))


def read_page(uploaded: UploadedFile) -> cian.SavedPage:
    """One uploaded file as a saved page; raises cian.SavedPageError naming the file."""
    limit = conf.HOUSLER_SAVED_PAGE_MAX_BYTES
    try:
        uploaded.seek(0)
        data = uploaded.read(limit + 1)
    except OSError as exc:
        raise NotAWebPage(display_name(uploaded.name), f"unreadable upload: {exc}") from exc
    return cian.read_saved_page(data, uploaded.name or "")


def _names(files: list[UploadedFile]) -> str:
    names = ", ".join(f"«{display_name(f.name)}»" for f in files[:NAMES_SHOWN])
    more = len(files) - NAMES_SHOWN
    return f"{names} и ещё {more}" if more > 0 else names


def too_many_files(left_out: list[UploadedFile]) -> str:
    cap = max_files()
    return (
        f"За один раз можно загрузить не больше {cap} файлов: взяты первые {cap}. "
        f"Не загружены: {_names(left_out)} — загрузите их следующим разом"
    )


@dataclass
class UploadedPages:
    pages: list[cian.SavedPage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # one sentence per bad file or cap


class SavedPageForm(forms.Form):
    """Step 1: one saved listing page becomes the flat being valued."""

    page = PageFilesField(
        multiple=False,
        label="Файл сохранённой страницы объявления",
        error_messages={"required": "Выберите файл сохранённой страницы объявления"},
    )

    def read(self) -> dict | None:
        """The listing, or None with the reason (naming the file) attached to `page`."""
        uploaded = self.cleaned_data["page"][0]
        try:
            with cian.upload_slot():
                page = read_page(uploaded)
        except (cian.SavedPageError, cian.UploadsBusy) as exc:
            self.add_error("page", exc.message)
            return None
        if page.kind != "listing":
            self.add_error("page", SavedSearchPage(page.filename).message)
            return None
        return page.listing


class SavedPagesForm(forms.Form):
    """Step 2: saved listing pages and search results pages, several at once."""

    pages = PageFilesField(
        multiple=True,
        label="Файлы сохранённых страниц ЦИАН",
        error_messages={"required": "Выберите файлы сохранённых страниц ЦИАН"},
    )

    def read(self) -> UploadedPages | None:
        """The first `max_files()` files, read one by one; the rest are named in a problem.

        None, with the reason attached to the form, when the worker has no upload slot free."""
        try:
            with cian.upload_slot():
                return self._read_files(self.cleaned_data["pages"])
        except cian.UploadsBusy as exc:
            self.add_error("pages", exc.message)
            return None

    @staticmethod
    def _read_files(files: list[UploadedFile]) -> UploadedPages:
        taken, left_out = files[: max_files()], files[max_files() :]
        result = UploadedPages()
        for uploaded in taken:
            try:
                result.pages.append(read_page(uploaded))
            except cian.SavedPageError as exc:
                result.problems.append(exc.message)
        if left_out:
            result.problems.append(too_many_files(left_out))
        return result


FORMS: dict[str, type[forms.Form]] = {"upload": SavedPageForm, "add_pages": SavedPagesForm}


def upload_form(action: str, request: HttpRequest, posted: str | None) -> forms.Form:
    """The upload form of `action`, bound to the request only when it was the one submitted."""
    form_class = FORMS[action]
    return form_class(request.POST, request.FILES) if posted == action else form_class()
