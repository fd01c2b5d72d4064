"""The one error family of kpi: what cannot be done, said in one line. A command that knows more
(the file, the cell) says it; any other KpiError reaches one handler (KpiCommand.invoke), which
prints its message and exits with its code: 2 for a usage problem, 1 for everything else."""

from kpi.i18n import Message


class KpiError(Exception):
    """Something the data or the machine does not allow; args[0] is the message."""

    exit_code = 1


class UsageProblem(KpiError):
    """An option names something the plan does not have (a sector, a KPI, a milestone)."""

    exit_code = 2

    def __init__(self, message: Message | str, option: str) -> None:
        super().__init__(message)
        self.message = message
        self.option = option
