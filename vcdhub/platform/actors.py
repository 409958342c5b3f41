"""Who a job runs as. Nothing runs unattributed: commands take --actor, defaulting to the OS user."""

import getpass


def cli_actor(explicit: str | None = None) -> str:
    if explicit:
        return explicit
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"
