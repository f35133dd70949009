from functools import lru_cache
from html import escape

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import title
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rme_platform.accounts.models import Invitation, User
from rme_platform.accounts.permissions import invitable_roles
from rme_platform.forms import add_service_errors
from rme_platform.links import row_url
from schools.cache import registry_version
from schools.models import Category, School
from schools.permissions import visible_schools

from . import people, permissions, selectors, services
from .filters import NetworkFilter
from .forms import (
    AddMemberForm,
    AddSchoolForm,
    ImportUsersForm,
    InvitePersonForm,
    NetworkForm,
    PartnerForm,
)
from .models import MembershipRole, NetworkStatus


def _visible_network(user, code):
    """The network if the user may see it; 404 otherwise (existence is private)."""
    return get_object_or_404(selectors.network_detail_queryset(user), code=code)


def _manageable_network(user, code):
    network = _visible_network(user, code)
    if not permissions.can_manage_network(user, network):
        raise PermissionDenied
    return network


def _e(value):
    """A value as the template's autoescape writes it (html.escape)."""
    return escape(str(value))


@login_required
def network_list(request):
    networks = selectors.network_list(request.user).only(
        "code", "name", "year", "status", "deprov__name", "deprov__region__short_name"
    )
    filterset = NetworkFilter(request.GET or None, queryset=networks)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "networks/network_list.html",
        {
            "filter": filterset,
            "filter_form": _filter_form(filterset.form),
            "page": page,
            "rows": _network_rows_html(page.object_list),
            "can_create": permissions.can_create_network(request.user),
        },
    )


def _filter_form(form):
    """The filter form as HTML: a filled one rendered as it is, the empty
    one once per process, language and registry version (its DEPROV and
    region options come from the registry)."""
    if form.is_bound:
        return _render_filter_form(form)
    return _blank_filter_form(get_language(), registry_version())


def _render_filter_form(form):
    return render_to_string(
        "includes/filter_form.html",
        {
            "form": form,
            "heading": _("Filtrar redes"),
            "margin": "mb-4",
            "column": "col-sm-6 col-md-2",
            "wide_field": "q",
        },
    )


@lru_cache(maxsize=16)
def _blank_filter_form(language, version):
    return _render_filter_form(NetworkFilter().form)


def _network_rows_html(networks):
    """The list's rows, written here once per page instead of a template
    row per network (link, |title, status badge, two |intcomma): the same
    HTML the template wrote."""
    detail_url = row_url("networks:detail")
    statuses = dict(NetworkStatus.choices)
    html = []
    for network in networks:
        deprov = network.deprov
        status = _e(statuses.get(network.status, network.status))
        badge = "text-bg-success" if network.status == NetworkStatus.ACTIVE else "text-bg-secondary"
        html.append(
            "\n    <tr>\n"
            f'      <td class="font-monospace"><a href="{_e(detail_url(network.code))}">'
            f"{_e(network.code)}</a></td>\n"
            f"      <td>{_e(network.name)}</td>\n"
            f"      <td>{_e(title(deprov.name))}</td>\n"
            f"      <td>{_e(deprov.region.short_name)}</td>\n"
            f"      <td>{network.year}</td>\n"
            f'      <td><span class="badge {badge}">{status}</span></td>\n'
            f'      <td class="text-end">{_e(intcomma(network.n_schools))}</td>\n'
            f'      <td class="text-end">{_e(intcomma(network.n_members))}</td>\n'
            "    </tr>\n  "
        )
    return mark_safe("".join(html))  # noqa: S308 - every value escaped by _e


# The category badge's colour, as the template chose it.
CATEGORY_BADGES = {"insuficiente": "text-bg-danger", "alto": "text-bg-success"}


def _school_rows_html(network, rows, can_manage):
    """The school table's rows, written here once per page instead of a
    template row per school (link, category badge, intcomma, a remove
    button for a manager): the same HTML the template wrote."""
    school_url = row_url("schools:detail")
    if can_manage:
        remove_url = row_url("networks:school_remove", network.code)
        remove_label = _("Quitar %(name)s de la red")
        remove_title = _e(_("Quitar de la red"))
    labels = dict(Category.choices)
    html = []
    for rbd, check_digit, name, enrollment, comuna, category, year in rows:
        name = name or _("RBD %(rbd)s") % {"rbd": rbd}  # School.display_name
        if category:
            badge = CATEGORY_BADGES.get(category, "text-bg-light border")
            category = (
                f'<span class="badge {badge}">{_e(labels.get(category, category))}</span> '
                f'<span class="small text-body-secondary">{year}</span>'
            )
        else:
            category = '<span class="text-body-secondary">—</span>'
        button = ""
        if can_manage:
            button = (
                '<td class="text-end"><button class="btn btn-sm btn-outline-danger py-0" '
                f'type="submit" form="remove-school" formaction="{_e(remove_url(rbd))}" '
                f'aria-label="{_e(remove_label % {"name": name})}" '
                f'title="{remove_title}">&times;</button></td>'
            )
        html.append(
            "\n      <tr>\n"
            f'        <td class="font-monospace text-nowrap">{rbd}-{_e(check_digit)}</td>\n'
            f'        <td><a href="{_e(school_url(rbd))}">{_e(name)}</a></td>\n'
            f"        <td>{_e(comuna)}</td>\n"
            f"        <td>{category}</td>\n"
            f'        <td class="text-end">{_e(intcomma(enrollment))}</td>\n'
            f"        {button}\n"
            "      </tr>\n    "
        )
    return mark_safe("".join(html))  # noqa: S308 - every value escaped by _e


