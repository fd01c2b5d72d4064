"""Numbers and dates typed by people: one rule everywhere, nothing guessed, every hint works."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kpi.numbers import NumberError, parse
from tests.builders import edit
from tests.conftest import ACTUALS, TARGETS, run


@pytest.mark.parametrize(
    ("text", "notation", "value"),
    [
        ("2.067.389", None, 2067389),
        ("2,067,389", None, 2067389),
        ("82,2", None, 82.2),
        ("82.2", None, 82.2),
        ("1.320,5", None, 1320.5),
        ("1,320.5", None, 1320.5),
        ("1.320", "vi", 1320),
        ("1.320", "en", 1.32),
        ("1,320", "vi", 1.32),
        ("1,320", "en", 1320),
        ("-3,2", None, -3.2),
        ("−17", None, -17),
        ("1320", None, 1320),
        ("1e5", None, 100000),
    ],
)
def test_one_reading(text: str, notation: str | None, value: float) -> None:
    assert parse(text, notation) == pytest.approx(value)


@pytest.mark.parametrize("text", ["1.320", "1,320", "-2.500", "10,000"])
def test_ambiguous_numbers_are_refused_with_both_readings(text: str) -> None:
    with pytest.raises(NumberError) as raised:
        parse(text)
    message = str(raised.value.args[0])
    assert "in Vietnamese notation but as" in message
    # every suggested input reads, without a notation, as the number it stands for
    suggestions = re.search(r"type (\S+) or (\S+) \(", message)
    assert suggestions is not None
    vi, en = (float(parse(s)) for s in suggestions.groups())
    assert vi == parse(text, "vi") and en == parse(text, "en")


@pytest.mark.parametrize("text", ["1.320.5", "1,32,0", "82.2.1", "12a", "", "1..2"])
def test_not_numbers(text: str) -> None:
    with pytest.raises(NumberError):
        parse(text)


def test_a_wrong_notation_suggests_what_reads_right() -> None:
    with pytest.raises(NumberError) as raised:
        parse("82,2", "en")
    suggestion = re.search(r"type (\S+)\)", str(raised.value.args[0]))
    assert suggestion is not None and parse(suggestion.group(1), "en") == 82.2


@pytest.mark.parametrize(("text", "number"), [("82,5%", "82,5"), ("82.5 %", "82.5"), ("-3%", "-3")])
def test_a_percent_sign_is_refused_with_the_number_to_type(text: str, number: str) -> None:
    with pytest.raises(NumberError) as raised:
        parse(text)
    assert f"type {number} alone" in str(raised.value.args[0])
    assert parse(number) == float(number.replace(",", "."))


def test_record_takes_vietnamese_numbers_and_refuses_ambiguity(data_dir: Path) -> None:
    base = ("record", "digital.revenue")
    ok = run(*base, "2.067.389", "--period", "2023", "--source", "s", "--data-dir", str(data_dir))
    assert ok.exit_code == 0 and "value = 2067389\n" in (data_dir / "actuals.toml").read_text(
        encoding="utf-8"
    )
    refused = run(*base, "1.320", "--period", "2022", "--source", "s", "--data-dir", str(data_dir))
    assert refused.exit_code == 2 and "type 1320 or 1.32" in refused.output
    explicit = run(
        *base, "1.320", "--notation", "vi", "--period", "2022", "--source", "s", "--data-dir", str(data_dir)
    )
    assert explicit.exit_code == 0 and "value = 1320\n" in (data_dir / "actuals.toml").read_text(
        encoding="utf-8"
    )


def test_record_takes_a_negative_value(data_dir: Path) -> None:
    (data_dir / "targets.toml").write_text(TARGETS + "min = -100\n", encoding="utf-8")
    result = run("record", "digital.revenue", "-3,2", "--period", "2021", "--source", "s", "--data-dir",
                 str(data_dir))  # fmt: skip
    assert result.exit_code == 2 and "must be positive" in result.output  # a compound KPI: read, then refused
    growth = edit(TARGETS, 'trend = "compound"\n', "")
    (data_dir / "targets.toml").write_text(growth, encoding="utf-8")
    result = run("record", "digital.revenue", "-3,2", "--period", "2021", "--source", "s", "--data-dir",
                 str(data_dir))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "value = -3.2\n" in (data_dir / "actuals.toml").read_text(encoding="utf-8")


def test_validate_hints_are_valid_toml(data_dir: Path) -> None:
    quoted = edit(ACTUALS, "published = 2024-07-29", 'published = "29/07/2024"')
    (data_dir / "actuals.toml").write_text(quoted, encoding="utf-8")
    out = run("validate", "--data-dir", str(data_dir), "--lang", "en").output
    hint = re.search(r"\(published = ([^)]+)\)", out)
    assert hint is not None and hint.group(1) == "2024-07-29"
    (data_dir / "actuals.toml").write_text(
        edit(ACTUALS, "published = 2024-07-29", f"published = {hint.group(1)}")
    )
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0
    comma = edit(ACTUALS, "value = 82.2", "value = 82,2")
    (data_dir / "actuals.toml").write_text(comma, encoding="utf-8")
    out = run("validate", "--data-dir", str(data_dir), "--lang", "en").output
    assert "TOML numbers take a decimal point: write 82.2, not 82,2" in out
