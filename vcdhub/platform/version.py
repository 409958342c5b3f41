"""Which code produced an output, so a published report or map can be traced and reproduced."""

import subprocess
from functools import cache
from importlib.metadata import PackageNotFoundError, version

from django.conf import settings

import vcdhub


@cache
def code_version() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=settings.BASE_DIR, capture_output=True,
                                text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"vcdhub {vcdhub.__version__}" + (f" ({commit})" if commit else "")


@cache
def library_versions(*names: str) -> dict[str, str]:
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found
