"""The layering is enforced: `make lint` fails on an import that points up a layer or between siblings."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from vcdhub.platform.registry import modules, record_models, undeclared_record_models

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _copy_of_the_code(tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(REPO / "vcdhub", copy / "vcdhub", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "Makefile"):
        shutil.copy(REPO / name, copy / name)
    return copy


def _make_lint(copy: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(copy), "DATABASE_URL": ""}
    return subprocess.run(["make", "--no-print-directory", "-C", str(copy), "lint-checks", f"BIN={BIN}"],
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture(scope="module")
def clean_lint(tmp_path_factory):
    """The copied code passes `make lint` as it is (checked once), so a failure below is the injected import's."""
    clean = _make_lint(_copy_of_the_code(tmp_path_factory.mktemp("clean")))
    assert clean.returncode == 0, clean.stdout + clean.stderr


@pytest.mark.parametrize(("where", "line", "contract"), [
    # geography sits below the records apps: it may not reach into crime
    ("vcdhub/geography/loader.py", "from vcdhub.crime import relink  # noqa: F401", "Layers"),
    # the statistics know nothing of Django
    ("vcdhub/stats/rates.py", "import django  # noqa: F401", "Statistics are free of Django"),
    # a sibling reaches crime through its public modules, never its views
    ("vcdhub/places/inputs.py", "from vcdhub.crime import views  # noqa: F401", "Siblings meet"),
    # two modules of one app may not import each other (views already imports published)
    ("vcdhub/performance/published.py", "from vcdhub.performance import views  # noqa: F401", "No import circles"),
])
def test_make_lint_fails_on_a_forbidden_import(tmp_path, clean_lint, where, line, contract):
    copy = _copy_of_the_code(tmp_path)

    target = copy / where
    # Inside a function, as lazy imports are written, so ruff has nothing to say and only the layering can object.
    target.write_text(target.read_text() + "\n\ndef _reaches_across():\n    " + line + "\n")
    broken = _make_lint(copy)
    assert broken.returncode != 0
    assert "BROKEN" in broken.stdout and contract in broken.stdout, broken.stdout


def test_every_marked_model_is_declared_by_its_module():
    assert undeclared_record_models() == []
    assert {m._meta.label for m in record_models()} >= {"crime.Crime", "crime.Outcome", "crime.StopSearch",
                                                       "performance.TargetSet"}


def test_every_module_url_and_api_endpoint_resolves():
    from django.urls import reverse
    from django.utils.module_loading import import_string

    for module in modules():
        for entry in module.nav:
            assert reverse(entry.url_name)
        for endpoint in module.api:
            assert import_string(endpoint.viewset)


def test_every_registered_record_model_runs_the_generic_module_tests():
    """Each module's test_<name>_module.py (in tests/ or a package of it, such as tests/people/) subclasses
    tests.kit.RecordModuleContract (the checklist), directly or through a shared base of its own."""
    import importlib
    import pkgutil

    import tests
    from tests.kit import RecordModuleContract

    for info in pkgutil.walk_packages(tests.__path__, "tests."):
        name = info.name.rsplit(".", 1)[-1]
        if name.startswith("test_") and name.endswith("_module"):
            importlib.import_module(info.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    covered = {cls.model for cls in subclasses(RecordModuleContract) if cls.model is not None}
    # Outcomes have no pages or endpoints of their own yet: a crime's page shows them, restricted, and the
    # crime contract covers that page.
    exempt = {"crime.outcome"}
    missing = {m._meta.label_lower for m in record_models()} - {m._meta.label_lower for m in covered} - exempt
    assert not missing, f"no generic module tests for {sorted(missing)}"
