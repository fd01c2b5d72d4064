from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kpi.cli import cli

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO.parent / "shared" / "seeds"

TARGETS = """\
[plan]
name = "Test plan"
period = "2021-2025"

[sectors.telecom]
name = "Viễn thông"
name_en = "Telecommunications"

[sectors.digital]
name = "Số"

[[kpi]]
id = "telecom.fiber"
sector = "telecom"
name = "Cáp quang"
name_en = "Fibre"
unit = "%"
direction = "up"
min = 0
max = 100
targets = [{ period = "2021", value = 60 }, { period = "2025", value = 80 }]

[[kpi]]
id = "digital.rank"
sector = "digital"
name = "Xếp hạng"
unit = "hạng"
direction = "down"
targets = [{ period = "2025", value = 50 }]

[[kpi]]
id = "digital.revenue"
sector = "digital"
name = "Doanh thu"
unit = "tỷ đồng"
trend = "compound"
"""

ACTUALS = """\
[[actual]]
kpi = "telecom.fiber"
period = "2022"
value = 65
source = "report"

[[actual]]
kpi = "telecom.fiber"
period = "2024-05"
value = 82.2
published = 2024-07-29
source = "report"

[[actual]]
kpi = "digital.rank"
period = "2022"
value = 73
source = "report"

[[actual]]
kpi = "digital.rank"
period = "2024"
value = 67
source = "report"
"""


@pytest.fixture(autouse=True)
def english_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Most tests read messages in English: they run with KPI_LANG=en unless they say --lang vi
    (tests/test_i18n.py tests the language rules themselves). The locale never leaks in."""
    monkeypatch.setenv("KPI_LANG", "en")
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Tests never write to the user's cache; subprocesses inherit the variable."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("KPI_CACHE_DIR", str(folder))
    monkeypatch.delenv("KPI_NO_CACHE", raising=False)
    return folder


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    (tmp_path / "targets.toml").write_text(TARGETS, encoding="utf-8")
    (tmp_path / "actuals.toml").write_text(ACTUALS, encoding="utf-8")
    return tmp_path


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
