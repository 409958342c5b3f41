"""URL patterns for a records module's generic views, named by one rule (platform.views.record_urls):
`<app_label>:<model_name>_<action>`."""

from django.urls import path


def record_urlpatterns(prefix: str, model, *, list=None, detail=None, add=None, edit=None, delete=None,
                       export=None) -> list:
    """Patterns under `prefix/` for whichever generic views the module offers (each a view class). An empty
    prefix puts them at the module's own URL prefix (the people register's persons are at /people/<pk>/)."""
    name = model._meta.model_name
    base = f"{prefix}/" if prefix else ""
    patterns = []
    if list is not None:
        patterns.append(path(f"{base}", list.as_view(), name=f"{name}_list"))
    if export is not None:
        patterns.append(path(f"{base}export.csv", export.as_view(), name=f"{name}_export"))
    if add is not None:
        patterns.append(path(f"{base}add/", add.as_view(), name=f"{name}_add"))
    if detail is not None:
        patterns.append(path(f"{base}<str:pk>/", detail.as_view(), name=f"{name}_detail"))
    if edit is not None:
        patterns.append(path(f"{base}<str:pk>/edit/", edit.as_view(), name=f"{name}_edit"))
    if delete is not None:
        patterns.append(path(f"{base}<str:pk>/delete/", delete.as_view(), name=f"{name}_delete"))
    return patterns
