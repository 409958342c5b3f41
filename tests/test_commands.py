"""The `vcdhub` console script: a command run from a script starts without the web app's imports, and the checks
it leaves to the server still pass."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command, get_commands, load_command_class

from tests.conftest import database_url
from vcdhub.platform.commands import COMMAND_CHECKS

# The web app's own modules and the analysis libraries that only its views and jobs need.
HEAVY = ("vcdhub.urls", "vcdhub.crime.views", "scipy.stats", "lifelines", "weasyprint", "splink")


def imported_modules(stderr: str) -> set[str]:
    """The modules a process imported, from what `python -X importtime` wrote."""
    return {line.rsplit("|", 1)[1].strip() for line in stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.django_db
def test_a_data_command_starts_without_the_views_or_the_analysis_libraries(tmp_path):
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "vcdhub.cli", "import", str(tmp_path / "no.csv")],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DATABASE_URL": database_url()})
    assert done.returncode == 2, done.stderr[-2000:]
    modules = imported_modules(done.stderr)
    assert "vcdhub.ingest.pipeline" in modules  # the probe sees what the command imports
    assert not [name for name in modules if any(name == heavy or name.startswith(f"{heavy}.") for heavy in HEAVY)]


def test_the_checks_a_data_command_leaves_out_pass_here():
    """What COMMAND_CHECKS leaves out (the URLs, the admin) is checked by `vcdhub serve` as it starts, and here."""
    call_command("check", fail_level="WARNING")


def test_every_vcdhub_command_runs_the_data_checks_or_says_why_not():
    ours = {name: app for name, app in get_commands().items() if app.startswith("vcdhub.")}
    assert {"import", "export", "report", "serve"} <= set(ours)
    for name, app in ours.items():
        checks = load_command_class(app, name).requires_system_checks
        # serve runs every check itself, after its recovery; demo and audit run none (their comments say why).
        assert checks == (COMMAND_CHECKS if name not in ("serve", "demo", "audit") else []), name
