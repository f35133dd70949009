from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from rme_platform.accounts.models import Role
from rme_platform.accounts.permissions import invitable_roles
from rme_platform.forms import add_service_errors

from . import people, permissions
from .forms import ImportUsersForm, InvitePersonForm

PERSON_ROLES = {"director", "utp", "supervisor", "sostenedor_rep", "analyst"}


@login_required
def invite_person(request):
    roles = invitable_roles(request.user) & PERSON_ROLES
    if not roles:
        raise PermissionDenied
    form = InvitePersonForm(request.POST or None, roles=roles)
    if request.method == "POST" and form.is_valid():
        try:
            user = people.invite_person(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(person)s quedó registrado/a; si no tenía contraseña, recibirá una invitación.")
                % {"person": user.email},
            )
            return redirect("people:invite")
    return render(
        request,
        "networks/invite_person.html",
        {"form": form, "can_import": permissions.is_admin(request.user), "roles": Role},
    )


@login_required
def import_people(request):
    if not permissions.is_admin(request.user):
        raise PermissionDenied
    form = ImportUsersForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = people.import_users(
                path_or_file=form.cleaned_data["file"],
                invited_by=request.user,
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            if result.dry_run:
                messages.success(request, _("El archivo es válido. No se guardó nada."))
            else:
                messages.success(
                    request,
                    _(
                        "Importación terminada: %(created)s personas nuevas, %(updated)s "
                        "actualizadas, %(invited)s invitaciones enviadas."
                    )
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "invited": result.invited,
                    },
                )
            return redirect("people:import")
    return render(request, "networks/import_people.html", {"form": form, "errors": errors})
