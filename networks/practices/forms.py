"""Forms of the practice pages. They only shape input: practice_services
validates the rules (Markdown, co-authors, adoption) with its own messages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pme.forms import SubdimensionField
from pme.models import Dimension
from rme_platform.accounts.models import User
from schools.models import TEACHING_LABELS, Position, School

from .models import AdoptionStage, PracticeVisibility

MARKDOWN_HELP = _("Admite Markdown: **negrita**, *cursiva*, listas, enlaces.")


class PracticeForm(forms.Form):
    # Required here too, so the form marks them; same messages as the service.
    title = forms.CharField(
        label=_("Título"),
        max_length=200,
        error_messages={"required": _("Indique el título de la práctica.")},
    )
    summary = forms.CharField(
        label=_("Resumen"),
        error_messages={"required": _("Escriba un resumen de la práctica.")},
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        help_text=_("En pocas líneas: qué es y por qué sirve. Aparece en la biblioteca."),
    )
    problem = forms.CharField(
        label=_("Problema que aborda"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=MARKDOWN_HELP,
    )
    body = forms.CharField(
        label=_("Qué se hizo"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
    )
    results = forms.CharField(
        label=_("Resultados y evidencias"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=MARKDOWN_HELP,
    )
    context = forms.CharField(
        label=_("Contexto"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Lo que otro establecimiento debe saber de su realidad. Admite Markdown."),
    )
    levels = forms.TypedMultipleChoiceField(
        label=_("Tipos de enseñanza"),
        choices=sorted(TEACHING_LABELS.items()),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    rural = forms.BooleanField(label=_("Establecimiento rural"), required=False)
    enrollment = forms.IntegerField(label=_("Matrícula"), min_value=0, required=False)
    dimension = forms.ModelChoiceField(
        label=_("Dimensión del PME"), queryset=Dimension.objects.all(), required=False
    )
    subdimension = SubdimensionField(label=_("Subdimensión del PME"), required=False)
    tags = forms.CharField(
        label=_("Etiquetas"),
        required=False,
        max_length=600,
        help_text=_("Separadas por comas, por ejemplo: lectura, primer ciclo, familias."),
    )
    coauthors = forms.ModelMultipleChoiceField(
        label=_("Coautores"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Directivos de su mismo establecimiento."),
    )
    visibility = forms.ChoiceField(
        label=_("¿Quiénes pueden verla una vez publicada?"),
        choices=PracticeVisibility.choices,
        initial=PracticeVisibility.NETWORK,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, school, creator, **kwargs):
        """`creator`: the practice's first author, who stays an author and
        is not offered as a co-author."""
        super().__init__(*args, **kwargs)
        colleagues = Position.objects.active().filter(school=school).values("user_id")
        self.fields["coauthors"].queryset = (
            User.objects.filter(pk__in=colleagues, is_active=True)
            .exclude(pk=getattr(creator, "pk", None))
            .order_by("last_name", "first_name")
        )
        self.fields["coauthors"].label_from_instance = lambda u: u.get_full_name() or u.email

    def service_fields(self):
        data = dict(self.cleaned_data)
        data["enrollment"] = data.get("enrollment") or 0
        return data


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Archivo"),
        help_text=_("PDF, imágenes, Office u OpenDocument, CSV o texto; hasta 10 MB."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comentario"), widget=forms.Textarea(attrs={"rows": 3}), help_text=MARKDOWN_HELP
    )


class AdoptionForm(forms.Form):
    school = forms.ModelChoiceField(
        label=_("Establecimiento que la adopta"), queryset=None, empty_label=None
    )
    stage = forms.ChoiceField(
        label=_("Etapa"), choices=AdoptionStage.choices, initial=AdoptionStage.EXPLORING
    )
    notes = forms.CharField(
        label=_("Notas"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Cómo piensan llevarla a su establecimiento."),
    )

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(schools, list | tuple):
            schools = School.objects.filter(pk__in=[s.pk for s in schools])
        self.fields["school"].queryset = schools.order_by("name")
        self.fields["school"].label_from_instance = lambda s: s.display_name


class AdoptionNoteForm(forms.Form):
    stage = forms.ChoiceField(label=_("Etapa"), choices=AdoptionStage.choices)
    date = forms.DateField(
        label=_("Fecha"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    text = forms.CharField(
        label=_("Nota"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    pme_action = forms.TypedChoiceField(
        label=_("Acción del PME que la lleva"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pme_action"].choices = [("", _("Ninguna"))] + [
            (a.pk, f"{a.plan.year} · {a.name}") for a in actions
        ]
