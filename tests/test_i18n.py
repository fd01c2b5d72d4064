"""Everything a person reads is in one language, with that language's number and date notation;
machine formats do not change with it."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kpi import __version__ as kpi_version
from kpi import display, i18n
from tests.builders import edit
from tests.conftest import ACTUALS, TARGETS, run

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
import catalog  # noqa: E402  (scripts/catalog.py: the catalog's own tool)

AS_OF = "2025-06-30"

# Words of each interface that the other language's output must never show. Data (names, units,
# sources, quotes, notes) is excluded by choosing fixtures whose text is in the language tested.
ENGLISH = [
    "Latest", "Target", "Status", "Sector", "Whole plan", "achieved", "on track", "acceleration needed",
    "limited progress", "moving away", "insufficient data", "no data", "no target", "marks an estimate",
    "more KPIs", "Gaps", "Attainment", "Projected", "overdue", "Period", "Value", "Source", "Published",
    "Assessment", "rules", "as of", "As of", "per year", "Milestone", "Method", "Score", "estimate",
    "missed", "problem", "recorded", "wrote", "Usage", "Error", "Invalid value", "green", "amber", "grey",
    "Direction", "Unit", "Name", "Bounds", "Trend", "Summary", "review", "figure", "not a", "unknown",
    "must be", "did you mean", "Try ",
]  # fmt: skip
VIETNAMESE = [
    "Mới nhất", "Mục tiêu", "Tình trạng", "Lĩnh vực", "Toàn kế hoạch", "Đã đạt", "Đúng tiến độ",
    "Cần tăng tốc", "Tiến triển chậm", "Đi ngược", "Chưa đủ dữ liệu", "Chưa có số liệu", "Không có mục tiêu",
    "ước tính", "tính đến", "Tính đến", "Thiếu", "Dự báo", "Kỳ", "Giá trị", "Nguồn", "Đánh giá", "quy tắc",
    "mỗi năm", "Mốc", "Phương pháp", "Điểm", "lỗi", "đã ghi", "Cách dùng", "Lỗi", "xanh", "vàng", "xám",
    "không", "phải là",
]  # fmt: skip

# A plan whose data is all Vietnamese (no name_en, no English notes), so that English words in
# its Vietnamese output can only come from the interface; and one that is all English.
VI_TARGETS = re.sub(r'name_en = "[^"]*"\n', "", TARGETS)
EN_TARGETS = TARGETS
for _old, _new in (
    ('name = "Viễn thông"', 'name = "Telecommunications"'),
    ('name = "Số"', 'name = "Digital"'),
    ('name = "Cáp quang"', 'name = "Fibre"'),
    ('name = "Xếp hạng"', 'name = "Ranking"'),
    ('name = "Doanh thu"', 'name = "Revenue"'),
    ('unit = "hạng"', 'unit = "hạng"\nunit_en = "rank"'),
    ('unit = "tỷ đồng"', 'unit = "tỷ đồng"\nunit_en = "billion VND"'),
):
    EN_TARGETS = edit(EN_TARGETS, _old, _new)
BAD_ACTUALS = (
    ACTUALS + '\n[[actual]]\nkpi = "telecom.fibre"\nperiod = "2024-13"\nvalue = 1\nsource = "s"\nvaule = 2\n'
)


def outputs(folder: Path, lang: str) -> Iterator[tuple[str, str]]:
    """Every command's human-facing output in one language, with its name."""
    data = ("--data-dir", str(folder), "--lang", lang)
    for name, args in {
        "status": ("status", "--as-of", AS_OF, "--all"),
        "status markdown": ("status", "--as-of", AS_OF, "--format", "markdown"),
        "status review": ("status", "--as-of", "2026-06-30", "--review"),
        "status review markdown": ("status", "--as-of", "2026-06-30", "--review", "--format", "markdown"),
        "gap": ("gap", "--as-of", AS_OF, "--all"),
        "gap markdown": ("gap", "--as-of", AS_OF, "--all", "--format", "markdown"),
        "show": ("show", "digital.rank", "--as-of", AS_OF),
        "show markdown": ("show", "telecom.fiber", "--as-of", AS_OF, "--format", "markdown"),
        "list": ("list",),
        "list markdown": ("list", "--format", "markdown"),
        "report html": ("report", "--as-of", AS_OF),
        "report markdown": ("report", "--as-of", AS_OF, "--format", "markdown"),
        "validate": ("validate",),
        "record": ("record", "telecom.fiber", "70.5", "--period", "2023", "--source", "s", "--estimated"),
        "record refused": ("record", "telecom.fiber", "170", "--period", "2023-06", "--source", "s"),
        "usage error": ("status", "--as-of", "2025-02-30"),
        "unknown sector": ("gap", "--sector", "telecm"),
    }.items():
        result = run(*args, *data, env={"COLUMNS": "200"})
        yield name, result.output
    (folder / "actuals.toml").write_text(BAD_ACTUALS, encoding="utf-8")
    yield "validate problems", run("validate", *data).output
    yield "status problems", run("status", *data).output


