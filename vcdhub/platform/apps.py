from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "vcdhub.platform"
    label = "platform"
    verbose_name = "Platform"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        post_save.connect(_index_after_save, dispatch_uid="vcdhub.fulltext.save")
        post_delete.connect(_unindex_after_delete, dispatch_uid="vcdhub.fulltext.delete")


def _index_after_save(sender, instance, raw=False, **kwargs):
    """A searchable record's words are rewritten whenever it is saved (bulk loads call fulltext.index)."""
    if hasattr(sender, "search_text") and not raw:
        from vcdhub.platform import fulltext

        fulltext.index([instance])


def _unindex_after_delete(sender, instance, **kwargs):
    if hasattr(sender, "search_text"):
        from vcdhub.platform import fulltext

        fulltext.unindex(sender, [instance.pk])
