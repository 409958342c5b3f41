"""Which targets are in force: the set edited in the app if there is one, else the bundled file."""

from django.conf import settings

from vcdhub.performance.indicators import Targets, parse_targets

BUNDLED_TARGETS = settings.DATA_DIR / "demo" / "targets.toml"


def targets_text() -> str:
    from vcdhub.performance.models import TargetSet

    edited = TargetSet.objects.filter(name="default").first()
    return edited.toml if edited else BUNDLED_TARGETS.read_text(encoding="utf-8")


def current_targets() -> Targets:
    from vcdhub.performance.models import TargetSet

    edited = TargetSet.objects.filter(name="default").first()
    if edited:
        return parse_targets(edited.toml, f"targets edited in vcdhub, {edited.updated_at:%Y-%m-%d %H:%M}")
    return parse_targets(BUNDLED_TARGETS.read_text(encoding="utf-8"), str(BUNDLED_TARGETS.name))


def save_targets(text: str, reason: str):
    """The action behind the editor and the TOML import: check `text` with the one parser (TargetsFileError
    names every problem), then save it as the targets in force, on the audit chain with `reason` (the previous
    version stays in the record's history)."""
    from vcdhub.audit.context import because
    from vcdhub.performance.models import TargetSet

    parse_targets(text)
    with because(reason.strip() or "targets edited"):
        target_set = TargetSet.objects.filter(name="default").first() or TargetSet(name="default")
        target_set.toml = text
        target_set.save()
    return target_set
