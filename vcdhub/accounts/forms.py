from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django_otp import devices_for_user, user_has_device
from django_otp.forms import OTPAuthenticationFormMixin

from vcdhub.access.actions import MAX_GRANT_DAYS
from vcdhub.platform.registry import record_choices


class LoginForm(OTPAuthenticationFormMixin, AuthenticationForm):
    """Password, then a TOTP code for users who have set up a second factor (it is optional per user)."""

    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_token = forms.CharField(required=False, label="Authenticator code",
                                widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                              "inputmode": "numeric"}))
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        # Django's sign-in form only sets the HTML limit on the name: a longer one went on to authenticate,
        # and to the lockout table, whose column is shorter (a server error on PostgreSQL). It is refused
        # here as a failed sign-in, with the usual message, and on the audit trail.
        username = self.cleaned_data.get("username") or ""
        limit = get_user_model()._meta.get_field("username").max_length
        if len(username) > limit:
            user_login_failed.send(sender=type(self), credentials={"username": username[:limit]},
                                   request=self.request)
            raise self.get_invalid_login_error()
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and user_has_device(user, confirmed=True):
            if not self.cleaned_data.get("otp_device"):
                # vcdhub enrols one authenticator per user: check the code against it.
                self.cleaned_data["otp_device"] = next(devices_for_user(user, confirmed=True)).persistent_id
            self.clean_otp(user)
        return cleaned


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'weekly robbery extract'")
    days = forms.IntegerField(min_value=1, max_value=90, initial=30, label="Valid for (days)")


class TotpConfirmForm(forms.Form):
    token = forms.CharField(max_length=8, label="Code from your authenticator app")


class GrantRequestForm(forms.Form):
    """A request for another unit's record. It starts from the record ("Request access" on the refusal page):
    the kind and the id come with it, so nobody types an id."""

    object_type = forms.ChoiceField(label="Record type", choices=lambda: record_choices(grantable=True),
                                    widget=forms.HiddenInput)
    object_id = forms.IntegerField(label="Record id", min_value=1, widget=forms.HiddenInput)
    reason = forms.CharField(label="Why you need it", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                             help_text="The case, the risk, the purpose: the supervisor decides on what you write.")
    days = forms.IntegerField(min_value=1, max_value=MAX_GRANT_DAYS, initial=7, label="For how many days",
                              help_text=f"From 1 to {MAX_GRANT_DAYS} days, counted from the supervisor's approval.")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        from django.apps import apps

        # No lookup of the record: the answer is the same for a sensitive record, an ordinary one and an id
        # that does not exist, so the form tells nobody which ids are OFFICIAL-SENSITIVE (issue 10).
        data["model"] = apps.get_model(data["object_type"])
        return data


class DecisionForm(forms.Form):
    """The National Decision Model rationale behind approving or refusing access."""

    information = forms.CharField(label="Information held", widget=forms.Textarea(attrs={"rows": 2}))
    threat_and_risk = forms.CharField(label="Threat and risk", widget=forms.Textarea(attrs={"rows": 2}))
    powers_and_policy = forms.CharField(label="Powers and policy considered", widget=forms.Textarea(attrs={"rows": 2}))
    options = forms.CharField(label="Options considered", widget=forms.Textarea(attrs={"rows": 2}))
    action_taken = forms.CharField(label="Action taken", widget=forms.Textarea(attrs={"rows": 2}))
