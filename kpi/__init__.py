"""kpi: track a sector plan's KPIs against their targets."""

__version__ = "0.1.0"
