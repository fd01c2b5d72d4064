"""`kpi record`: appends exactly one table, never loses or changes what was there."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import tomli
from hypothesis import given, settings
from hypothesis import strategies as st

from kpi.record import Entry, RecordError, append, block, replace
from tests.builders import edit
from tests.conftest import ACTUALS, run

RECORD = ("record", "telecom.fiber", "84.1", "--period", "2024-12", "--source", "Báo cáo 2024")

ODD = """#:schema ./actuals.schema.json
# Comments, odd spacing and key order must survive byte for byte.

[[actual]]   # first
period="2022"
kpi   =   "telecom.fiber"
value = 6_5
source = 'report'   # literal string


[[actual]]
kpi = "digital.rank"
period = "2024"
value = 67
source = \"\"\"multi
line\"\"\"
# trailing comment, no final newline"""


def test_appends_and_leaves_every_existing_byte(data_dir: Path) -> None:
    path = data_dir / "actuals.toml"
    path.write_text(ODD, encoding="utf-8")
    before = path.read_bytes()
    result = run(*RECORD, "--estimated", "--published", "2024-12-28", "--data-dir", str(data_dir))
    assert result.exit_code == 0, result.output
    after = path.read_bytes()
    assert after.startswith(before)
    added = after[len(before) :].decode()
    assert added == (
        "\n\n[[actual]]\n"
        'kpi = "telecom.fiber"\nperiod = "2024-12"\nvalue = 84.1\nestimated = true\n'
        'published = 2024-12-28\nsource = "Báo cáo 2024"\n'
    )
    assert "recorded telecom.fiber 2024-12 = 84.1 (estimate)" in result.output
    # today the 2025 milestone has passed and no 2025 figure is known yet
    assert "status now ○ awaiting final figure" in result.output
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0


def test_crlf_files_get_crlf_lines(data_dir: Path) -> None:
    path = data_dir / "actuals.toml"
    path.write_bytes(edit(ACTUALS, "\n", "\r\n").encode())
    before = path.read_bytes()
    assert run(*RECORD, "--data-dir", str(data_dir)).exit_code == 0
    added = path.read_bytes()[len(before) :]
    assert b"\n" not in added.replace(b"\r\n", b"")


def test_a_table_after_a_short_inline_list_is_not_swallowed() -> None:
    old = "actual = []\n"  # not [[actual]] form
    with pytest.raises(RecordError, match="inline actual"):
        append(old + "[[other]]\nx = 1\n", Entry("k", "2024", 1, "s"))
    entry = Entry("k", "2024", 1.5, "s", note="a = [1]")
    text = block(entry)
    assert text.startswith("[[actual]]\n")
    assert tomli.loads(text)["actual"] == [entry.table()]


def test_refuses_a_duplicate_without_replace(data_dir: Path) -> None:
    before = (data_dir / "actuals.toml").read_bytes()
    result = run(
        "record", "telecom.fiber", "70", "--period", "2022", "--source", "x", "--data-dir", str(data_dir)
    )
    assert result.exit_code == 1
    assert (
        'actual[1] already records telecom.fiber for period "2022" (value 65); use --replace' in result.output
    )
    assert (data_dir / "actuals.toml").read_bytes() == before


