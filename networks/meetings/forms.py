"""Forms of the meeting pages. They only shape input: the services validate
the rules (dates, cut-off, membership) with their own messages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rme_platform.accounts.models import User
from schools.models import School

from .models import AgreementStatus, PmeDimension, Rsvp

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Título"), max_length=200)
    objective = forms.CharField(
        label=_("Objetivo"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Qué espera lograr la red en esta reunión."),
    )
    starts_at = forms.DateTimeField(
        label=_("Inicio"),
        widget=DateTimeLocalInput(),
        help_text=_("Hora de Chile continental (America/Santiago)."),
    )
    ends_at = forms.DateTimeField(label=_("Término"), widget=DateTimeLocalInput())
    place = forms.CharField(
        label=_("Lugar"),
        max_length=300,
        required=False,
        help_text=_("Dirección o sala. Indique un lugar, un enlace o ambos."),
    )
    online_url = forms.URLField(
        label=_("Enlace de la reunión en línea"), required=False, assume_scheme="https"
    )
    host_school = forms.ModelChoiceField(
        label=_("Establecimiento anfitrión"),
        queryset=School.objects.none(),
        required=False,
        empty_label=_("Ninguno"),
    )
    proposals_close_at = forms.DateTimeField(
        label=_("Cierre de propuestas de temas"),
        widget=DateTimeLocalInput(),
        required=False,
        help_text=_(
            "Hasta cuándo los integrantes proponen y votan temas. Por defecto, dos días antes."
        ),
    )

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host_school"].queryset = School.objects.filter(
            network_links__network=network, network_links__left_on__isnull=True
        ).order_by("name")
        self.fields["host_school"].label_from_instance = lambda school: school.display_name


class HeldMeetingForm(MeetingForm):
    """A meeting recorded after it took place: no cut-off for proposals."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["proposals_close_at"]


class CancelMeetingForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo de la cancelación"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Se incluye en el aviso a los integrantes."),
    )


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Tema que propone"), max_length=200)
    rationale = forms.CharField(
        label=_("Por qué importa"), widget=forms.Textarea(attrs={"rows": 3})
    )
    pme_dimension = forms.ChoiceField(
        label=_("Dimensión del PME (opcional)"),
        choices=[("", _("Ninguna"))] + PmeDimension.choices,
        required=False,
    )


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Tema"), max_length=200)
    duration_minutes = forms.IntegerField(label=_("Minutos"), min_value=1, max_value=480)
    presenter = forms.CharField(label=_("Presenta"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Descripción"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FromProposalForm(forms.Form):
    duration_minutes = forms.IntegerField(
        label=_("Minutos"), min_value=1, max_value=480, initial=20
    )
    presenter = forms.CharField(label=_("Presenta"), max_length=200, required=False)


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("¿Asistirá?"), choices=Rsvp.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(label=_("Comentario (opcional)"), max_length=300, required=False)


class MinutesForm(forms.Form):
    body = forms.CharField(
        label=_("Acta"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("Admite Markdown: **negrita**, listas con guiones, títulos con ##."),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Archivo"),
        help_text=_(
            "PDF, imágenes, documentos de Office u OpenDocument, CSV o texto; hasta 10 MB."
        ),
    )


class AgreementForm(forms.Form):
    text = forms.CharField(label=_("Acuerdo"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible_user = forms.ModelChoiceField(
        label=_("Persona responsable"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Ninguna"),
    )
    responsible_school = forms.ModelChoiceField(
        label=_("Establecimiento responsable"),
        queryset=School.objects.none(),
        required=False,
        empty_label=_("Ninguno"),
    )
    due_on = forms.DateField(label=_("Plazo"), widget=DateInput())

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_user"].queryset = User.objects.filter(
            memberships__network=network, memberships__active=True
        ).order_by("last_name", "first_name")
        self.fields["responsible_user"].label_from_instance = lambda user: user.get_full_name()
        self.fields["responsible_school"].queryset = School.objects.filter(
            network_links__network=network, network_links__left_on__isnull=True
        ).order_by("name")
        self.fields["responsible_school"].label_from_instance = lambda s: s.display_name


class AgreementNoteForm(forms.Form):
    text = forms.CharField(label=_("Nota de seguimiento"), widget=forms.Textarea(attrs={"rows": 2}))
    status = forms.ChoiceField(
        label=_("Nuevo estado"),
        choices=[("", _("Sin cambio"))] + AgreementStatus.choices,
        required=False,
    )
