"""The `vcdhub` console script: one entry point for vcdhub's jobs and Django's management commands.

    vcdhub import PATH...            vcdhub export crimes ...
    vcdhub geography load            vcdhub demo load
    vcdhub migrate | runserver | createsuperuser | ...
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vcdhub.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    execute_from_command_line(["vcdhub", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
