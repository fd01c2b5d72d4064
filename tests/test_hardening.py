"""Regression tests for the adversarial review: each promise of the README, tried as a hostile
user or a hostile repository would, through the command line."""

from __future__ import annotations

import csv
import io
import json
import os
import pickle
import shutil
import stat
import subprocess
import sys
import time
import unicodedata
from datetime import date
from pathlib import Path

import pytest

from kpi import cache
from kpi.loader import load, locate
from tests.builders import edit
from tests.conftest import ACTUALS, TARGETS, run

AS_OF = "2025-01-15"
KPI = [sys.executable, "-c", "from kpi.cli import main; main()"]


def kpi_process(*args: str, cwd: Path | None = None, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    """kpi as its own process, with a timeout, for what CliRunner cannot show: a hang, real
    stdout errors, the final one-line message instead of a traceback."""
    return subprocess.run(
        [*KPI, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, errors="replace"
    )


def strict_json(text: str) -> object:
    def refuse(constant: str) -> object:
        raise AssertionError(f"JSON holds {constant}")

    return json.loads(text, parse_constant=refuse)


# --- 1. the cache ------------------------------------------------------------------------


class Boom:
    """Unpickling this creates a marker file: proof that a pickle ran code."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (os.rename, (self.marker + ".src", self.marker))


def test_a_forged_cache_entry_is_never_unpickled(
    data_dir: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(cache, "CACHE_MIN_BYTES", 0)
    first, _ = load(locate(data_dir=data_dir))
    found = list(private_cache.glob("*.pickle"))
    assert len(found) == 2  # targets.toml's entry and actuals.toml's
    keys = {entry: entry.read_bytes().split(b"\n")[0] for entry in found}
    marker = tmp_path / "pwned"
    (tmp_path / "pwned.src").write_text("x")
    # What an attacker can compute (the content key) followed by a pickle that runs code,
    # with and without a made-up MAC.
    for forged in (b"", b"\0" * 32):
        for entry, content_key in keys.items():
            entry.write_bytes(content_key + b"\n" + forged + pickle.dumps(Boom(str(marker))))
        again, problems = load(locate(data_dir=data_dir))
        assert not marker.exists(), "a forged entry was unpickled"
        assert problems == [] and again.actuals == first.actuals


def test_the_cache_folder_and_key_are_private(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "CACHE_MIN_BYTES", 0)
    folder = tmp_path / "fresh-cache"
    monkeypatch.setenv("KPI_CACHE_DIR", str(folder))
    load(locate(data_dir=data_dir))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE((folder / "key").stat().st_mode) == 0o600
    assert list(folder.glob("*.pickle"))


def test_a_cache_folder_others_can_write_is_not_used(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "CACHE_MIN_BYTES", 0)
    shared = tmp_path / "shared-cache"
    shared.mkdir()
    shared.chmod(0o777)
    monkeypatch.setenv("KPI_CACHE_DIR", str(shared))
    dataset, problems = load(locate(data_dir=data_dir))
    assert problems == [] and len(dataset.actuals) == 4
    assert list(shared.iterdir()) == []


# --- 2. data files that are not regular files ------------------------------------------


def test_a_fifo_as_data_file_is_refused_not_waited_on(data_dir: Path) -> None:
    actuals = data_dir / "actuals.toml"
    actuals.unlink()
    os.mkfifo(actuals)
    for args in (("validate",), ("record", "telecom.fiber", "70", "--period", "2023", "--source", "s")):
        result = kpi_process(*args, "--data-dir", str(data_dir))
        assert result.returncode == 1, result.stderr
        assert "not a regular file (a named pipe)" in result.stderr
        assert "Traceback" not in result.stderr
    assert stat.S_ISFIFO(actuals.lstat().st_mode)


def test_a_link_to_dev_zero_is_refused(data_dir: Path) -> None:
    (data_dir / "actuals.toml").unlink()
    (data_dir / "actuals.toml").symlink_to("/dev/zero")
    result = kpi_process("validate", "--data-dir", str(data_dir))
    assert result.returncode == 1
    assert "actuals.toml: is not a regular file (a device)" in result.stderr


def test_a_file_over_the_size_limit_is_refused(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kpi import datafiles

    monkeypatch.setattr(datafiles, "MAX_FILE_BYTES", 100)
    result = run("validate", "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert "over kpi's limit of 100 for a data file" in result.output


def test_a_symlink_loop_as_data_file_is_one_line(data_dir: Path) -> None:
    loop = data_dir / "actuals.toml"
    loop.unlink()
    loop.symlink_to(loop)
    for args in (("validate",), ("record", "telecom.fiber", "70", "--period", "2023", "--source", "s")):
        result = kpi_process(*args, "--data-dir", str(data_dir))
        assert result.returncode == 1
        assert "Traceback" not in result.stderr and "symbolic link" in result.stderr


# --- 3. writes never replace special files ---------------------------------------------


def test_report_output_refuses_a_fifo_and_a_link_to_one(data_dir: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "link.html"
    link.symlink_to(fifo)
    result = run("report", "--data-dir", str(data_dir), "--as-of", AS_OF, "-o", str(fifo))
    assert result.exit_code == 1
    assert "not a regular file; kpi writes only regular files" in result.output
    result = run("report", "--data-dir", str(data_dir), "--as-of", AS_OF, "-o", str(link))
    assert result.exit_code == 1 and "a symbolic link; kpi writes a report only to" in result.output
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and link.is_symlink()


def test_an_output_never_writes_through_a_link_to_a_file_elsewhere(data_dir: Path, tmp_path: Path) -> None:
    precious = tmp_path / "elsewhere" / "notes.txt"
    precious.parent.mkdir()
    precious.write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "status.json").symlink_to(precious)
    (out / "plan.xlsx").symlink_to(precious)
    for args in (
        ("status", "--format", "json", "-o", str(out / "status.json")),
        ("export", "-o", str(out / "plan.xlsx")),
    ):
        result = run(*args, "--data-dir", str(data_dir))
        assert result.exit_code == 1 and "symbolic link" in result.output, result.output
    assert precious.read_text(encoding="utf-8") == "precious"


def test_dash_means_standard_output(data_dir: Path) -> None:
    result = run("report", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "markdown", "-o", "-")
    assert result.exit_code == 0 and result.output.startswith("#")
    assert not (Path.cwd() / "-").exists()
    svg = run("status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "svg", "-o", "-")
    assert svg.exit_code == 0 and "<svg" in svg.output


def test_record_refuses_an_actuals_path_that_is_a_fifo(data_dir: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "elsewhere.toml"
    os.mkfifo(fifo)
    result = kpi_process(
        "record", "telecom.fiber", "70", "--period", "2023", "--source", "s",
        "--targets", str(data_dir / "targets.toml"), "--actuals", str(fifo),
    )  # fmt: skip
    assert result.returncode == 1 and "not a regular file" in result.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


# --- 4. read-only means read-only, for root too -------------------------------------------

RECORD = ("record", "telecom.fiber", "70", "--period", "2023", "--source", "s")


def test_a_read_only_file_is_not_written_even_by_root(data_dir: Path) -> None:
    actuals = data_dir / "actuals.toml"
    actuals.chmod(0o444)
    before = actuals.read_bytes()
    result = run(*RECORD, "--data-dir", str(data_dir))
    assert result.exit_code == 1 and "the file is read-only" in result.output
    assert actuals.read_bytes() == before


def test_a_read_only_folder_is_not_written_even_by_root(data_dir: Path) -> None:
    data_dir.chmod(0o555)
    try:
        before = (data_dir / "actuals.toml").read_bytes()
        result = run(*RECORD, "--data-dir", str(data_dir))
        assert result.exit_code == 1 and "is read-only" in result.output
        assert (data_dir / "actuals.toml").read_bytes() == before
        assert sorted(p.name for p in data_dir.iterdir()) == ["actuals.toml", "targets.toml"]
    finally:
        data_dir.chmod(0o755)


# --- 5. record writes only valid figures into the actuals file ---------------------------


def test_record_refuses_targets_and_actuals_being_one_file(data_dir: Path) -> None:
    targets = data_dir / "targets.toml"
    before = targets.read_bytes()
    link = data_dir / "same.toml"
    link.symlink_to(targets)
    for other in (targets, link, data_dir / "." / "targets.toml"):
        result = run(*RECORD, "--targets", str(targets), "--actuals", str(other))
        assert result.exit_code == 2 and "are the same file" in result.output
    assert targets.read_bytes() == before


@pytest.mark.parametrize(
    ("option", "value"),
    [("--quote", ""), ("--quote", "   "), ("--source", ""), ("--source", " \t"), ("--note", None)],
)
def test_record_applies_the_loaders_rules_and_blames_the_option(
    data_dir: Path, option: str, value: str | None
) -> None:
    before = (data_dir / "actuals.toml").read_bytes()
    if value is None:
        return  # --note "" is valid (a note may be empty), checked below
    args = [a for a in RECORD if a not in ("--source", "s")] + (
        ["--source", "s"] if option != "--source" else []
    )
    result = run(*args, option, value, "--data-dir", str(data_dir))
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.output or f"Invalid value for {option}" in result.output
    assert "non-empty string" in result.output
    assert (data_dir / "actuals.toml").read_bytes() == before
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0


def test_whatever_record_accepts_validate_accepts(data_dir: Path) -> None:
    result = run(*RECORD, "--note", "", "--quote", "q", "--data-dir", str(data_dir))
    assert result.exit_code == 0
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0


# --- 6. record reads the document as TOML does ------------------------------------------

TRICKY = '''\
[[actual]]
kpi = "telecom.fiber"
period = "2022"
value = 65
source = "report"
note = """
[[actual]]
kpi = "telecom.fiber"
# not a comment: this is inside the note"""

  [[ actual ]]   # spaced header, a comment
kpi = "digital.rank"
period = "2022"
value = 73
source = 'report [[actual]]'
quote = """a quote with \\""" inside"""

# a comment that belongs to what follows

[[actual]]
kpi = "digital.rank"
period = "2024"
value = 67
source = "report"
'''


def test_replace_finds_entries_through_multiline_strings_and_odd_layout(data_dir: Path) -> None:
    actuals = data_dir / "actuals.toml"
    actuals.write_text(TRICKY, encoding="utf-8")
    result = run(
        "record", "digital.rank", "72", "--period", "2022", "--source", "new", "--replace",
        "--data-dir", str(data_dir),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = actuals.read_text(encoding="utf-8")
    start = TRICKY.index("  [[ actual ]]")
    end = TRICKY.index("# a comment that belongs")
    assert text.startswith(TRICKY[:start])  # the first entry, its tricky note included, untouched
    assert text.endswith(TRICKY[end:])
    assert 'value = 72\nsource = "new"\n' in text
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0
    # and the first entry can be replaced too: its note's fake header is not a table
    again = run(*RECORD[:3], "--period", "2022", "--source", "x", "--replace", "--data-dir", str(data_dir))
    assert again.exit_code == 0, again.output
    # --replace corrects the value in place and keeps the fields not given: the tricky note stays
    fixed = actuals.read_text(encoding="utf-8")
    assert "# not a comment: this is inside the note" in fixed and 'source = "x"' in fixed


def test_replace_past_many_blank_lines_finishes(data_dir: Path) -> None:
    actuals = data_dir / "actuals.toml"
    actuals.write_text(ACTUALS + "\n" * 24_000, encoding="utf-8")
    started = time.monotonic()
    result = kpi_process(
        "record", "digital.rank", "66", "--period", "2024", "--source", "s", "--replace",
        "--data-dir", str(data_dir), timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 60
    assert actuals.read_text(encoding="utf-8").endswith("\n" * 24_000)


# --- 7. temporary files a killed write left behind -----------------------------------------


def test_stale_temps_are_cleaned_and_fresh_ones_kept(data_dir: Path) -> None:
    stale = data_dir / ".actuals.toml.abcd1234.tmp"
    fresh = data_dir / ".actuals.toml.efgh5678.tmp"
    other = data_dir / ".notes.txt.ijkl.tmp"
    for path in (stale, fresh, other):
        path.write_text("half a write")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0  # never read as data
    assert run(*RECORD, "--data-dir", str(data_dir)).exit_code == 0
    assert not stale.exists()
    assert fresh.exists() and other.exists()


# --- 8. CSV: exact, with the formula guard ----------------------------------------------

NASTY = '=HYPERLINK("http://x","a, b")\r\nline\ttwo \x1b[31m Xe\u0301p'


def test_csv_round_trips_text_and_guards_formulas(data_dir: Path) -> None:
    name_toml = json.dumps(NASTY)  # a JSON string literal is a valid TOML basic string here
    targets = edit(TARGETS, 'name = "Cáp quang"', f"name = {name_toml}")
    (data_dir / "targets.toml").write_text(targets, encoding="utf-8")
    for command in ("status", "gap", "list"):
        args = [command, "--data-dir", str(data_dir), "--format", "csv", "--lang", "vi"]
        if command != "list":
            args += ["--as-of", AS_OF]
        if command == "gap":
            args.append("--all")
        result = run(*args)
        assert result.exit_code == 0
        rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline="")))
        [row] = [r for r in rows if r["id"] == "telecom.fiber"]
        assert row["name"] == "'" + NASTY  # the text exactly, one guard character before it
        assert unicodedata.is_normalized("NFD", row["name"][-4:])  # no silent normalisation
    as_csv = run("status", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "csv", "--lang", "vi")
    status_rows = list(csv.DictReader(io.StringIO(as_csv.output, newline="")))
    numbers = {r["id"]: r["latest"] for r in status_rows}
    assert numbers["telecom.fiber"] == "82.2"  # numbers are not guarded: -3 stays a number


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_guarded(start: str) -> None:
    from kpi.output.csvout import cell

    assert cell(start + "1+1").lstrip('"').startswith("'" + start)
    assert cell(-3.5) == "-3.5"


# --- 9. Markdown makes no links ------------------------------------------------------------

LINKY = "see https://evil.example/x, www.evil.example, mail boss@evil.example &amp; &#60;b&#62; [a](b)"


def test_markdown_output_has_no_links_and_no_entities(data_dir: Path) -> None:
    import cmarkgfm

    name_toml = json.dumps(LINKY)
    targets = edit(TARGETS, 'name = "Cáp quang"', f"name = {name_toml}")
    (data_dir / "targets.toml").write_text(targets, encoding="utf-8")
    outputs = [
        run(
            "status",
            "--data-dir",
            str(data_dir),
            "--as-of",
            AS_OF,
            "--all",
            "--format",
            "markdown",
            "--lang",
            "vi",
        ).output,
        run(
            "gap",
            "--data-dir",
            str(data_dir),
            "--as-of",
            AS_OF,
            "--all",
            "--format",
            "markdown",
            "--lang",
            "vi",
        ).output,
        run("list", "--data-dir", str(data_dir), "--format", "markdown", "--lang", "vi").output,
        run(
            "show", "telecom.fiber", "--data-dir", str(data_dir), "--format", "markdown", "--lang", "vi"
        ).output,
        run(
            "report", "--data-dir", str(data_dir), "--as-of", AS_OF, "--format", "markdown", "--lang", "vi"
        ).output,
    ]
    for md in outputs:
        html = cmarkgfm.github_flavored_markdown_to_html(md)
        assert "<a " not in html, html
        # The entities are shown as written: the HTML has them escaped once more.
        assert "&amp;amp;" in html and "&amp;#60;b&amp;#62;" in html


# --- 10. nothing typed on the command line reaches the terminal raw ---------------------------

OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--sector", OSC52),
        ("show", OSC52),
        ("status", "--as-of", OSC52),
        ("status", "--milestone", OSC52),
        ("status", "--format", OSC52),
        ("record", "telecom.fiber", "1", "--period", OSC52, "--source", "s"),
        ("record", OSC52, "1", "--period", "2024", "--source", "s"),
        ("record", "telecom.fiber", OSC52, "--period", "2024", "--source", "s"),
        ("gap", "--lang", OSC52),
        (OSC52,),
    ],
)
def test_usage_errors_escape_what_was_typed(data_dir: Path, args: tuple[str, ...]) -> None:
    result = run(*args, "--data-dir", str(data_dir))
    assert result.exit_code == 2
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\x1b]52" in result.output


def test_an_argument_that_is_not_utf8_is_a_usage_error(data_dir: Path) -> None:
    result = subprocess.run(
        [*KPI, "record", "telecom.fiber", "70", "--period", "2023", "--data-dir", str(data_dir),
         "--source", b"\xff".decode("utf-8", "surrogateescape")],
        capture_output=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 2
    assert b"not valid UTF-8" in result.stderr and b"Traceback" not in result.stderr
    assert (data_dir / "actuals.toml").read_text(encoding="utf-8") == ACTUALS


# --- 11. extreme values: a defined result or a one-line error, never a traceback ------------


def _one_kpi(tmp_path: Path, actuals: str, kpi_extra: str = "", targets: str = "") -> Path:
    targets = targets or '{ period = "9999", value = 1e308 }'
    (tmp_path / "targets.toml").write_text(
        '[plan]\nname = "P"\n[sectors.s]\nname = "S"\n[[kpi]]\nid = "k"\nsector = "s"\nname = "K"\n'
        f'unit = "u"\ndirection = "up"\n{kpi_extra}\n'
        f"targets = [{targets}]\n",
        encoding="utf-8",
    )
    (tmp_path / "actuals.toml").write_text(actuals, encoding="utf-8")
    return tmp_path


def _actual(period: str, value: str) -> str:
    return f'[[actual]]\nkpi = "k"\nperiod = "{period}"\nvalue = {value}\nsource = "s"\n\n'


def _every_output(folder: Path, as_of: str = "9999-12-31") -> None:
    for args in (
        ("status", "--format", "json"),
        ("status", "--all"),
        ("status", "--format", "csv"),
        ("gap", "--all", "--format", "json"),
        ("gap", "--all"),
        ("show", "k"),
        ("show", "k", "--format", "json"),
        ("report", "-o", "-"),
    ):
        result = run(*args, "--data-dir", str(folder), "--as-of", as_of)
        assert result.exit_code == 0, (args, result.output)
        if "json" in args:
            strict_json(result.output)


@pytest.mark.parametrize(
    ("actuals", "kpi_extra", "targets"),
    [
        (_actual("9999-12", "1") + _actual("9999-12-30", "2"), "", ""),
        (_actual("0001-01", "1") + _actual("9999", "2"), "", ""),
        (_actual("2020", "-1e308") + _actual("2021", "1e308"), "", '{ period = "2025", value = 1.7e308 }'),
        (_actual("2020", "1e-300") + _actual("2020-01-02", "1e300"), 'trend = "compound"', ""),
        (_actual("2020", "5e-324") + _actual("2021", "1.7e308"), 'trend = "compound"',
         '{ period = "2022", value = 1.7976931348623157e308 }'),
        (_actual("2020", "1e308") + _actual("2021", "-1e308"), "min = -1.7976931348623157e308", ""),
    ],
)  # fmt: skip
def test_extreme_but_valid_data_gives_finite_outputs(
    tmp_path: Path, actuals: str, kpi_extra: str, targets: str
) -> None:
    folder = _one_kpi(tmp_path, actuals, kpi_extra, targets)
    result = run("validate", "--data-dir", str(folder))
    assert result.exit_code == 0, result.output
    _every_output(folder)
    _every_output(folder, "2022-06-30")


def test_an_integer_beyond_float_range_is_a_problem(tmp_path: Path) -> None:
    folder = _one_kpi(tmp_path, _actual("2024", "1" + "0" * 400), "min = 0")
    result = run("validate", "--data-dir", str(folder))
    assert result.exit_code == 1
    assert '"value" must be a finite number, not an integer too large for a number' in result.output
    bounds = _one_kpi(tmp_path, "", "min = 1" + "0" * 400)
    assert run("validate", "--data-dir", str(bounds)).exit_code == 1


def test_toml_nested_beyond_the_parsers_limit(tmp_path: Path) -> None:
    folder = _one_kpi(tmp_path, "x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    result = kpi_process("validate", "--data-dir", str(folder))
    assert result.returncode == 1
    assert "nested too deeply" in result.stderr and "Traceback" not in result.stderr


def test_output_to_a_full_device_is_one_line(data_dir: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [*KPI, "status", "--data-dir", str(data_dir), "--all"],
            stdout=full, stderr=subprocess.PIPE, text=True, timeout=30,
        )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "No space left on device" in result.stderr


@pytest.mark.parametrize(
    "command",
    ["list", "status --all", "status --all --format csv", "status --all --format markdown", "gap --all",
     "status --review", "report -o -", "status --format json"],
)  # fmt: skip
def test_a_closed_pipe_is_not_an_error(data_dir: Path, command: str) -> None:
    many = TARGETS + "".join(
        f'\n[[kpi]]\nid = "telecom.k{n}"\nsector = "telecom"\nname = "K {n}"\nunit = "%"\ndirection = "up"\n'
        f'targets = [{{ period = "2025", value = {n} }}]\n'
        for n in range(3000)
    )
    (data_dir / "targets.toml").write_text(many, encoding="utf-8")
    shell = f"{' '.join(KPI[:2])} '{KPI[2]}' {command} --data-dir {data_dir} | head -c 10"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=60, errors="replace"
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and result.stderr == ""


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_a_closed_pipe_does_not_hide_a_failed_check(data_dir: Path, fmt: str) -> None:
    many = TARGETS + "".join(
        f'\n[[kpi]]\nid = "telecom.k{n}"\nsector = "telecom"\nname = "K {n}"\nunit = "%"\ndirection = "up"\n'
        f'targets = [{{ period = "2021", value = {n} }}]\n'
        for n in range(1, 3000)
    )
    (data_dir / "targets.toml").write_text(many, encoding="utf-8")
    short = "".join(  # each short of its passed target: missed, red
        f'\n[[actual]]\nkpi = "telecom.k{n}"\nperiod = "2021"\nvalue = 0\nsource = "s"\n'
        for n in range(1, 3000)
    )
    (data_dir / "actuals.toml").write_text(short, encoding="utf-8")
    shell = (
        f"{' '.join(KPI[:2])} '{KPI[2]}' status --all --fail-on red --format {fmt} --data-dir {data_dir}"
        " | head -c 10"
    )
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", shell], capture_output=True, text=True, timeout=60, errors="replace"
    )
    assert result.returncode == 1 and result.stderr == "", result.stderr


# --- 12. narrow terminals ---------------------------------------------------------------


@pytest.mark.parametrize("width", [40, 45, 52, 60, 72, 79, 80, 81, 100, 200])
@pytest.mark.parametrize("lang", ["en", "vi"])
@pytest.mark.parametrize("command", ["status", "gap"])
def test_numbers_and_lights_stay_whole_at_any_width(width: int, lang: str, command: str) -> None:
    from kpi import display, i18n

    bundled = Path(__file__).resolve().parents[1]
    args = ("--all", "--lang", lang, "--as-of", "2025-06-30", "--data-dir", str(bundled))
    result = run(command, *args, env={"COLUMNS": str(width)})
    assert result.exit_code == 0
    out = result.output
    as_json = run(command, *args, "--format", "json")
    doc = strict_json(as_json.output)
    assert isinstance(doc, dict)
    i18n.set_language(lang)
    try:
        for k in doc["kpis"]:
            if k["latest"] is not None:
                shown = display.value(k["latest"]["value"], k["unit"])
                assert shown in out.split() or ("~" + shown) in out.split(), (width, k["id"], shown)
            if command == "gap" and k.get("projected_completion"):
                when = display.iso(date.fromisoformat(k["projected_completion"]))
                assert when in out.split(), (width, k["id"], when)
    finally:
        i18n.set_language("en")
    lights = sum(out.count(symbol) for symbol in "✔▲✖○")
    rows = [k for k in doc["kpis"] if command == "status" or k["gap"] is not None]
    assert lights >= len(rows)  # every row's light (plus the summary's)
    # Nothing is cut: a name wraps between its words (no "…"), a number or light never breaks.
    assert "…" not in out
    names = {w for k in doc["kpis"] for w in k["name"].split()}
    assert names <= set(out.split()), width
    # Every KPI id whole on its line, so that it can be copied into kpi show.
    words = set(out.split())
    assert all(k["id"] in words for k in rows), width
    table_lines = [line for line in out.splitlines() if not line.startswith("  ")]
    assert all(len(line) <= width for line in table_lines), width


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_at_80_columns_a_kpi_s_id_has_its_own_line_and_its_figures_one_more(lang: str) -> None:
    bundled = Path(__file__).resolve().parents[1]
    args = ("--all", "--lang", lang, "--as-of", "2025-06-30", "--data-dir", str(bundled))
    out = run("status", *args, env={"COLUMNS": "80"}).output
    doc = strict_json(run("status", *args, "--format", "json").output)
    assert isinstance(doc, dict)
    lines = out.splitlines()
    ids = [k["id"] for k in doc["kpis"]]
    for kpi_id in ids:
        # the id whole at the start of its own line, under the KPI's name (wrapped if long)
        at = [n for n, line in enumerate(lines) if line.split()[:1] == [kpi_id]]
        assert len(at) == 1, kpi_id
        following = lines[at[0] + 1] if at[0] + 1 < len(lines) else ""
        assert not following.startswith("    "), (kpi_id, following)  # no third line at 80 columns
    assert len(lines) <= 3 * len(ids) + 25  # was 348 lines for 61 KPIs
    assert all(len(line) <= 80 for line in lines)
    assert not any(line.endswith(" ") for line in lines)  # piped: no padding to the width


def test_columns_zero_still_prints(data_dir: Path) -> None:
    result = run("status", "--data-dir", str(data_dir), "--as-of", AS_OF, env={"COLUMNS": "0"})
    assert result.exit_code == 0 and "Test plan" in result.output


# --- 13. a huge quote costs what is shown ------------------------------------------------


def test_show_bounds_a_long_quote(data_dir: Path) -> None:
    quote = "chữ " * 250_000
    text = edit(ACTUALS, 'source = "report"\n', f'source = "report"\nquote = "{quote}"\n', 1)
    (data_dir / "actuals.toml").write_text(text, encoding="utf-8")
    result = run(
        "show", "telecom.fiber", "--data-dir", str(data_dir), "--as-of", AS_OF, env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0
    assert "(+998,000 characters;" in result.output
    assert len(result.output) < 20_000
    doc = strict_json(run("show", "telecom.fiber", "--data-dir", str(data_dir), "--format", "json").output)
    assert isinstance(doc, dict) and doc["actuals"][0]["quote"] == quote


# --- 14. messages that say what they mean -----------------------------------------------


def test_a_datetime_where_a_date_is_wanted(data_dir: Path) -> None:
    text = edit(ACTUALS, "published = 2024-07-29", "published = 2024-07-29T10:30:00")
    (data_dir / "actuals.toml").write_text(text, encoding="utf-8")
    result = run("validate", "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert (
        '"published" must be a date without a time of day (published = 2024-07-29), not a date with a time'
        in result.output
    )


# --- siblings found by a second review ------------------------------------------------------


@pytest.mark.parametrize("redirect", ["2>&-", ">&-", ">&- 2>&-"])
def test_closed_standard_streams(data_dir: Path, redirect: str) -> None:
    command = f"{' '.join(KPI[:2])} '{KPI[2]}' validate --data-dir {data_dir} {redirect}"
    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr


def test_an_encoding_without_vietnamese_is_not_a_crash(data_dir: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    command = [*KPI, "status", "--data-dir", str(data_dir), "--all", "--lang", "vi"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, env=env)
    assert result.returncode == 0 and "internal error" not in result.stderr
    assert "Vi\\u1ec5n th\\xf4ng" in result.stdout  # "Viễn thông", escaped


def test_paths_in_messages_cannot_act_on_the_terminal(data_dir: Path, tmp_path: Path) -> None:
    osc = "\x1b]0;PWN\x07"
    written = run("report", "--data-dir", str(data_dir), "-o", str(tmp_path / f"r{osc}.html"))
    assert written.exit_code == 0
    missing = run("report", "--data-dir", str(data_dir), "-o", str(tmp_path / f"no{osc}" / "r.html"))
    assert missing.exit_code == 1
    recorded = run(
        *RECORD, "--targets", str(data_dir / "targets.toml"), "--actuals", str(tmp_path / f"a{osc}.toml")
    )
    assert recorded.exit_code == 0
    for result in (written, missing, recorded):
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "\\x1b]0;PWN\\x07" in result.output


def test_json_writes_invisible_controls_as_escapes(data_dir: Path) -> None:
    name = "a\x9b31mb\u202ec\u2028d"
    targets = edit(TARGETS, 'name = "Cáp quang"', f"name = {json.dumps(name)}")
    (data_dir / "targets.toml").write_text(targets, encoding="utf-8")
    out = run("status", "--data-dir", str(data_dir), "--format", "json", "--lang", "vi").output
    assert "\x9b" not in out and "\u202e" not in out and "\u2028" not in out
    assert "\\u009b" in out and "\\u202e" in out
    assert strict_json(out)["kpis"][0]["name"] == name  # type: ignore[index]
    table = run("status", "--data-dir", str(data_dir), "--all", "--lang", "vi").output
    assert "\u202e" not in table and "\\u202e" in table


@pytest.mark.parametrize("period", ["２０２０", "٢٠٢٠", "2020-０６"])
def test_periods_take_ascii_digits_only(data_dir: Path, period: str) -> None:
    result = run(
        "record", "telecom.fiber", "70", "--period", period, "--source", "s", "--data-dir", str(data_dir)
    )
    assert result.exit_code == 2 and "invalid period" in result.output
    text = edit(ACTUALS, 'period = "2022"', f'period = "{period}"', 1)
    (data_dir / "actuals.toml").write_text(text, encoding="utf-8")
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9007199254740993", "has 16 significant digits; kpi keeps 15"),
        ("123456789012345678901234567890", "kpi keeps 15"),
        ("١٢٣", "is not a number"),
    ],
)
def test_record_never_stores_another_number_than_typed(data_dir: Path, value: str, message: str) -> None:
    result = run(
        "record", "digital.revenue", value, "--period", "2023", "--source", "s", "--data-dir", str(data_dir)
    )
    assert result.exit_code == 2 and message in result.output
    assert (data_dir / "actuals.toml").read_text(encoding="utf-8") == ACTUALS


def test_record_keeps_large_whole_numbers_exact(data_dir: Path) -> None:
    result = run("record", "digital.revenue", "1e23", "--period", "2023", "--source", "s", "--data-dir",
                 str(data_dir))  # fmt: skip
    assert result.exit_code == 0
    assert "value = 1e+23\n" in (data_dir / "actuals.toml").read_text(encoding="utf-8")
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0


@pytest.mark.parametrize("published", ["1/1/1", "7/5/24", "2019-12-31T10:00", "2024/07/29", "29-07-2024"])
def test_dates_are_whole_and_unambiguous(data_dir: Path, published: str) -> None:
    result = run(*RECORD, "--published", published, "--data-dir", str(data_dir))
    assert result.exit_code == 2 and "is not a date" in result.output


def test_year_first_dates_are_year_month_day(data_dir: Path) -> None:
    assert run(*RECORD, "--published", "2024-7-5", "--data-dir", str(data_dir)).exit_code == 0
    assert "published = 2024-07-05" in (data_dir / "actuals.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("mode", [0o464, 0o444])
def test_the_owners_write_bit_decides(data_dir: Path, mode: int) -> None:
    actuals = data_dir / "actuals.toml"
    actuals.chmod(mode)
    assert run(*RECORD, "--data-dir", str(data_dir)).exit_code == 1
    data_dir.chmod(0o575)
    actuals.chmod(0o644)
    try:
        result = run(*RECORD, "--data-dir", str(data_dir))
        assert result.exit_code == 1 and "is read-only" in result.output
    finally:
        data_dir.chmod(0o755)
    assert actuals.read_text(encoding="utf-8") == ACTUALS


def test_a_hard_linked_file_is_not_split(data_dir: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text("old")
    os.link(report, tmp_path / "alias.html")
    result = run("report", "--data-dir", str(data_dir), "-o", str(tmp_path / "alias.html"))
    assert result.exit_code == 1 and "hard links" in result.output
    assert report.read_text() == "old"


def test_record_reads_quoted_table_names(data_dir: Path) -> None:
    actuals = data_dir / "actuals.toml"
    actuals.write_text(
        edit(edit(ACTUALS, "[[actual]]", '[[ "actual" ]]', 1), "[[actual]]", "[['actual']]", 1)
    )
    for extra in ((), ("--replace",)):
        result = run(*RECORD, *extra, "--data-dir", str(data_dir))
        assert result.exit_code == 0, result.output
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0


def test_csv_guard_can_always_be_undone(data_dir: Path) -> None:
    targets = edit(edit(TARGETS, 'name_en = "Fibre"', 'name_en = "\'=1+1"'), 'unit = "%"', 'unit = "=1+1"', 1)
    (data_dir / "targets.toml").write_text(targets, encoding="utf-8")
    out = run("list", "--data-dir", str(data_dir), "--format", "csv", "--lang", "en").stdout_bytes.decode()
    [row] = [r for r in csv.DictReader(io.StringIO(out, newline="")) if r["id"] == "telecom.fiber"]
    assert row["name"] == "''=1+1" and row["unit"] == "'=1+1"
    assert row["name"][1:] == "'=1+1" and row["unit"][1:] == "=1+1"


def test_numbers_in_show_stay_whole_on_narrow_terminals(data_dir: Path) -> None:
    big = edit(ACTUALS, "[[actual]]", "", 0) + (
        '\n[[actual]]\nkpi = "digital.revenue"\nperiod = "2021"\nvalue = 71234567890\nsource = "s"\n'
        '\n[[actual]]\nkpi = "digital.revenue"\nperiod = "2022"\nvalue = 3700000\nsource = "s"\n'
    )
    (data_dir / "actuals.toml").write_text(big, encoding="utf-8")
    for width in range(40, 81, 5):
        out = run("show", "digital.revenue", "--data-dir", str(data_dir), "--lang", "en",
                  env={"COLUMNS": str(width)}).output  # fmt: skip
        assert "71,234,567,890" in out and "3,700,000" in out, width
        assert "…" not in out


def test_show_with_many_figures(data_dir: Path) -> None:
    many = "".join(
        f'[[actual]]\nkpi = "digital.revenue"\nperiod = "{1000 + n // 12}-{n % 12 + 1:02d}"\n'
        f'value = {n + 1}\nsource = "s"\n\n'
        for n in range(5000)
    )
    (data_dir / "actuals.toml").write_text(many, encoding="utf-8")
    result = kpi_process(
        "show", "digital.revenue", "--format", "json", "--data-dir", str(data_dir), timeout=30
    )
    assert result.returncode == 0 and len(json.loads(result.stdout)["actuals"]) == 5000


def test_cache_recovers_from_a_killed_store(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "CACHE_MIN_BYTES", 0)
    folder = tmp_path / "cache"
    monkeypatch.setenv("KPI_CACHE_DIR", str(folder))
    folder.mkdir(mode=0o700)
    (folder / "key").write_bytes(b"")  # a first run killed between creating and writing its key
    (folder / "key").chmod(0o600)
    stale = folder / ".entry.abcdefgh.tmp"
    stale.write_bytes(b"half")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    load(locate(data_dir=data_dir))
    assert len((folder / "key").read_bytes()) == 32
    assert not stale.exists() and list(folder.glob("*.pickle"))
    again, problems = load(locate(data_dir=data_dir))
    assert problems == [] and len(again.actuals) == 4


@pytest.mark.parametrize(
    ("example", "edit_from", "edit_to"),
    [
        ("provinces", "[[org]]", '[[rename]]\norg = "ha-noi"\ndate = 0001-01-01\nfrom = "Old"\n'
                                 'source = "s"\n\n[[org]]'),
        ("cycle", "due = { months = 0, day = 6 }", "next_release = 0001-01-01"),
        ("cycle", "due = { months = 0, day = 6 }", "next_release = 9999-12-31"),
    ],
)  # fmt: skip
def test_a_calendar_s_dates_at_the_ends_of_time_are_problems(
    tmp_path: Path, example: str, edit_from: str, edit_to: str
) -> None:
    folder = tmp_path / example
    shutil.copytree(Path(__file__).resolve().parents[1] / "docs" / "examples" / example, folder)
    text = (folder / "targets.toml").read_text(encoding="utf-8")
    (folder / "targets.toml").write_text(text.replace(edit_from, edit_to, 1), encoding="utf-8")
    for command in (("validate",), ("due", "--as-of", "2024-08-01"), ("status",)):
        result = run(*command, "--data-dir", str(folder), "--lang", "en")
        assert result.exit_code == 1, result.output
        assert "must be a date from 1000-01-01 to 9899-12-31" in result.output
        assert "internal error" not in result.output