def _words(text: str) -> str:
    # The HTML's style sheet and markup (class names such as "green") are not text a person reads.
    return re.sub(r"<[^>]*>", " ", re.sub(r"<style>.*?</style>", " ", text, flags=re.DOTALL))


@pytest.mark.parametrize(
    ("lang", "targets", "foreign"), [("vi", VI_TARGETS, ENGLISH), ("en", EN_TARGETS, VIETNAMESE)]
)
def test_every_command_speaks_one_language(
    tmp_path: Path, lang: str, targets: str, foreign: list[str]
) -> None:
    (tmp_path / "targets.toml").write_text(targets, encoding="utf-8")
    (tmp_path / "actuals.toml").write_text(ACTUALS, encoding="utf-8")
    for name, out in outputs(tmp_path, lang):
        text = _words(out)
        found = [w for w in foreign if re.search(rf"(?<![\w.]){re.escape(w)}(?![\w.])", text)]
        assert not found, f"{lang} {name}: {found}\n{out}"


def test_the_catalog_translates_every_message_the_code_uses() -> None:
    """Babel's extraction of the code against the Vietnamese .po: nothing left in English."""
    used = {m.id for m in catalog.extracted() if m.id}
    translated = catalog.translations()
    missing = []
    for msgid in used:
        message = translated.get(msgid)
        strings = (
            []
            if message is None
            else (message.string if isinstance(message.string, tuple) else [message.string])
        )
        if message is None or not all(strings) or message.fuzzy:
            missing.append(msgid)
    assert not missing, f"untranslated (run scripts/catalog.py extract, translate, compile): {missing}"


def test_the_compiled_catalog_is_the_po() -> None:
    assert catalog.MO.read_bytes() == catalog.compiled(catalog.translations()), (
        "run scripts/catalog.py compile"
    )


