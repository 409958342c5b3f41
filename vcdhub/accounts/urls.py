from django.urls import path

from vcdhub.accounts import views

app_name = "access"
urlpatterns = [
    path("", views.account, name="account"),
    path("2fa/start/", views.totp_start, name="totp_start"),
    path("2fa/confirm/", views.totp_confirm, name="totp_confirm"),
    path("2fa/remove/", views.totp_remove, name="totp_remove"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("grants/", views.grants, name="grants"),
    path("grants/<int:pk>/decide/", views.grant_decide, name="grant_decide"),
    # "Request access" on a refused record: the kind ("crime.crime") and the id come with it.
    path("grants/ask/<str:kind>/<str:pk>/", views.ask, name="ask"),
]
