"""What the vcdhub commands share: the system checks they run as they start, and argument checks, where a bad
argument is a usage error (exit status 2).

The argument checks themselves are platform.inputs' (the same the pages and the API use); this only turns their
InputError into the command's usage error, naming the flag.
"""

import datetime as dt

from django.core.checks import Tags
from django.core.management.base import CommandError

from vcdhub.platform import inputs

# Django's system checks that a command run from a script makes before it starts (`requires_system_checks`):
# settings, models, caches and the rest, but not those of the URLs and the admin. Those import every view and
# analysis library (2.7 s of a 4.5 s start on a two-core machine) and check the code, not the data; `vcdhub serve`
# and `vcdhub check` run them.
COMMAND_CHECKS = [Tags.async_support, Tags.caches, Tags.compatibility, Tags.files, Tags.models, Tags.security,
                  Tags.signals, Tags.staticfiles, Tags.templates, Tags.translation, "commands"]

FLAGS = {"month_from": "--from", "month_to": "--to", "period": "--period", "crime_type": "--crime-type",
         "borough": "--borough"}


def active_user(username: str | None):
    """The active user a command acts for (`--user`), None when none is named; an unknown name is a usage error."""
    if not username:
        return None
    from django.contrib.auth import get_user_model

    account = get_user_model().objects.filter(username=username, is_active=True).first()
    if account is None:
        raise CommandError(f"no active user {username!r}", returncode=2)
    return account


def usage_error(exc: inputs.InputError, flags: dict | None = None) -> CommandError:
    names = {**FLAGS, **(flags or {})}
    return CommandError("; ".join(f"{names.get(field, field if field.startswith('--') else '--' + field)}: "
                                  f"{message}" for field, message in exc.errors.items()), returncode=2)


def month_span(month_from: str | None, month_to: str | None, *, required: bool = False
               ) -> tuple[dt.date | None, dt.date | None]:
    """--from and --to as months (either may be left out unless `required`); a bad month or a reversed range is
    a usage error."""
    try:
        return inputs.month_span(month_from, month_to, require_from=required, require_to=required)
    except inputs.InputError as exc:
        raise usage_error(exc) from exc


def period_from_options(options: dict) -> tuple[dt.date, dt.date]:
    """--from/--to, or the deprecated --period A..B, as a checked month range (both ends required)."""
    try:
        start, end = inputs.months_from_options(options)
        return inputs.month_span(start, end)
    except inputs.InputError as exc:
        raise usage_error(exc) from exc


def refused_file(stderr, name: str, exc) -> CommandError:
    """A refused import (platform.csvimport.ImportRefused): every problem written to `stderr`, one a line with
    the file's name, and the command's error (exit status 1) saying that nothing was written."""
    for error in exc.errors:
        stderr.write(f"{name}: {error}")
    if exc.more:
        stderr.write(f"{name}: ... and {exc.more} more problems")
    return CommandError(f"{name}: not imported, nothing was written", returncode=1)


def import_as(command, file, *, user: str | None, actor: str | None, what: str, run):
    """A CSV import from the command line: the file must exist (else exit status 2), it runs as `--user` (or as
    the machine's administrator, named by `--actor`) with a progress bar, and a refusal is written line by line
    (exit status 1). `run(account, progress)` imports and returns the result."""
    from vcdhub.audit.context import acting_as, cli_actor
    from vcdhub.platform.console import progress_bar
    from vcdhub.platform.csvimport import ImportRefused

    if not file.is_file():
        raise CommandError(f"{file}: no such file", returncode=2)
    account = active_user(user)
    name = f"user:{account.username}" if account else cli_actor(actor)
    with acting_as(name, user=account, reason=f"{what} import of {file.name} by {cli_actor(actor)}"), \
            progress_bar() as bar:
        task = bar.add_task(f"Importing {what}", total=None, note=file.name)
        try:
            return run(account, lambda rows: bar.update(task, completed=rows))
        except ImportRefused as exc:
            raise refused_file(command.stderr, file.name, exc) from None


def export_records(command, table, records, account, *, output: str, noun: str, what: str) -> None:
    """Write `records` (already restricted to what `account` may see) as `table`'s CSV to `output` ("-": stdout),
    their sensitive reads on the audit chain as the account's (or the command's, without one): a module's
    `export` verb, as its list's CSV download. `noun`: what a row is, plural ("cases"); `what`: the export, for
    the audit chain ("RAMP cases")."""
    import sys
    from pathlib import Path

    from vcdhub.audit.context import acting_as, cli_actor
    from vcdhub.audit.log import record_reads
    from vcdhub.platform.csvsafe import csv_lines, safe_cell

    rows = [[c.label for c in table.columns], *([safe_cell(v) for v in row] for row in table.values(records))]
    with acting_as(f"user:{account.username}" if account else cli_actor(), user=account,
                   reason=f"CLI export of {what} by {cli_actor()}"):
        record_reads(records, "export")
    text = "".join(csv_lines(rows))
    if output == "-":
        sys.stdout.write(text)
    else:
        Path(output).write_text(text, encoding="utf-8")
        command.stderr.write(f"{len(rows) - 1} {noun} written to {output}"
                             + ("" if account else f" (OFFICIAL {noun} only; pass --user for more)"))
