from django.apps import AppConfig

from vcdhub.platform.registry import Module, NavEntry


class AccountsConfig(AppConfig):
    name = "vcdhub.accounts"
    label = "accounts"
    verbose_name = "Accounts and access grants"
    registration = Module(
        name="accounts",
        nav=(NavEntry("Access", "access:grants", records=True, order=90),),
        urls="vcdhub.accounts.urls", url_prefix="account/",
    )

    def ready(self):
        from vcdhub.accounts import signals  # noqa: F401 - credential removals on the audit chain