def test_no_message_looked_up_at_run_time_is_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages built at run time (not found by extraction) are caught here: every lookup made
    while rendering every command in Vietnamese must find a translation."""
    looked_up: set[str] = set()
    real = i18n._catalog("vi")
    missing: set[str] = set()

    class Recording:
        def gettext(self, msgid: str) -> str:
            looked_up.add(msgid)
            text = real.gettext(msgid)
            if text == msgid and msgid:
                missing.add(msgid)
            return text

        def ngettext(self, singular: str, plural: str, n: int) -> str:
            looked_up.add(singular)
            text = real.ngettext(singular, plural, n)
            if text in (singular, plural):
                missing.add(singular)
            return text

    monkeypatch.setattr(i18n, "_catalog", lambda lang: Recording() if lang == "vi" else real.__class__())
    (tmp_path / "targets.toml").write_text(VI_TARGETS, encoding="utf-8")
    (tmp_path / "actuals.toml").write_text(ACTUALS, encoding="utf-8")
    for _name, _out in outputs(tmp_path, "vi"):
        pass
    assert len(looked_up) > 100
    # Words that are the same in both languages are not translations that went missing.
    same = {"{file}: {reason}", "{file}: {problem}", "{status}: {why}", "{key}: {problem}"}
    same.add("{value:g} {problem}")
    assert missing <= same, sorted(missing)


@pytest.mark.parametrize(
    ("value", "unit", "vi", "en"),
    [
        (2067389, "tỷ đồng", "2.067.389", "2,067,389"),
        (82.2, "%", "82,2", "82.2"),
        (-17.0, "hạng", "-17", "-17"),
        (-2.25, "tỷ đồng", "-2,25", "-2.25"),
        (3903.0, "người", "3.903", "3,903"),
        (0.5, "", "0,5", "0.5"),
        (1.5e20, "", "1,5e+20", "1.5e+20"),
    ],
)
def test_numbers_in_each_notation(value: float, unit: str, vi: str, en: str) -> None:
    i18n.set_language("vi")
    try:
        assert display.value(value, unit) == vi
    finally:
        i18n.set_language("en")
    assert display.value(value, unit) == en


def test_percent_signed_dates_and_ranges() -> None:
    from kpi.model import Target
    from kpi.output.words import target_text
    from kpi.periods import parse_period

    stretch = Target(parse_period("2025"), 30, 40)
    i18n.set_language("vi")
    try:
        assert display.percent(0.746) == "74,6%"
        assert display.signed(-3.5, "") == "-3,5" and display.signed(1234.0, "") == "+1.234"
        assert display.iso(date(2025, 6, 30)) == "30/06/2025"
        assert target_text(stretch, "%/năm")[0] == "30,0–40,0"
    finally:
        i18n.set_language("en")
    assert display.percent(0.746) == "74.6%"
    assert display.iso(date(2025, 6, 30)) == "2025-06-30"
    assert target_text(stretch, "%/năm")[0] == "30.0–40.0"


def test_messages_keep_their_english_and_say_numbers_in_the_language() -> None:
    message = i18n.msg(
        "is {size:,} bytes, over kpi's limit of {limit:,} for a data file", size=1234567, limit=99
    )
    assert message == "is 1,234,567 bytes, over kpi's limit of 99 for a data file"
    i18n.set_language("vi")
    try:
        assert i18n.tr(message) == "có 1.234.567 byte, vượt giới hạn 99 byte của kpi cho một tệp dữ liệu"
        assert str(message) == "is 1,234,567 bytes, over kpi's limit of 99 for a data file"
    finally:
        i18n.set_language("en")


# --- which language ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "environ", "plan", "expected"),
    [
        ("EN", {"KPI_LANG": "vi"}, None, "en"),  # --lang wins, in any case
        (None, {"KPI_LANG": "EN"}, "vi", "en"),  # then KPI_LANG
        (None, {"LANG": "en_US.UTF-8"}, "vi", "vi"),  # then [plan] lang
        (None, {"LC_ALL": "en_GB.UTF-8", "LANG": "vi_VN.UTF-8"}, None, "en"),  # then the locale, POSIX order
        (None, {"LC_MESSAGES": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"}, None, "vi"),
        (None, {"LANG": "C.UTF-8"}, None, "vi"),  # a locale of neither language: the default
        (None, {}, None, "vi"),
    ],
)
def test_the_language_rule(
    option: str | None, environ: dict[str, str], plan: str | None, expected: str
) -> None:
    assert i18n.resolve(option, plan, environ) == expected


def test_kpi_lang_is_read_case_insensitively_and_a_bad_one_is_named(data_dir: Path) -> None:
    ok = run("status", "--data-dir", str(data_dir), "--as-of", AS_OF, env={"KPI_LANG": "VI"})
    assert ok.exit_code == 0 and "Tình trạng" in ok.output
    # Said in the language kpi falls back to (the locale's, else Vietnamese), never about --lang.
    bad = run("status", "--data-dir", str(data_dir), env={"KPI_LANG": "fr", "LC_ALL": "en_US.UTF-8"})
    assert bad.exit_code == 2 and 'Error: KPI_LANG is "fr"' in bad.output and "--lang" not in bad.output
    bad = run("status", "--data-dir", str(data_dir), env={"KPI_LANG": "fr", "LC_ALL": "", "LANG": ""})
    assert bad.exit_code == 2 and 'Lỗi: KPI_LANG là "fr"' in bad.output


def test_the_plan_can_name_its_language(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KPI_LANG")
    (data_dir / "targets.toml").write_text(
        edit(TARGETS, 'name = "Test plan"\n', 'name = "Test plan"\nlang = "en"\n')
    )
    out = run("status", "--data-dir", str(data_dir), "--as-of", AS_OF).output
    assert "Status" in out and "Telecommunications" in out
    assert "Tình trạng" in run("status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--lang", "vi").output


# --- machine formats ---------------------------------------------------------------------------


def test_a_unit_is_read_in_the_language_and_stated_in_the_data(tmp_path: Path) -> None:
    """unit_en is what an English reader sees; the stated unit stays the data (and formats)."""
    (tmp_path / "targets.toml").write_text(EN_TARGETS, encoding="utf-8")
    (tmp_path / "actuals.toml").write_text(ACTUALS, encoding="utf-8")
    for lang, shown, hidden in (("en", "rank", "hạng"), ("vi", "hạng", "rank")):
        for name, out in outputs(tmp_path, lang):
            if name in ("status", "show", "list", "list markdown", "report html"):
                assert shown in out, f"{lang} {name}"
            assert not re.search(rf"(?<![\w.]){hidden}(?!\w)", _words(out)), f"{lang} {name}: {hidden}\n{out}"
        (tmp_path / "actuals.toml").write_text(ACTUALS, encoding="utf-8")
    doc = json.loads(run("list", "--data-dir", str(tmp_path), "--lang", "en", "--format", "json").output)
    rank = next(k for k in doc["kpis"] if k["id"] == "digital.rank")
    assert (rank["unit"], rank["unit_en"]) == ("hạng", "rank")


def test_json_and_csv_change_only_the_names(data_dir: Path) -> None:
    def json_for(lang: str) -> dict[str, object]:
        doc = json.loads(run("status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "json",
                             "--lang", lang).output)  # fmt: skip
        for entry in doc["kpis"] + doc["sectors"]:
            entry.pop("name")
        return doc  # type: ignore[no-any-return]

    assert json_for("vi") == json_for("en")

    def csv_for(lang: str) -> list[dict[str, str]]:
        out = run(
            "status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "csv", "--lang", lang
        ).output
        rows = list(csv.DictReader(io.StringIO(out)))
        for row in rows:
            row.pop("name")
        return rows

    vi_rows = csv_for("vi")
    assert vi_rows == csv_for("en")
    assert next(r for r in vi_rows if r["id"] == "telecom.fiber")["latest"] == "82.2"  # a decimal point


@pytest.mark.parametrize("command", [[], ["status"], ["record"], ["diff"], ["init"], ["schema"]])
def test_help_is_in_the_language_asked_for(command: list[str]) -> None:
    vi = run(*command, "--help", env={"KPI_LANG": "vi"})
    en = run(*command, "--help", env={"KPI_LANG": "en"})
    assert vi.exit_code == 0 and en.exit_code == 0
    assert "Tùy chọn:" in vi.output and "Options:" in en.output
    assert "Hiện hướng dẫn này rồi thoát." in vi.output
    english_lines = [line for line in en.output.splitlines() if line.strip()]
    # Every line of English help text has gone: only commands, options and examples remain.
    shared = [line for line in english_lines if line in vi.output.splitlines()]
    prose = [s for s in shared if not s.strip().startswith("kpi ") and re.search(r"\b(the|a|of|and|to)\b", s)]
    assert not prose, prose
    # Placeholders too: the usage line's and the options' values (--as-of NGÀY).
    assert "[TÙY CHỌN]" in vi.output and "[OPTIONS]" in en.output
    placeholders = {"DATE", "TEXT", "PERIOD", "ID", "INTEGER", "NUMBER", "SHARE", "OPTIONS", "COMMAND"}
    assert not placeholders & set(re.findall(r"--[a-z-]+ ([A-Z]{2,})\b", vi.output)), vi.output


def test_the_compiled_click_catalog_is_its_po() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = catalog.CLICK_PO
    with po.open("rb") as handle:
        messages = read_po(handle, locale="vi")
    out = io.BytesIO()
    write_mo(out, messages)
    assert po.with_suffix(".mo").read_bytes() == out.getvalue(), "run scripts/catalog.py compile"


@pytest.mark.parametrize(
    ("value", "en", "vi"),
    [
        (2067389.0, "2,067,389", "2.067.389"),
        (82.2, "82.2", "82,2"),
        (0.371, "0.371", "0,371"),
        (2067389, "2,067,389", "2.067.389"),
    ],
)
def test_a_number_in_a_message_is_never_in_scientific_notation(value: float, en: str, vi: str) -> None:
    message = i18n.msg("reached {value:g}", value=value)  # not in the catalog: only notation changes
    assert str(message) == f"reached {en}"
    i18n.set_language("vi")
    try:
        assert i18n.tr(message) == f"reached {vi}"
    finally:
        i18n.set_language("en")


def test_validate_counts_agree_in_number(tmp_path: Path) -> None:
    (tmp_path / "targets.toml").write_text(
        '[plan]\nname = "P"\n[sectors.s]\nname = "S"\n'
        '[[kpi]]\nid = "s.a"\nsector = "s"\nname = "A"\nunit = "%"\n',
        encoding="utf-8",
    )
    assert run("validate", "--data-dir", str(tmp_path)).output == "ok: 1 KPI in 1 sector, 0 actuals\n"
    vi = run("validate", "--data-dir", str(tmp_path), "--lang", "vi").output
    assert vi == "hợp lệ: 1 chỉ tiêu trong 1 lĩnh vực, 0 số liệu thực hiện\n"


def test_dates_in_messages_are_in_the_language_notation(tmp_path: Path) -> None:
    (tmp_path / "targets.toml").write_text(
        '[plan]\nname = "P"\nperiod = "2021-2025"\n[sectors.s]\nname = "S"\n'
        '[[kpi]]\nid = "s.a"\nsector = "s"\nname = "A"\nunit = "%"\n',
        encoding="utf-8",
    )
    (tmp_path / "actuals.toml").write_text(
        '[[actual]]\nkpi = "s.a"\nperiod = "2024"\nvalue = 1\npublished = 2023-05-01\nsource = "s"\n',
        encoding="utf-8",
    )
    en = run("validate", "--data-dir", str(tmp_path), "--lang", "en").output
    vi = run("validate", "--data-dir", str(tmp_path), "--lang", "vi").output
    assert "published 2023-05-01, before its period began" in en
    assert "công bố ngày 01/05/2023, trước khi kỳ bắt đầu" in vi and "2023-05-01" not in vi


def test_a_milestone_that_is_not_a_target_is_said_in_the_language() -> None:
    out = run("show", "telecom.development_rank", "--milestone", "2030", "--lang", "vi")
    assert out.exit_code == 2 and "không có mục tiêu cho" in out.output


def test_numbers_in_validate_messages_are_in_the_language_notation(tmp_path: Path) -> None:
    (tmp_path / "targets.toml").write_text(
        '[plan]\nname = "P"\n[sectors.s]\nname = "S"\n[[kpi]]\nid = "s.a"\nsector = "s"\nname = "A"\n'
        'unit = "%"\ndirection = "up"\nmax = 1000\ntargets = [{ period = "2025", value = 1080.5 }]\n',
        encoding="utf-8",
    )
    vi = run("validate", "--data-dir", str(tmp_path), "--lang", "vi").output
    en = run("validate", "--data-dir", str(tmp_path), "--lang", "en").output
    assert "1.080,5" in vi and "1.000" in vi
    assert "value 1,080.5 is above the KPI's max 1,000" in en


def test_version_and_a_bad_lang_are_said_in_the_language() -> None:
    assert run("--version", env={"KPI_LANG": "vi"}).output == f"kpi, phiên bản {kpi_version}\n"
    assert run("-V", env={"KPI_LANG": "en"}).output == f"kpi, version {kpi_version}\n"
    out = run("status", "--lang", "fr", env={"KPI_LANG": "vi"})
    assert out.exit_code == 2 and "Lỗi:" in out.output and "'fr'" in out.output


def test_delete_refuses_fields_it_would_ignore() -> None:
    out = run("record", "telecom.fiber_households", "--period", "2024-05", "--delete", "--plan-share", "50%")
    assert out.exit_code == 2 and "it takes no --plan-share" in out.output


def test_no_message_is_hidden_inside_an_f_string() -> None:
    """Babel cannot see a _("...") written inside an f-string's braces: its msgid would never
    reach the catalog, and the words would stay English in a Vietnamese report."""
    import ast

    hidden = []
    for path in sorted((REPO / "kpi").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in ("_", "N_", "msg", "ngettext")
                    and inner.args
                    and isinstance(inner.args[0], ast.Constant)
                ):
                    hidden.append(f"{path.relative_to(REPO)}:{inner.lineno}: {inner.args[0].value!r}")
    assert not hidden, hidden


def test_narrow_lists_are_blocks_and_the_review_has_a_legend(tmp_path: Path) -> None:
    """At 60 columns no id, date or word is cut in pieces: kpi list and kpi list --orgs print
    a block per entry, and the review's summary heads its columns with the verdicts' symbols."""
    bundled = Path(__file__).resolve().parents[1]
    provinces = bundled / "docs" / "examples" / "provinces"
    for lang in ("vi", "en"):
        out = run("list", "--data-dir", str(bundled), "--lang", lang, env={"COLUMNS": "60"}).output
        assert "postal.revenue" in out.split() and all(len(line) <= 60 for line in out.splitlines())
        out = run(
            "list", "--orgs", "--data-dir", str(provinces), "--lang", lang, env={"COLUMNS": "60"}
        ).output
        assert "hai-phong-63" in out.split() and display_day(lang) in out, out
        out = run(
            "status", "--review", "--data-dir", str(bundled), "--lang", lang, env={"COLUMNS": "60"}
        ).output
        legend = "✔ Đã đạt  ✖ Không đạt" if lang == "vi" else "✔ achieved  ✖ missed"
        assert legend in out, out


def display_day(lang: str) -> str:
    return "30/06/2025" if lang == "vi" else "2025-06-30"


def test_a_long_text_s_note_and_a_published_date_are_in_the_language(data_dir: Path) -> None:
    from kpi.display import excerpt

    i18n.set_language("vi")
    try:
        assert excerpt("x" * 3500).endswith("… (thêm 1.500 ký tự; --format json cho xem toàn bộ)")
    finally:
        i18n.set_language("en")
    assert excerpt("x" * 3500).endswith("… (+1,500 characters; --format json shows all)")
    out = run(
        "show", "telecom.fiber", "--format", "markdown", "--lang", "vi", "--data-dir", str(data_dir)
    ).output
    published = re.findall(r"\| (\d\d/\d\d/\d{4}) \|", out)
    assert published and not re.search(r"\| \d{4}-\d\d-\d\d \|", out), out


@pytest.mark.parametrize(
    ("text", "unit", "shown"),
    [("82,2", "%", "82,2%"), ("21,0", "%/năm", "21,0%/năm"), ("100", "/100 dân", "100/100 dân"),
     ("2.067.389", "tỷ đồng", "2.067.389 tỷ đồng"), ("5", "", "5"), ("–", "%", "–")],
)  # fmt: skip
def test_a_unit_follows_its_number_as_people_write_it(text: str, unit: str, shown: str) -> None:
    assert display.with_unit(text, unit) == shown
