"""Named points where a test may kill the process as `kill -9` would, to prove that loads are crash-safe.

`reached("bulk:indexes-dropped")` does nothing unless the environment variable VCDHUB_CRASH_AT names that
point, which only the crash tests set (tests/test_crash_recovery.py). The process then sends itself SIGKILL:
no cleanup, no `finally`, no `atexit`, exactly as the operating system's out-of-memory killer or an operator
would stop it.
"""

import os
import signal

VARIABLE = "VCDHUB_CRASH_AT"


def reached(point: str) -> None:
    if os.environ.get(VARIABLE) == point:
        os.kill(os.getpid(), signal.SIGKILL)
