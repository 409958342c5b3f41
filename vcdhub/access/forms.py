from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django_otp import devices_for_user, user_has_device
from django_otp.forms import OTPAuthenticationFormMixin


class LoginForm(OTPAuthenticationFormMixin, AuthenticationForm):
    """Password, then a TOTP code for users who have set up a second factor (it is optional per user)."""

    otp_device = forms.CharField(required=False, widget=forms.HiddenInput)
    otp_token = forms.CharField(required=False, label="Authenticator code",
                                widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                              "inputmode": "numeric"}))
    otp_challenge = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
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
