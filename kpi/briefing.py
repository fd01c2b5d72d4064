"""What the first page of a meeting's report holds, as plain selections of the assessment:
shared by the HTML report and the Word report so that both say the same."""

from collections.abc import Sequence

from kpi.assess import Assessment
from kpi.render import attention_order
from kpi.statuses import LIGHTS


def light_counts(results: Sequence[Assessment]) -> dict[str, int]:
    counts = dict.fromkeys(LIGHTS, 0)
    for a in results:
        counts[a.light] += 1
    return counts


def needs_attention(results: Sequence[Assessment]) -> list[Assessment]:
    """The red and amber KPIs, worst first."""
    return [a for a in attention_order(results) if a.light in ("red", "amber")]


def without_figures(results: Sequence[Assessment]) -> list[Assessment]:
    """The KPIs with targets and no figure at all."""
    return [a for a in results if not a.known and a.kpi.targets]
