from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Sostenedor
from .validators import parse_rut


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