def _members_by_role(network, rows, can_manage):
    """(role label, role, members, their list items' HTML) for each role:
    the items written here once per page, the same HTML the template wrote."""
    if can_manage:
        remove_url = row_url("networks:member_remove", network.code)
        remove_label = _("Quitar a %(name)s")
        remove_text = _e(_("Quitar"))
    groups = {role: ([], []) for role in MembershipRole.values}
    for row in rows:
        user_id, role, full_name, rbd, school = row
        members, html = groups[role]
        members.append(row)
        if rbd is not None:  # School.display_name
            school = _e(school or _("RBD %(rbd)s") % {"rbd": rbd})
            school = f' <span class="small text-body-secondary">· {school}</span>'
        else:
            school = ""
        button = ""
        if can_manage:
            button = (
                '<button class="btn btn-sm btn-outline-danger" type="submit" '
                f'form="remove-member" formaction="{_e(remove_url(user_id))}" '
                f'aria-label="{_e(remove_label % {"name": full_name})}">{remove_text}</button>'
            )
        html.append(
            "\n      "
            '<li class="list-group-item d-flex justify-content-between align-items-center px-0">'
            f"\n        <span>{_e(full_name)}{school}</span>"
            f"\n        {button}"
            "\n      </li>\n      "
        )
    return [
        (MembershipRole(role).label, role, members, mark_safe("".join(html)))  # noqa: S308
        for role, (members, html) in groups.items()
    ]


def _form_fields(form):
    """A manager's form's fields as HTML: a form sent back rendered as it
    is, an empty one once per process and language (its HTML depends on the
    code and the language only)."""
    if form.is_bound:
        return render_to_string("includes/form_fields.html", {"form": form})
    return _blank_form_fields(type(form), get_language())


@lru_cache(maxsize=64)
def _blank_form_fields(form_class, language):
    return render_to_string("includes/form_fields.html", {"form": form_class()})


@login_required
def network_detail(request, code, forms=None):
    network = _visible_network(request.user, code)
    can_manage = permissions.can_manage_network(request.user, network)
    network.active_schools = selectors.school_rows(network)
    network.active_members = selectors.member_rows(network)
    forms = forms or {}
    context = {
        "network": network,
        "school_rows": _school_rows_html(network, network.active_schools, can_manage),
        "members_by_role": _members_by_role(network, network.active_members, can_manage),
        "can_manage": can_manage,
    }
    if can_manage:
        member_form = forms.get("member") or AddMemberForm()
        # "Invítela primero" opens the invitation page with this network
        # (and the email just tried) filled in.
        prefill = {"networks": network.code}
        if member_form.is_bound and member_form.data.get("email"):
            prefill["email"] = member_form.data["email"].strip()
        school_form = forms.get("school") or AddSchoolForm()
        partner_form = forms.get("partner") or PartnerForm()
        context.update(
            school_form=school_form,
            member_form=member_form,
            partner_form=partner_form,
            school_fields=_form_fields(school_form),
            member_fields=_form_fields(member_form),
            partner_fields=_form_fields(partner_form),
            can_invite=bool(invitable_roles(request.user)),
            invite_url=reverse("people:invite") + "?" + urlencode(prefill),
        )
    status = 400 if forms else 200
    return render(request, "networks/network_detail.html", context, status=status)


