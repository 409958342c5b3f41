"""URL patterns for a records module's generic views, named by one rule (platform.views.record_urls):
`<app_label>:<model_name>_<action>`."""

from django.urls import path


def record_urlpatterns(prefix: str, model, *, list=None, detail=None, add=None, edit=None, delete=None,
                       export=None) -> list:
    """Patterns under `prefix/` for whichever generic views the module offers (each a view class)."""
    name = model._meta.model_name
    patterns = []
    if list is not None:
        patterns.append(path(f"{prefix}/", list.as_view(), name=f"{name}_list"))
    if export is not None:
        patterns.append(path(f"{prefix}/export.csv", export.as_view(), name=f"{name}_export"))
    if add is not None:
        patterns.append(path(f"{prefix}/add/", add.as_view(), name=f"{name}_add"))
    if detail is not None:
        patterns.append(path(f"{prefix}/<str:pk>/", detail.as_view(), name=f"{name}_detail"))
    if edit is not None:
        patterns.append(path(f"{prefix}/<str:pk>/edit/", edit.as_view(), name=f"{name}_edit"))
    if delete is not None:
        patterns.append(path(f"{prefix}/<str:pk>/delete/", delete.as_view(), name=f"{name}_delete"))
    return patterns
