"""The files `kpi init` writes: a commented plan to fill in, or the example plan.

The commented templates are whole files per language rather than catalog messages: a comment
explaining a key reads best written as a paragraph by someone who knows the language, and the
TOML around it must stay byte for byte the same in both.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

from kpi.atomic import WriteError, _umask, check_writable
from kpi.i18n import Lang, msg

NAMES = ("targets.toml", "actuals.toml")

TARGETS = {
    "vi": """\
#:schema ./schema/targets.schema.json
# Kế hoạch và các chỉ tiêu. Mỗi mục tiêu nên ghi nguồn (source) và trích đoạn văn bản nêu nó (quote).
# Kiểm tra tệp bằng `kpi validate`; xem hướng dẫn đầy đủ trong README của kpi.

[plan]
name = "Kế hoạch giai đoạn {start}-{end}"   # tên kế hoạch, như trong văn bản ban hành
period = "{start}-{end}"                    # kỳ kế hoạch: năm đầu-năm cuối
lang = "vi"                                 # ngôn ngữ hiển thị: "vi" hoặc "en"

[assessment]
on_track = 0.95              # đạt từ 95% tiến độ cần thiết trở lên: xanh
acceleration_needed = 0.60   # từ 60% đến dưới 95%: vàng; dưới 60%: đỏ

# Mỗi lĩnh vực một bảng; tên sau "sectors." là mã dùng trong các chỉ tiêu và trong --sector.
[sectors.chung]
name = "Chỉ tiêu chung"

# Một chỉ tiêu tỷ lệ phần trăm, cần tăng.
[[kpi]]
id = "chung.ty_le_dvc_truc_tuyen"    # mã duy nhất: lĩnh vực.tên, không dấu, không khoảng trắng
sector = "chung"                     # mã lĩnh vực ở trên
name = "Tỷ lệ dịch vụ công trực tuyến toàn trình"
unit = "%"                           # đơn vị hiển thị sau số liệu
direction = "up"                     # "up": càng cao càng tốt; "down": càng thấp càng tốt
min = 0                              # giới hạn giá trị hợp lệ (không bắt buộc)
max = 100
# Mục tiêu tại các mốc; stretch là mức phấn đấu (không bắt buộc).
targets = [
  {{ period = "{mid}", value = 50 }},
  {{ period = "{end}", value = 80, stretch = 90 }},
]
source = "Tên văn bản giao chỉ tiêu"
quote = "Trích đoạn nêu chỉ tiêu, đúng như trong văn bản"

# Một chỉ tiêu xếp hạng: số nhỏ hơn là tốt hơn.
[[kpi]]
id = "chung.xep_hang"
sector = "chung"
name = "Xếp hạng chỉ số chuyển đổi số"
unit = "hạng"
direction = "down"
min = 1
targets = [{{ period = "{end}", value = 10 }}]
source = "Tên văn bản giao chỉ tiêu"
quote = "Trích đoạn nêu chỉ tiêu"
""",
    "en": """\
#:schema ./schema/targets.schema.json
# The plan and its KPIs. Each target should cite its source and quote the fragment stating it.
# Check the file with `kpi validate`; kpi's README explains every key.

[plan]
name = "Plan {start}-{end}"   # the plan's name, as in the document that set it
period = "{start}-{end}"      # the plan's period: first year-last year
lang = "en"                   # language of what kpi prints: "vi" or "en"

[assessment]
on_track = 0.95              # at least 95 % of the progress needed: green
acceleration_needed = 0.60   # 60 % to under 95 %: amber; under 60 %: red

# One table per sector; the name after "sectors." is the id KPIs and --sector use.
[sectors.general]
name = "General"

# A percentage that should rise.
[[kpi]]
id = "general.online_services"   # unique id: sector.name, no spaces
sector = "general"               # a sector id from above
name = "Share of public services fully online"
unit = "%"                       # shown after the figures
direction = "up"                 # "up": higher is better; "down": lower is better
min = 0                          # the range a figure can take (optional)
max = 100
# Targets at milestone periods; stretch is an ambition beyond the target (optional).
targets = [
  {{ period = "{mid}", value = 50 }},
  {{ period = "{end}", value = 80, stretch = 90 }},
]
source = "The document that set the target"
quote = "The fragment stating the target, word for word"

# A rank: a smaller number is better.
[[kpi]]
id = "general.rank"
sector = "general"
name = "Digital transformation index rank"
unit = "rank"
direction = "down"
min = 1
targets = [{{ period = "{end}", value = 10 }}]
source = "The document that set the target"
quote = "The fragment stating the target"
""",
}

ACTUALS = {
    "vi": """\
#:schema ./schema/actuals.schema.json
# Số liệu thực hiện: mỗi số liệu một bảng [[actual]], ghi nguồn và trích đoạn nêu số liệu.
# Thêm bằng `kpi record`, ví dụ:
#   kpi record {kpi} 45,5 --period {month} --source "Báo cáo tháng" --quote "đạt 45,5%"
# Một số liệu "ước đạt" thêm --estimated; ngày công bố thêm --published {start}-12-20.
""",
    "en": """\
