from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rme_platform.accounts.models import Role
from rme_platform.widgets import FastSelect
from schools.forms import RBDField

from .models import MembershipRole, Network, PartnerKind


class NetworkForm(forms.ModelForm):
    class Meta:
        model = Network
        fields = ["code", "name", "deprov", "year", "status", "description", "work_plan"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "work_plan": forms.Textarea(attrs={"rows": 6}),
        }

    supervise = forms.BooleanField(
        label=_("Ser supervisor/a de esta red (integrar su dupla)"),
        required=False,
        initial=True,
        help_text=_("Podrá convocar y conducir sus reuniones y leer los PME que compartan."),
    )

    def __init__(self, *args, deprovs, offer_supervision=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deprov"].queryset = deprovs.select_related("region")
        self.fields["year"].initial = timezone.localdate().year
        if self.instance.pk:
            # Code and DEPROV identify the network: fixed once created.
            del self.fields["code"]
            del self.fields["deprov"]
        else:
            del self.fields["status"]
        if self.instance.pk or not offer_supervision:
            del self.fields["supervise"]
        # Uniqueness and format are checked by the services, with their messages.
        if "code" in self.fields:
            self.fields["code"].validators = []

    def validate_unique(self):
        pass


class AddSchoolForm(forms.Form):
    rbd = RBDField(label=_("RBD del establecimiento"))
    add_directivos = forms.BooleanField(
        label=_("Sumar también a sus directivos (director/a y jefe/a de UTP) como integrantes"),
        required=False,
        initial=True,
    )


class AddMemberForm(forms.Form):
    email = forms.EmailField(label=_("Correo de la persona"))
    role = forms.ChoiceField(
        label=_("Rol en la red"), choices=MembershipRole.choices, widget=FastSelect
    )


class PartnerForm(forms.Form):
    name = forms.CharField(label=_("Nombre"), max_length=200)
    kind = forms.ChoiceField(label=_("Tipo"), choices=PartnerKind.choices, widget=FastSelect)
    contact_name = forms.CharField(label=_("Persona de contacto"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Correo de contacto"), required=False)
    contact_phone = forms.CharField(label=_("Teléfono de contacto"), max_length=40, required=False)


class InvitePersonForm(forms.Form):
    """The one invitation form: who, with which role, and where that role
    applies (a director's school, a supervisor's DEPROV, a representative's
    sostenedor, the networks they join)."""

    email = forms.EmailField(label=_("Correo electrónico"))
    first_name = forms.CharField(label=_("Nombres"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Apellidos"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Rol"), choices=())
    rbd = RBDField(
        label=_("RBD"),
        required=False,
        help_text=_(
            "Para directores y jefes de UTP; con o sin dígito verificador, p. ej. 16748-7."
        ),
    )
    deprov = forms.IntegerField(
        label=_("Código del departamento provincial"),
        required=False,
        help_text=_("Para supervisores."),
    )
    sostenedor_rut = forms.CharField(
        label=_("RUT del sostenedor"),
        required=False,
        help_text=_("Para representantes del sostenedor, p. ej. 69.070.300-9."),
    )
    networks = forms.CharField(
        label=_("Redes"),
        required=False,
        help_text=_("Códigos de red separados por espacios."),
    )
    language = forms.ChoiceField(
        label=_("Idioma"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        required=False,
        help_text=_("El de la invitación y de la plataforma para esa persona."),
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(v, label) for v, label in Role.choices if v in roles]


class ImportUsersForm(forms.Form):
    file = forms.FileField(
        label=_("Archivo CSV"),
        help_text=_(
            "Encabezado: email,first_name,last_name,role,rbd,deprov,sostenedor_rut,networks"
        ),
    )
    dry_run = forms.BooleanField(label=_("Solo validar, sin guardar"), required=False)
