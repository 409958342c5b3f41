"""Console helpers shared by the vcdhub commands: a progress bar on stderr only when it is a terminal."""

import sys

from django.core.checks import Tags
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

# Django's system checks that a command run from a script makes before it starts: settings, models, caches and the
# rest, but not those of the URLs and the admin. Those import every view and analysis library (2.7 s of a 4.5 s
# start on a two-core machine) and check the code, not the data; `vcdhub serve` and `vcdhub check` run them.
COMMAND_CHECKS = [Tags.async_support, Tags.caches, Tags.compatibility, Tags.files, Tags.models, Tags.security,
                  Tags.signals, Tags.staticfiles, Tags.templates, Tags.translation, "commands"]


def progress_bar(enabled: bool = True) -> Progress:
    console = Console(stderr=True)
    return Progress(
        # The note is user text (a file name): never read as rich markup.
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[note]}", markup=False),
        TimeElapsedColumn(), console=console, disable=not (enabled and sys.stderr.isatty()), transient=False,
    )
