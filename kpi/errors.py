"""The one error type of the core: what the user asked for cannot be done as asked. The command
line maps it to its exit code (2 for a usage error) and one line naming the option."""

from kpi.i18n import Message


class UsageProblem(Exception):
    """An option names something the plan does not have (a sector, a KPI, a milestone)."""

    exit_code = 2

    def __init__(self, message: Message | str, option: str) -> None:
        super().__init__(message)
        self.message = message
        self.option = option