@login_required
def network_create(request):
    deprovs = permissions.manageable_deprovs(request.user)
    if not deprovs.exists():
        raise PermissionDenied
    form = NetworkForm(
        request.POST or None,
        deprovs=deprovs,
        offer_supervision=permissions.is_supervisor(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            network = services.create_network(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Red %(code)s creada.") % {"code": network.code})
            return redirect("networks:detail", code=network.code)
    return render(request, "networks/network_form.html", {"form": form, "creating": True})


@login_required
def network_edit(request, code):
    network = _manageable_network(request.user, code)
    form = NetworkForm(
        request.POST or None, instance=network, deprovs=permissions.manageable_deprovs(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_network(by=request.user, network=network, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Cambios guardados."))
            return redirect("networks:detail", code=network.code)
    return render(
        request, "networks/network_form.html", {"form": form, "network": network, "creating": False}
    )


@login_required
@require_POST
def school_add(request, code):
    network = _manageable_network(request.user, code)
    form = AddSchoolForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():
                link = services.add_school(
                    by=request.user, network=network, school=form.cleaned_data["rbd"]
                )
                added = []
                if form.cleaned_data["add_directivos"]:
                    added = services.add_school_directivos(
                        by=request.user, network=network, school=link.school
                    )
        except ValidationError as exc:
            if hasattr(exc, "message_dict") and "school" in exc.message_dict:
                exc = ValidationError({"rbd": exc.message_dict["school"]})
            add_service_errors(form, exc)
        else:
            school = link.school.display_name
            if added:
                messages.success(
                    request,
                    ngettext(
                        "%(school)s se sumó a la red, con %(count)s directivo/a: %(people)s.",
                        "%(school)s se sumó a la red, con %(count)s directivos: %(people)s.",
                        len(added),
                    )
                    % {
                        "school": school,
                        "count": len(added),
                        "people": ", ".join(u.get_full_name() or u.email for u in added),
                    },
                )
            else:
                messages.success(request, _("%(school)s se sumó a la red.") % {"school": school})
            return redirect("networks:detail", code=network.code)
    return network_detail(request, code, forms={"school": form})


@login_required
@require_POST
def school_remove(request, code, rbd):
    network = _manageable_network(request.user, code)
    school = get_object_or_404(School, rbd=rbd)
    services.remove_school(by=request.user, network=network, school=school)
    messages.success(request, _("%(school)s dejó la red.") % {"school": school.display_name})
    return redirect("networks:detail", code=network.code)


@login_required
@require_POST
def member_add(request, code):
    network = _manageable_network(request.user, code)
    form = AddMemberForm(request.POST)
    if form.is_valid():
        try:
            user = services.find_member_candidate(by=request.user, email=form.cleaned_data["email"])
            services.add_member(
                by=request.user, network=network, user=user, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            if hasattr(exc, "message_dict") and "user" in exc.message_dict:
                exc = ValidationError({"email": exc.message_dict["user"]})
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(person)s se sumó a la red.") % {"person": user})
            return redirect("networks:detail", code=network.code)
    return network_detail(request, code, forms={"member": form})


@login_required
@require_POST
def member_remove(request, code, user_id):
    network = _manageable_network(request.user, code)
    # Only the network's own (former) members: any other id answers 404, like
    # an unknown one, and no one else is named.
    user = get_object_or_404(User, pk=user_id, memberships__network=network)
    services.remove_member(by=request.user, network=network, user=user)
    messages.success(request, _("%(person)s ya no integra la red.") % {"person": user})
    return redirect("networks:detail", code=network.code)


@login_required
@require_POST
def partner_add(request, code):
    network = _manageable_network(request.user, code)
    form = PartnerForm(request.POST)
    if form.is_valid():
        try:
            partner = services.add_partner(by=request.user, network=network, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request, _("%(partner)s quedó vinculado a la red.") % {"partner": partner}
            )
            return redirect("networks:detail", code=network.code)
    return network_detail(request, code, forms={"partner": form})


@login_required
@require_POST
def partner_remove(request, code, partner_id):
    network = _manageable_network(request.user, code)
    partner = network.partners.filter(pk=partner_id).first()
    if partner is None:
        raise Http404
    services.remove_partner(by=request.user, network=network, partner=partner)
    messages.success(
        request, _("%(partner)s ya no está vinculado a la red.") % {"partner": partner}
    )
    return redirect("networks:detail", code=network.code)


@login_required
def school_panel(request, rbd):
    """The school's networks (past and present) that the user may see,
    loaded into the school page by htmx (routed as schools:networks_panel
    by rme_platform/urls.py, since schools knows nothing of networks)."""
    school = get_object_or_404(visible_schools(request.user), rbd=rbd)
    return render(
        request,
        "networks/_school_panel.html",
        {"network_links": selectors.school_networks(request.user, school)},
    )


# --- people: the one invitation page, and the CSV import ---------------------------------


@login_required
def invite_person(request):
    """Invite one person with their role and where it applies; below, the
    invitations the user sent (an admin: everyone's), which they may revoke."""
    roles = invitable_roles(request.user)
    if not roles:
        raise PermissionDenied
    # A link from elsewhere (a network's "Sumar una persona") may prefill
    # the email and the network.
    initial = {key: request.GET[key] for key in ("email", "networks") if key in request.GET}
    form = InvitePersonForm(request.POST or None, roles=roles, initial=initial)
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
    sent = Invitation.objects.select_related("user").order_by("-created_at")
    is_admin = permissions.is_admin(request.user)
    if not is_admin:
        sent = sent.filter(invited_by=request.user)
    return render(
        request,
        "networks/invite_person.html",
        {"form": form, "invitations": sent[:50], "can_import": is_admin},
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
                        "Importación terminada. Personas nuevas: %(created)s; actualizadas: "
                        "%(updated)s; invitaciones enviadas: %(invited)s."
                    )
                    % {
                        "created": result.created,
                        "updated": result.updated,
                        "invited": result.invited,
                    },
                )
            return redirect("people:import")
    return render(request, "networks/import_people.html", {"form": form, "errors": errors})
