"""Keep kpi's Vietnamese catalog in step with the code (Babel does the work).

    python scripts/catalog.py extract   # kpi/locale/kpi.pot from the code; merge it into vi's .po
    python scripts/catalog.py compile   # vi's .po -> kpi.mo, which kpi reads at run time

The code writes messages in English (the msgids) with _(), N_(), ngettext() and msg(); the
translator fills the msgstrs of kpi/locale/vi/LC_MESSAGES/kpi.po; tests/test_i18n.py fails when
a msgid the code uses has no translation, or when kpi.mo is older than the .po.
"""

from __future__ import annotations

import copy
import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kpi"
POT = PACKAGE / "locale" / "kpi.pot"
PO = PACKAGE / "locale" / "vi" / "LC_MESSAGES" / "kpi.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {"_": None, "N_": None, "msg": None, "ngettext": (1, 2)}


def extracted() -> Catalog:
    """Every msgid the code uses, as Babel finds it."""
    template = Catalog(project="kpi", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        PACKAGE, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        template.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for text in help_texts():
        template.add(text, None, [("kpi/cli.py", 0)])
    return template


def help_texts() -> list[str]:
    """The --help texts: docstrings and option help, read from the commands themselves."""
    from kpi.cli import all_commands, cli
    from kpi.options import help_texts as of

    texts = of(cli)
    for command in all_commands(cli):
        texts += of(command)
    return texts


CLICK_PO = PO.with_name("click.po")


def translations() -> Catalog:
    with PO.open("rb") as handle:
        return read_po(handle, locale="vi")


NOTATION = "@notation"  # a message of the compiled catalog only: the language's CLDR notation


def notation(locale: str) -> str:
    """The locale's number symbols and short date format from Babel's copy of the Unicode CLDR,
    as kpi reads them at run time: "GROUP<tab>DECIMAL<tab>strftime format"."""
    from babel.dates import get_date_format
    from babel.numbers import get_decimal_symbol, get_group_symbol

    pattern = get_date_format("short", locale=locale).pattern
    fmt = re.sub(r"d+", "%d", re.sub(r"M+", "%m", re.sub(r"y+", "%Y", pattern)))
    return "\t".join((get_group_symbol(locale), get_decimal_symbol(locale), fmt))


def compiled(catalog: Catalog) -> bytes:
    """The .mo for the catalog, with the language's notation added (so that kpi needs no Babel at
    run time: loading CLDR data costs 30 ms on every command that prints a table)."""
    catalog = copy.deepcopy(catalog)
    catalog.add(NOTATION, notation(str(catalog.locale)))
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def main(command: str) -> None:
    if command == "extract":
        template = extracted()
        with POT.open("wb") as handle:
            write_po(handle, template, omit_header=True, sort_output=True, no_location=True)
        catalog = translations()
        catalog.update(template, update_header_comment=False)
        with PO.open("wb") as handle:
            write_po(handle, catalog, sort_output=True, ignore_obsolete=True, no_location=True)
    elif command == "compile":
        MO.write_bytes(compiled(translations()))
        with CLICK_PO.open("rb") as handle:
            click_catalog = read_po(handle, locale="vi")
        out = io.BytesIO()
        write_mo(out, click_catalog)
        CLICK_PO.with_suffix(".mo").write_bytes(out.getvalue())
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
