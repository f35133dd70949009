from django import forms
from django.utils.translation import gettext_lazy as _

from networks.models import Network
from schools.models import Region

from .models import CampaignTarget, Instrument, Language, QuestionKind


class InstrumentForm(forms.Form):
    slug = forms.SlugField(
        label=_("Identificador"),
        max_length=60,
        help_text=_("Letras minúsculas, números y guiones; no cambia después."),
    )
    name = forms.CharField(label=_("Nombre"), max_length=200)
    language = forms.ChoiceField(label=_("Idioma principal"), choices=Language.choices)
    description = forms.CharField(
        label=_("Descripción"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class InstrumentEditForm(InstrumentForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["slug"]


class CopyInstrumentForm(forms.Form):
    slug = forms.SlugField(label=_("Identificador de la nueva versión"), max_length=60)
    name = forms.CharField(label=_("Nombre"), max_length=200)


class SectionForm(forms.Form):
    title_es = forms.CharField(label=_("Título en español"), max_length=200)
    title_en = forms.CharField(label=_("Título en inglés"), max_length=200, required=False)
    description_es = forms.CharField(
        label=_("Introducción en español"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    description_en = forms.CharField(
        label=_("Introducción en inglés"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


def options_to_text(options):
    return "\n".join(
        " | ".join(part for part in (o.get("value", ""), o.get("es", ""), o.get("en", "")))
        for o in options or []
    )


class QuestionForm(forms.Form):
    section = forms.ChoiceField(label=_("Sección"))
    code = forms.CharField(
        label=_("Código"),
        max_length=40,
        help_text=_(
            "Estable entre olas, por ejemplo RME_META_COMUN: las preguntas con el mismo "
            "código se comparan de un año a otro."
        ),
    )
    kind = forms.ChoiceField(label=_("Tipo de pregunta"), choices=QuestionKind.choices)
    text_es = forms.CharField(label=_("Texto en español"), widget=forms.Textarea(attrs={"rows": 2}))
    text_en = forms.CharField(
        label=_("Texto en inglés"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    construct = forms.CharField(
        label=_("Dimensión"),
        max_length=100,
        required=False,
        help_text=_("Agrupa las preguntas en los resultados, por ejemplo «Confianza»."),
    )
    required = forms.BooleanField(label=_("Respuesta obligatoria"), required=False, initial=True)
    options_text = forms.CharField(
        label=_("Opciones (selección única o múltiple)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_(
            "Una opción por línea: valor | texto en español | texto en inglés. "
            "Por ejemplo: mensual | Una vez al mes | Once a month"
        ),
    )

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.sections = {str(s.pk): s for s in sections}
        self.fields["section"].choices = [(str(s.pk), s.title_es) for s in sections]

    def clean_section(self):
        return self.sections[self.cleaned_data["section"]]

    def clean_options_text(self):
        options = []
        for number, line in enumerate(self.cleaned_data["options_text"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 2:
                raise forms.ValidationError(
                    _("Línea %(n)s: escriba «valor | texto en español | texto en inglés».")
                    % {"n": number}
                )
            options.append(
                {"value": parts[0], "es": parts[1], "en": parts[2] if len(parts) > 2 else ""}
            )
        return options


class CampaignForm(forms.Form):
    slug = forms.SlugField(
        label=_("Identificador"),
        max_length=60,
        help_text=_("Por ejemplo rme-2025; se usa en los enlaces y en la API."),
    )
    name = forms.CharField(label=_("Nombre"), max_length=200)
    instrument = forms.ModelChoiceField(label=_("Instrumento"), queryset=Instrument.objects.all())
    year = forms.IntegerField(label=_("Año"), min_value=2000, max_value=2100)
    opens_on = forms.DateField(
        label=_("Abre"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    closes_on = forms.DateField(
        label=_("Cierra"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    target = forms.ChoiceField(
        label=_("Destinatarios"), choices=CampaignTarget.choices, widget=forms.RadioSelect
    )
    target_regions = forms.ModelMultipleChoiceField(
        label=_("Regiones"),
        queryset=Region.objects.order_by("order"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    target_networks = forms.ModelMultipleChoiceField(
        label=_("Redes"),
        queryset=Network.objects.active().order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    reminder_every_days = forms.IntegerField(
        label=_("Recordar cada (días)"),
        min_value=0,
        max_value=60,
        initial=7,
        help_text=_("Recordatorio automático a quienes no han respondido; 0 lo desactiva."),
    )

    def __init__(self, *args, campaign=None, **kwargs):
        if campaign is not None:
            kwargs.setdefault(
                "initial",
                {
                    "slug": campaign.slug,
                    "name": campaign.name,
                    "instrument": campaign.instrument,
                    "year": campaign.year,
                    "opens_on": campaign.opens_on,
                    "closes_on": campaign.closes_on,
                    "target": campaign.target,
                    "target_regions": list(campaign.target_regions.all()),
                    "target_networks": list(campaign.target_networks.all()),
                    "reminder_every_days": campaign.reminder_every_days,
                },
            )
        super().__init__(*args, **kwargs)
        if campaign is not None:
            self.fields["slug"].disabled = True


def answers_from_post(questions, data):
    """The answers in a submitted (or autosaved) survey form, keyed by code."""
    answers = {}
    for question in questions:
        if question.kind == QuestionKind.MULTIPLE:
            answers[question.code] = data.getlist(question.code)
        else:
            answers[question.code] = data.get(question.code, "")
    return answers
