"""The ATE registry: list and staff import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .. import imports, permissions
from ..forms import (
    UploadForm,
)
from ..models import (
    ATEProvider,
)


@login_required
def ate_list(request):
    query = (request.GET.get("q") or "").strip()
    providers = ATEProvider.objects.prefetch_related("service_areas", "regions").order_by("name")
    if query:
        digits = query.replace(".", "").split("-")[0]
        condition = Q(name__icontains=query) | Q(registry_number__icontains=query)
        if digits.isdigit():
            condition |= Q(rut=int(digits))
        providers = providers.filter(condition)
    page = Paginator(providers, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "pme/ate_list.html",
        {"page": page, "query": query, "can_import": permissions.can_import_ate(request.user)},
    )


@login_required
def ate_import(request):
    if not permissions.can_import_ate(request.user):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = imports.import_ate_providers(path_or_file=form.cleaned_data["file"])
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                _(
                    "Registro ATE importado. Proveedores nuevos: %(created)s; actualizados: "
                    "%(updated)s; ya no figuran: %(delisted)s."
                )
                % {
                    "created": result.created,
                    "updated": result.updated,
                    "delisted": result.delisted,
                },
            )
            return redirect("pme:ate_list")
    return render(
        request,
        "pme/ate_import.html",
        {"form": form, "errors": errors, "columns": imports.ATE_COLUMNS},
        status=400 if errors else 200,
    )
