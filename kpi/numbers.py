"""Numbers as people type them, in Vietnamese or English notation.

Vietnamese groups thousands with "." and marks decimals with ","; English the reverse. A figure
1000 times too small, stored silently, is the worst error kpi could make, so a number that
reads differently in the two notations — one separator followed by exactly three digits, such
as 1.320 or 1,320 — is refused, with both readings, unless the notation was given explicitly
(--notation). Every other form has one reading: 2.067.389 and 2,067,389 (several groups),
1.320,5 and 1,320.5 (both separators), 82,2 and 82.2 (one separator, not three digits after).
"""

import re

from kpi.i18n import Message, msg

_SHAPE = re.compile(r"[+-]?[0-9.,]+(?:[eE][+-]?[0-9]+)?\Z", re.ASCII)
_GROUPED = {".": re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+\Z"), ",": re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+\Z")}
NOTATION = {"vi": (".", ","), "en": (",", ".")}  # (group, decimal)


class NumberError(ValueError):
    """Not a number, or not one number; args[0] is the message."""


def _plain(text: str) -> str:
    """A number's text as Python reads it, cut to what the reader needs."""
    value = float(text)
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _read(body: str, group: str, decimal: str) -> str | None:
    """body read with these separators (as Python's text), or None when it does not fit them."""
    whole, _, frac = body.partition(decimal) if decimal in body else (body, "", "")
    if decimal in frac or group in frac:
        return None
    if group in whole:
        if not _GROUPED[group].match(whole):
            return None
        whole = whole.replace(group, "")
    if not whole.isdigit() or (frac and not frac.isdigit()) or (decimal in body and not frac):
        return None
    return whole + ("." + frac if frac else "")


def parse(text: str, notation: str | None = None) -> float:
    """The number the text means; notation "vi" or "en" when the user chose it explicitly."""
    raw = text.strip().replace("\u2212", "-")  # a typographic minus
    if raw.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        raise NumberError(msg('"{text}" is not a finite number', text=text))
    if raw.endswith("%") and _SHAPE.match(raw[:-1].rstrip()):
        # "82,5%": the KPI's unit says it is a percentage; the figure is the number alone.
        raise NumberError(
            msg('"{text}" is not a number: type {number} alone (the unit comes from the KPI)', text=text,
                number=raw[:-1].rstrip())
        )  # fmt: skip
    if not raw or not raw.isascii() or not _SHAPE.match(raw):
        raise NumberError(msg('"{text}" is not a number', text=text))
    sign = "-" if raw.startswith("-") else ""
    body = raw.lstrip("+-")
    exponent = ""
    if "e" in body.lower():
        body, _, power = body.lower().partition("e")
        exponent = "e" + power
    readings = {}
    for name, (group, decimal) in NOTATION.items():
        read = _read(body, group, decimal)
        if read is not None:
            readings[name] = sign + read + exponent
    if notation is not None:
        if notation not in readings:
            other = next(iter(readings.values()), None)
            hint: Message | str = ""
            if other is not None:
                hint = msg(" (it reads as {value} in the other notation; type {plain})", value=_plain(other),
                           plain=_plain(other))  # fmt: skip
            raise NumberError(msg('"{text}" is not a number in {notation} notation{hint}', text=text,
                                  notation=notation, hint=hint))  # fmt: skip
        return float(readings[notation])
    values = {float(v) for v in readings.values()}
    if not values:
        raise NumberError(msg('"{text}" is not a number', text=text))
    if len(values) > 1:
        vi, en = float(readings["vi"]), float(readings["en"])
        raise NumberError(
            msg(
                '"{text}" reads as {vi} in Vietnamese notation but as {en} in English: type {vi_plain} or '
                "{en_plain} (or give --notation vi or en)",
                text=text,
                vi=_plain(readings["vi"]),
                en=_plain(readings["en"]),
                vi_plain=_plain(str(vi)),
                en_plain=_plain(str(en)),
            )
        )
    return values.pop()
