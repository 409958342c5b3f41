"""The module registry: what each app contributes to the whole.

Each app declares one `Module` on its AppConfig (`registration = Module(...)`; Django's own `module` attribute
is the Python package): its navigation entries and who
sees them, its marked record models (for the audit screens, grant requests and the permission tests),
its URLs and its API endpoints. The navigation, the root URLconf, the API router and the audit screens
read the registry; nothing else keeps a list of modules.

Dotted paths, not objects: apps.py is imported before models and views may be.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: frozenset[str] | None = None  # None: every signed-in user who passes `records`
    records: bool = False  # only for users who may read records (aggregate-only users never see it)
    order: int = 100


@dataclass(frozen=True)
class ApiEndpoint:
    prefix: str  # "crimes" -> /api/crimes/
    viewset: str  # dotted path of the viewset class
    basename: str


@dataclass(frozen=True)
class Module:
    """What one app contributes. `records` are "app_label.ModelName" of its marked (need-to-know) models."""

    name: str
    nav: tuple[NavEntry, ...] = ()
    records: tuple[str, ...] = ()
    urls: str | None = None  # dotted URLconf module, mounted at `url_prefix`
    url_prefix: str = ""
    api: tuple[ApiEndpoint, ...] = ()
    # Record kinds users may ask another unit for through an access grant (a subset of `records`).
    grantable: tuple[str, ...] = field(default=())
    # Dotted path of a callable that repairs what a killed process left half-done (idempotent; returns what it
    # repaired). Run at the server's start (`vcdhub serve`); the module also runs it where it needs it.
    recovery: str | None = None
    # What the module adds to another module's page, without that module importing it: page name ("person")
    # -> dotted path of a callable (user, record) -> Panel or None. Panels run in registry order.
    panels: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Panel:
    """A section one module adds to another's page: a heading, a template and its context."""

    title: str
    template: str
    context: dict = field(default_factory=dict)
    anchor: str = ""


def panels_for(page: str, user, record) -> list[Panel]:
    """The panels every module adds to `page` for `record`, as `user` may see them."""
    found = []
    for module in modules():
        for name, path in module.panels:
            if name == page:
                panel = import_string(path)(user, record)
                if panel is not None:
                    found.append(panel)
    return found


def modules() -> list[Module]:
    """Every registered module, in INSTALLED_APPS order."""
    return [config.registration for config in apps.get_app_configs()
            if isinstance(getattr(config, "registration", None), Module)]


def record_models() -> list[type]:
    """The marked record models every module declared, in registry order."""
    return [apps.get_model(label) for module in modules() for label in module.records]


def record_model(label: str):
    """A declared record model from "app_label.modelname" (any case), or None: the registry is the allow-list."""
    wanted = label.lower()
    for model in record_models():
        if f"{model._meta.app_label}.{model._meta.model_name}" == wanted:
            return model
    return None


def record_choices(*, grantable: bool = False) -> list[tuple[str, str]]:
    """("app_label.modelname", "Verbose name") for forms that ask for a kind of record."""
    labels = [label for module in modules() for label in (module.grantable if grantable else module.records)]
    choices = []
    for label in labels:
        model = apps.get_model(label)
        meta = model._meta
        choices.append((f"{meta.app_label}.{meta.model_name}", str(meta.verbose_name).capitalize()))
    return choices


def recover_all() -> dict[str, list[str]]:
    """Run every module's recovery: {module name: what it repaired}, for modules that repaired anything."""
    from django.utils.module_loading import import_string

    repaired = {module.name: import_string(module.recovery)() for module in modules() if module.recovery}
    return {name: done for name, done in repaired.items() if done}


def navigation_entries() -> list[NavEntry]:
    return sorted((entry for module in modules() for entry in module.nav), key=lambda e: e.order)


def undeclared_record_models() -> list[str]:
    """Concrete marked models no module declared: a module forgot its `records` (a test keeps this empty)."""
    from vcdhub.access.markings import MarkedModel

    declared = set(record_models())
    return sorted(f"{m._meta.app_label}.{m.__name__}" for m in apps.get_models()
                  if issubclass(m, MarkedModel) and m not in declared)
