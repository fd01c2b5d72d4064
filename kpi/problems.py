"""Problems found in the data files: one line each, in the form editors and CI understand."""

from collections.abc import Iterable
from typing import NamedTuple


class Problem(NamedTuple):
    file: str
    message: str
    path: str | None = None  # the entry: 'kpi "x" (kpi[3])', 'actual[12] (...)'
    line: int | None = None
    column: int | None = None
    warning: bool = False  # worth a look, not wrong: printed with "warning:", exit 0 unless --strict

    def text(self) -> str:
        """The problem in the current language: the file and entry as written, the message said."""
        from kpi.i18n import msg, tr

        said = tr(msg("warning: {message}", message=self.message)) if self.warning else tr(self.message)
        return str(self._replace(message=said, warning=False))

    def __str__(self) -> str:
        message = f"warning: {self.message}" if self.warning else self.message
        if self.line is not None:
            where = f"{self.file}:{self.line}:{self.column or 1}"
            return f"{where}: {self.path}: {message}" if self.path else f"{where}: {message}"
        if self.path:
            return f"{self.file}: {self.path}: {message}"
        return f"{self.file}: {message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
            "severity": "warning" if self.warning else "error",
        }


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean "x"?)' for the closest choice, or '' when none is close."""
    import difflib  # only on the error path: validate's clean path stays lean

    from kpi.i18n import msg

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return msg(' (did you mean "{word}"?)', word=close[0]) if close else ""
