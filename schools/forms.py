from django import forms
from django.utils.translation import gettext_lazy as _

from .models import School, Sostenedor
from .validators import RBD_PATTERN, parse_rbd, parse_rut


class RutField(forms.CharField):
    """A RUT written with its check digit ("76.543.212-K"); cleans to
    (number, check digit) after checking the digit by modulo 11."""

    default_error_messages = {"required": _("Escriba el RUT.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("help_text", _("Con dígito verificador, por ejemplo 76.543.212-K."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return parse_rut(value) if value else None


class RBDField(forms.CharField):
    """An RBD as schools write it, with or without its check digit ("16748-7",
    "16.748-7" or "16748"); cleans to the number. A check digit given must
    be the right one (modulo 11, or the one the directory publishes for that
    school). A text input, not a number one: "-7" and "K" must be typable."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 14)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": 12}),
        )
        kwargs.setdefault("help_text", _("Con o sin dígito verificador, por ejemplo 16748-7."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        match = RBD_PATTERN.match(value.strip())
        published = None
        if match and match.group(2):
            number = int(match.group(1).replace(".", ""))
            published = School.objects.filter(rbd=number).values_list("check_digit", flat=True)
            published = published.first()
        return parse_rbd(value, published_check_digit=published)


class SostenedorForm(forms.ModelForm):
    """Create a sostenedor by its full RUT (the check digit must be right), or
    edit one; the RUT is its key and cannot change."""

    full_rut = RutField(label=_("RUT"))

    class Meta:
        model = Sostenedor
        fields = ["name", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["full_rut"] = self.instance.formatted_rut
            self.fields["full_rut"].disabled = True
        self.order_fields(["full_rut", "name", "kind"])

    def clean_full_rut(self):
        rut, check_digit = self.cleaned_data["full_rut"]
        others = Sostenedor.objects.filter(rut=rut)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Ya hay un sostenedor con ese RUT."))
        return rut, check_digit

    def save(self, commit=True):
        self.instance.rut, self.instance.check_digit = self.cleaned_data["full_rut"]
        return super().save(commit)


class DirectoryUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Archivo del directorio (CSV)"),
        help_text=_(
            "El «Directorio Oficial de Establecimientos» tal como lo publica MINEDUC: "
            "separado por «;», en UTF-8 o Latin-1."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv", "class": "form-control"}),
    )
    year = forms.IntegerField(
        label=_("Año"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("Déjelo en blanco para usar la columna AGNO del archivo."),
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    dry_run = forms.BooleanField(
        label=_("Solo validar (no escribir nada)"),
        required=False,
    )
