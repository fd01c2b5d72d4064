"""The language of everything a person reads: which one, and the words in it.

Messages are written in English in the code (gettext's msgids) and said in Vietnamese through
the catalog kpi/locale/vi/LC_MESSAGES/kpi.po, compiled to kpi.mo and read with the standard
library's gettext: no dependency at run time for the words. Babel extracts the msgids and
compiles the catalog (see the README's Development section); tests/test_i18n.py fails when a
msgid the code uses has no translation. Numbers and dates follow the language's notation in
kpi/display.py.

The language is a context variable, set once by the command line (or by a renderer called
directly), so the core never needs it: the loader and the assessment speak in Message values
that remember their template and arguments, and the output layer says them in the language.
"""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "kpi"

_current: ContextVar[Lang] = ContextVar("kpi_language", default="en")


class LanguageError(ValueError):
    """A language name kpi does not speak; the message says where it came from."""


def set_language(lang: str) -> None:
    _current.set("vi" if lang == "vi" else "en")
    _speak_click(_current.get())


# Click's own words (usage errors: "Error:", "Invalid value for", "Usage:") come from the
# stdlib gettext, bound at import in each Click module. They are said in the user's language
# from kpi/locale/vi/LC_MESSAGES/click.mo; --help texts are looked up in kpi.po (cli.KpiCommand).
_CLICK_MODULES = ("core", "exceptions", "parser", "types", "formatting", "decorators")


def _speak_click(lang: Lang) -> None:
    import sys

    if "click" not in sys.modules:
        return
    catalog = _click_catalog(lang)
    for name in _CLICK_MODULES:
        module = sys.modules.get(f"click.{name}")
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = catalog.gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = catalog.ngettext  # type: ignore[attr-defined]


@cache
def _click_catalog(lang: Lang) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation("click", localedir=LOCALE_DIR, languages=[lang])


def click_gettext(text: str) -> str:
    """One of Click's own texts (the --help option's help) in the language in effect."""
    return _click_catalog(_current.get()).gettext(text)


def language() -> Lang:
    return _current.get()


@cache
def _catalog(lang: Lang) -> gettext.NullTranslations:
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang])


def notation(lang: str) -> str:
    """The compiled catalog's "@notation" entry: GROUP, DECIMAL and a strftime date format."""
    return _catalog("vi" if lang == "vi" else "en").gettext("@notation")


def _(msgid: str) -> str:
    """msgid in the current language."""
    return _catalog(_current.get()).gettext(msgid)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalog(_current.get()).ngettext(singular, plural, n)


def N_(msgid: str) -> str:
    """Marks a msgid for extraction where it is translated later (tables of labels)."""
    return msgid


class Num(float):
    """A number in a message, written in the notation of the language the message is said in:
    "{value:,.1f}" gives 2,067,389.5 in English and 2.067.389,5 in Vietnamese."""

    def __format__(self, spec: str) -> str:
        from kpi.display import localize

        if spec == "n":  # a figure as people read it: grouped, at most two decimals
            if abs(self) >= 1e15:
                return localize(float.__format__(self, ".4g"))
            text = float.__format__(self, ",.2f").rstrip("0").rstrip(".")
            return localize("0" if text == "-0" else text)
        if spec in ("", "g") and (not self or 1e-4 <= abs(self) < 1e15):
            # Python's "g" turns 2067389 into 2.06739e+06: six significant digits here, but
            # never an exponent and never fewer than the whole part, grouped.
            import math

            whole = math.floor(math.log10(abs(self))) + 1 if self else 1
            text = float.__format__(self, f",.{max(0, 6 - whole)}f")
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return localize("0" if text == "-0" else text)
        return localize(float.__format__(self, spec or "g"))


class Int(int):
    """A whole number in a message ("{count:,}"), in the language's notation."""

    def __format__(self, spec: str) -> str:
        from kpi.display import localize

        if spec in ("n", "g"):
            return Num(self).__format__(spec)
        return localize(int.__format__(self, spec))


class Day(str):
    """A date in a message: ISO in English (2024-07-29), day first in Vietnamese (29/07/2024)."""

    def __new__(cls, day: date) -> Day:
        self = super().__new__(cls, day.isoformat())
        self.day = day
        return self

    day: date

    def __format__(self, spec: str) -> str:
        d = self.day  # not strftime: %Y writes year 1 as "1", not "0001"
        return f"{d.day:02d}/{d.month:02d}/{d.year:04d}" if language() == "vi" else d.isoformat()


def _numbers(args: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: Num(v) if type(v) is float else Int(v) if type(v) is int else Day(v) if type(v) is date else v
        for k, v in args.items()
    }


class Message(str):
    """English text that remembers its template and arguments, so the output layer can say it
    in the user's language. It is a str: code and tests that read the English keep working."""

    template: str
    args: Mapping[str, Any]

    def __new__(cls, template: str, **args: Any) -> Message:
        args = _numbers(args)
        english = _current.set("en")
        try:
            text = template.format(**args) if args else template
        finally:
            _current.reset(english)
        self = super().__new__(cls, text)
        self.template = template
        self.args = args
        return self


class Term(Message):
    """An identifier in English text (a status id such as on_track) that is said as its word in
    another language ("Đúng tiến độ")."""

    def __new__(cls, ident: str, word: str) -> Term:
        self = str.__new__(cls, ident)
        self.template = word
        self.args = {}
        return self


def term(ident: str, word: str) -> Term:
    return Term(ident, word)


def msg(template: str, **args: Any) -> Message:
    """A message for the output layer to translate: msg('value {v} is too big', v=3)."""
    return Message(template, **args)


def tr(text: str) -> str:
    """A Message in the current language; any other text as it is."""
    if isinstance(text, Message):
        if language() == "en":
            return str(text)
        args = {k: tr(v) if isinstance(v, Message) else v for k, v in text.args.items()}
        return _(text.template).format(**args) if args else _(text.template)
    return text


def spoken(text: str) -> str:
    """A Message for a person to read: as tr(), and in English too a status id it names (a
    Term, on_track) said as its word ("on track"), as JSON keeps the id."""
    if language() != "en" or not isinstance(text, Message):
        return tr(text)
    if isinstance(text, Term):
        return text.template
    args = {k: spoken(v) if isinstance(v, Message) else v for k, v in text.args.items()}
    return text.template.format(**args) if args else text.template


def resolve(option: str | None, plan_lang: str | None, environ: Mapping[str, str]) -> Lang:
    """The language: --lang, else KPI_LANG, else [plan] lang, else the locale's language when it
    is Vietnamese or English (LC_ALL, else LC_MESSAGES, else LANG, as POSIX orders them), else
    Vietnamese, the language of the plans kpi is made for. Case does not matter."""
    given = ((option, "--lang"), (environ.get("KPI_LANG"), "KPI_LANG"), (plan_lang, "[plan] lang"))
    for value, where in given:
        if value:
            lowered = value.strip().lower()
            if lowered == "vi":
                return "vi"
            if lowered == "en":
                return "en"
            raise LanguageError(
                msg('{where} is "{value}"; kpi speaks "vi" or "en"', where=where, value=value)
            )
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable)
        if value:
            lowered = value.lower()
            if lowered.startswith("vi"):
                return "vi"
            if lowered.startswith("en"):
                return "en"
            break
    return "vi"