#:schema ./schema/actuals.schema.json
# Figures: one [[actual]] table each, citing its source and quoting the fragment stating it.
# Add them with `kpi record`, for example:
#   kpi record {kpi} 45.5 --period {month} --source "Monthly report" --quote "reached 45.5%"
# An estimate takes --estimated; the day it was reported, --published {start}-12-20.
""",
}

EXAMPLE_HEADER_VI = {
    "targets.toml": (
        "# Kế hoạch mẫu để dùng thử kpi: hai lĩnh vực của Kế hoạch phát triển ngành Thông tin và\n"
        "# Truyền thông giai đoạn 2021-2025, với mục tiêu, số liệu và nguồn thật (do\n"
        "# `kpi init --example` ghi). Thay bằng kế hoạch của bạn, hoặc bắt đầu từ `kpi init`.\n"
    ),
    "actuals.toml": (
        "# Số liệu của kế hoạch mẫu, mỗi số liệu ghi văn bản nguồn và trích đoạn nêu nó.\n"
        "# Thêm số liệu bằng `kpi record`.\n"
    ),
}

FIRST_KPI = {"vi": "chung.ty_le_dvc_truc_tuyen", "en": "general.online_services"}


def starter_files(lang: Lang, today: date, example: bool) -> dict[str, bytes]:
    """The two files, by name: the commented plan for five years from today's, or the example."""
    if example:
        folder = resources.files("kpi") / "example"
        files = {
            name: b"#:schema ./schema/%s\n" % name.replace(".toml", ".schema.json").encode()
            + (folder / name).read_bytes()
            for name in NAMES
        }
        if lang == "en":
            # The example plan's names are Vietnamese with English ones beside them.
            files["targets.toml"] = files["targets.toml"].replace(
                b'period = "2021-2025"\n', b'period = "2021-2025"\nlang = "en"\n', 1
            )
        else:
            for name, header in EXAMPLE_HEADER_VI.items():
                english, rest = files[name].split(b"\n\n", 1)
                schema_line = english.split(b"\n", 1)[0]
                files[name] = schema_line + b"\n" + header.encode("utf-8") + b"\n" + rest
        return files
    start = today.year
    last_month = date(today.year, today.month, 1) - timedelta(days=1)  # a period already over
    fields = {
        "start": start,
        "end": start + 4,
        "mid": start + 2,
        "kpi": FIRST_KPI[lang],
        "month": f"{last_month:%Y-%m}",
    }
    return {
        "targets.toml": TARGETS[lang].format(**fields).encode("utf-8"),
        "actuals.toml": ACTUALS[lang].format(**fields).encode("utf-8"),
    }


def with_orgs(files: dict[str, bytes], name: str) -> dict[str, bytes]:
    """The files with a bundled organisation file beside them, named by [files] orgs in
    targets.toml (right after the [plan] table)."""
    data = (resources.files("kpi") / "orgfiles" / f"{name}.toml").read_bytes()
    targets = files["targets.toml"]
    table = f'[files]\norgs = "{name}.toml"\n\n'.encode()
    at = min(
        (i for i in (targets.find(b"\n[assessment]"), targets.find(b"\n[sectors")) if i >= 0), default=-1
    )
    targets = targets[: at + 1] + table + targets[at + 1 :] if at >= 0 else targets + b"\n" + table
    return {**files, "targets.toml": targets, f"{name}.toml": data}


def create_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet: linked into place whole, never over another file."""
    check_writable(path)
    folder = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o666 & ~_umask())
        try:
            os.link(tmp_name, path)  # fails if path appeared meanwhile: nothing is overwritten
        except FileExistsError:
            raise WriteError(
                msg("{file} already exists; kpi init leaves it as it is", file=str(path))
            ) from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
                raise
            # A file system without hard links: exclusive creation, then the bytes.
            try:
                with open(path, "xb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
            except FileExistsError:
                raise WriteError(
                    msg("{file} already exists; kpi init leaves it as it is", file=str(path))
                ) from None
    finally:
        os.unlink(tmp_name)


def write_all(target: Path, files: dict[str, bytes]) -> None:
    """Write every file under target, each new, or none: what was made before a failure is
    removed again, so a second kpi init does not meet half a plan."""
    folders = sorted({(target / name).parent for name in files}, key=lambda p: len(p.parts))
    for folder in folders:
        if os.path.lexists(folder) and not folder.is_dir():
            raise WriteError(msg("{folder} is a file, not a folder; nothing was written", folder=str(folder)))
    made: list[Path] = []
    try:
        for folder in folders:
            missing = []
            walk = folder
            while not os.path.lexists(walk):
                missing.append(walk)
                walk = walk.parent
            for path in reversed(missing):
                path.mkdir()
                made.append(path)
        for name, data in files.items():
            create_new(target / name, data)
            made.append(target / name)
    except (WriteError, OSError) as exc:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
        if isinstance(exc, WriteError):
            raise  # what was made is gone again: its "nothing was changed" holds
        raise WriteError(
            msg(
                "{file}: {reason}; nothing was written",
                file=str(exc.filename or target),
                reason=exc.strerror or str(exc),
            )
        ) from None