def test_replace_rewrites_only_that_entry(data_dir: Path) -> None:
    path = data_dir / "actuals.toml"
    path.write_text(ODD, encoding="utf-8")
    result = run(
        "record", "telecom.fiber", "66", "--period", "2022", "--source", "corrected", "--replace",
        "--data-dir", str(data_dir),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "replaced telecom.fiber 2022 = 65" in result.output
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#:schema ./actuals.schema.json\n# Comments")
    assert (
        '[[actual]]\nkpi = "telecom.fiber"\nperiod = "2022"\nvalue = 66\nsource = "corrected"\n\n\n[[actual]]'
        in text
    )
    assert text.endswith('line"""\n# trailing comment, no final newline')
    assert [a["value"] for a in tomli.loads(text)["actual"]] == [66, 67]


def test_replace_of_the_last_entry_keeps_trailing_comments() -> None:
    new, raw, old = replace(ODD, Entry("digital.rank", "2024", 66, "s"))
    assert old is not None and old["value"] == 67
    assert new.endswith('[[actual]]\nkpi = "digital.rank"\nperiod = "2024"\nvalue = 66\nsource = "s"\n'
                        "# trailing comment, no final newline")  # fmt: skip
    assert len(raw) == 2


def test_dry_run_prints_the_block_and_changes_nothing(data_dir: Path) -> None:
    before = (data_dir / "actuals.toml").read_bytes()
    result = run(*RECORD, "--dry-run", "--data-dir", str(data_dir))
    assert result.exit_code == 0
    assert (
        result.output
        == '[[actual]]\nkpi = "telecom.fiber"\nperiod = "2024-12"\nvalue = 84.1\nsource = "Báo cáo 2024"\n'
    )
    assert (data_dir / "actuals.toml").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("record", "telecom.fibre", "1", "--period", "2024", "--source", "s"),
            2,
            'did you mean "telecom.fiber"?',
        ),
        (
            ("record", "telecom.fiber", "1", "--period", "2024-13", "--source", "s"),
            2,
            "month must be 01 to 12",
        ),
        (
            ("record", "telecom.fiber", "101", "--period", "2024", "--source", "s"),
            2,
            "above telecom.fiber's max 100",
        ),
        (
            ("record", "telecom.fiber", "nan", "--period", "2024", "--source", "s"),
            2,
            '"nan" is not a finite number',
        ),
        (
            ("record", "telecom.fiber", "1.320", "--period", "2024", "--source", "s"),
            2,
            '"1.320" reads as 1320 in Vietnamese notation but as 1.32 in English',
        ),
        (("record", "digital.revenue", "0", "--period", "2024", "--source", "s"), 2, "must be positive"),
        (("record", "telecom.fiber", "1", "--period", "2024"), 2, "Missing option '--source'"),
    ],
)
def test_refusals(data_dir: Path, args: tuple[str, ...], code: int, message: str) -> None:
    before = (data_dir / "actuals.toml").read_bytes()
    result = run(*args, "--data-dir", str(data_dir))
    assert result.exit_code == code
    assert message in result.output
    assert (data_dir / "actuals.toml").read_bytes() == before


