from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from .models import Role, User
from .permissions import invitable_roles


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "language"]


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Nombre del token"),
        max_length=80,
        help_text=_("Para recordar dónde lo usa, por ejemplo «planilla de seguimiento»."),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Correo electrónico"))
    first_name = forms.CharField(label=_("Nombres"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Apellidos"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rol"), choices=())
    language = forms.ChoiceField(
        label=_("Idioma"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )

    def __init__(self, *args, inviter, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = invitable_roles(inviter)
        self.fields["role"].choices = [(v, label) for v, label in Role.choices if v in allowed]


class AcceptInvitationForm(forms.Form):
    password1 = forms.CharField(
        label=_("Contraseña"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Repita la contraseña"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("Las dos contraseñas no coinciden."))
        return cleaned
