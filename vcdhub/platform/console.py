"""Console helpers shared by the vcdhub commands: a progress bar on stderr only when it is a terminal."""

import sys

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def progress_bar(enabled: bool = True) -> Progress:
    console = Console(stderr=True)
    return Progress(
        # The note is user text (a file name): never read as rich markup.
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[note]}", markup=False),
        TimeElapsedColumn(), console=console, disable=not (enabled and sys.stderr.isatty()), transient=False,
    )