def test_creates_actuals_when_missing(data_dir: Path) -> None:
    (data_dir / "actuals.toml").unlink()
    assert run(*RECORD, "--data-dir", str(data_dir)).exit_code == 0
    text = (data_dir / "actuals.toml").read_text(encoding="utf-8")
    assert text.startswith("[[actual]]\n")
    mode = stat.S_IMODE((data_dir / "actuals.toml").stat().st_mode)
    assert mode == 0o666 & ~_umask()
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('[[actual]]\nkpi = "x\n', "the existing file does not parse"),
        ('actual = [{ kpi = "telecom.fiber", period = "2020", value = 1, source = "s" }]\n', "inline actual"),
        ("\ufeff[[actual]]\n", "byte-order mark"),
    ],
)
def test_refuses_a_broken_file_and_leaves_it(data_dir: Path, content: str, message: str) -> None:
    path = data_dir / "actuals.toml"
    path.write_text(content, encoding="utf-8")
    before = path.read_bytes()
    result = run(*RECORD, "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert path.read_bytes() == before


def test_keeps_permissions_and_symlinks(data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("real") / "actuals.toml"
    (data_dir / "actuals.toml").rename(elsewhere)
    os.chmod(elsewhere, 0o640)
    (data_dir / "actuals.toml").symlink_to(elsewhere)
    assert run(*RECORD, "--data-dir", str(data_dir)).exit_code == 0
    assert (data_dir / "actuals.toml").is_symlink()
    assert "2024-12" in elsewhere.read_text(encoding="utf-8")
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o640
    assert not [p for p in elsewhere.parent.iterdir() if p.name.endswith(".tmp")]


def test_read_only_file(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """os.access decides (CI runs as root, who may write anything): simulate a read-only file."""
    path = data_dir / "actuals.toml"
    before = path.read_bytes()
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == path else real_access(p, mode))
    result = run(*RECORD, "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert "the file is read-only; nothing was changed" in result.output
    assert path.read_bytes() == before


def test_read_only_folder(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    def denied(**kwargs: object) -> tuple[int, str]:
        raise PermissionError(13, "Permission denied")

    before = (data_dir / "actuals.toml").read_bytes()
    monkeypatch.setattr(tempfile, "mkstemp", denied)
    result = run(*RECORD, "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert f"cannot write in {data_dir}: Permission denied; nothing was changed" in result.output
    assert (data_dir / "actuals.toml").read_bytes() == before


def test_full_disk_leaves_the_original(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    path = data_dir / "actuals.toml"
    before = path.read_bytes()

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    result = run(*RECORD, "--data-dir", str(data_dir))
    assert result.exit_code == 1
    assert "cannot write: the disk is full; nothing was changed" in result.output
    assert path.read_bytes() == before
    assert sorted(p.name for p in data_dir.iterdir()) == ["actuals.toml", "targets.toml"]


def test_missing_folder(tmp_path: Path, data_dir: Path) -> None:
    result = run(*RECORD, "--data-dir", str(data_dir), "--actuals", str(tmp_path / "nope" / "actuals.toml"))
    assert result.exit_code == 1
    assert "folder does not exist" in result.output


KILLED_BETWEEN_TEMP_AND_REPLACE = """
import os, signal, sys
os.replace = lambda *a: os.kill(os.getpid(), signal.SIGKILL)
sys.argv = ["kpi", *sys.argv[1:]]
from kpi.cli import main
main()
"""


def test_a_write_killed_before_replace_leaves_the_original(data_dir: Path) -> None:
    path = data_dir / "actuals.toml"
    before = path.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_BETWEEN_TEMP_AND_REPLACE, *RECORD, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == -9
    assert path.read_bytes() == before
    leftovers = [p for p in data_dir.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) == 1  # the complete new text, never the original torn
    assert b"2024-12" in leftovers[0].read_bytes()
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0


def test_twenty_concurrent_records_all_land(data_dir: Path) -> None:
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kpi",
                "record",
                "telecom.fiber",
                str(60 + n / 10),
                "--period",
                f"2023-{n % 12 + 1:02d}-{n // 12 + 1:02d}",
                "--source",
                f"run {n}",
                "--data-dir",
                str(data_dir),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(20)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    actuals = tomli.loads((data_dir / "actuals.toml").read_text(encoding="utf-8"))["actual"]
    assert len(actuals) == 4 + 20
    assert {a["source"] for a in actuals[4:]} == {f"run {n}" for n in range(20)}
    assert run("validate", "--data-dir", str(data_dir)).exit_code == 0


def test_lock_timeout_is_a_clear_error(data_dir: Path) -> None:
    import fcntl

    fd = os.open(data_dir, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        result = run(*RECORD, "--lock-timeout", "0.2", "--data-dir", str(data_dir))
    finally:
        os.close(fd)
    assert result.exit_code == 1
    assert "another kpi process is writing here; gave up after 0.2 s" in result.output


ENTRIES = st.builds(
    Entry,
    kpi=st.sampled_from(["a", "b.c", "telecom.fiber"]),
    period=st.sampled_from(["2024", "2024-H1", "2023-05"]),
    value=st.floats(min_value=-1e12, max_value=1e12, allow_nan=False) | st.integers(-(10**9), 10**9),
    source=st.text(min_size=1, max_size=20),
    quote=st.none() | st.text(max_size=30),
    note=st.none() | st.text(max_size=30),
    estimated=st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(ENTRIES, st.sampled_from(["", "\n", "# c\n", "\n# [[actual]]\n", "  "])), max_size=4),
    ENTRIES,
    st.booleans(),
)
def test_append_keeps_the_prefix_and_adds_exactly_one_table(
    existing: list[tuple[Entry, str]], entry: Entry, crlf: bool
) -> None:
    parts = []
    for n, (e, trivia) in enumerate(existing):
        e = Entry(e.kpi, f"19{n:02d}", e.value, e.source, e.quote)  # distinct periods
        parts.append(trivia + block(e))
    old = "".join(parts)
    if crlf:
        old = old.replace("\n", "\r\n")
    new, raw, revised = append(old, entry)
    assert revised is None
    assert new.startswith(old)
    assert raw[-1] == entry.table()
    assert len(raw) == len(existing) + 1


def test_without_flock_a_lock_file_is_used_and_removed(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where fcntl does not exist (Windows), writers queue on an exclusively created file."""
    monkeypatch.setitem(sys.modules, "fcntl", None)  # import fcntl now raises ImportError
    assert run(*RECORD, "--data-dir", str(data_dir)).exit_code == 0
    assert not (data_dir / ".kpi.lock").exists()
    (data_dir / ".kpi.lock").write_text("")  # another writer holds it
    result = run("record", "telecom.fiber", "1", "--period", "2019", "--source", "s",
                 "--lock-timeout", "0.1", "--data-dir", str(data_dir))  # fmt: skip
    assert result.exit_code == 1
    assert "locked by another kpi process (delete it if none is running)" in result.output
