"""`vcdhub serve`: the production web server (gunicorn), after the start-up check.

The start-up check repairs what a killed process left half-done (each module's recovery, through the
registry: a killed bulk load's indexes, foreign keys, cell triggers and statistics) and runs Django's system
checks; then gunicorn replaces this process. Workers and threads default to the machine's cores; on
PostgreSQL each worker keeps a small pool of database connections (settings: VCDHUB_DB_POOL).
"""

import os
import shutil
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from vcdhub.platform.registry import recover_all


def default_workers() -> int:
    """Two processes per core: one can run Python while the other waits on the database."""
    return 2 * (os.cpu_count() or 1)


class Command(BaseCommand):
    help = "Run the start-up check, then serve the app with gunicorn (production)."
    requires_system_checks = []  # run below, after recovery, so that their result is about the repaired database

    def add_arguments(self, parser):
        parser.add_argument("--bind", default=os.environ.get("VCDHUB_BIND", "127.0.0.1:8000"),
                            help="address:port to listen on (default 127.0.0.1:8000, or VCDHUB_BIND)")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("VCDHUB_WORKERS", default_workers())),
                            help="worker processes (default: two per core, or VCDHUB_WORKERS)")
        parser.add_argument("--threads", type=int, default=int(os.environ.get("VCDHUB_THREADS", 4)),
                            help="threads per worker (default 4, or VCDHUB_THREADS)")
        parser.add_argument("--check-only", action="store_true",
                            help="run the start-up check (recovery, system checks) and exit")

    def handle(self, *args, bind, workers, threads, check_only, **options):
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads must be at least 1", returncode=2)
        repaired = recover_all()
        for module, what in repaired.items():
            self.stdout.write(f"start-up check: {module}: repaired {', '.join(what)}")
        if not repaired:
            self.stdout.write("start-up check: nothing to repair")
        call_command("check", database=["default"], fail_level="ERROR")
        if check_only:
            return
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which("gunicorn")
        if gunicorn is None:
            raise CommandError("gunicorn is not installed: run `make install`", returncode=2)
        # Each thread may hold a pooled connection; the pool never grows past the worker's threads.
        os.environ.setdefault("VCDHUB_DB_POOL", "1")
        os.environ.setdefault("VCDHUB_DB_POOL_SIZE", str(threads))
        argv = [gunicorn, "vcdhub.wsgi:application", "--bind", bind, "--workers", str(workers),
                "--threads", str(threads), "--worker-class", "gthread", "--timeout", "120",
                "--graceful-timeout", "30", "--keep-alive", "75",  # longer than a reader's pause between pages
                "--max-requests", "10000", "--max-requests-jitter", "1000",
                "--access-logfile", "-", "--forwarded-allow-ips", os.environ.get("VCDHUB_FORWARDED_ALLOW_IPS", "")]
        self.stdout.write(f"serving on http://{bind}/ with {workers} workers x {threads} threads")
        self.stdout.flush()
        os.execv(gunicorn, argv)
