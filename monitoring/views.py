import html
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from networks.permissions import visible_networks
from rme_platform import audit
from rme_platform.charts import diverging_bar_chart, line_chart
from rme_platform.forms import add_service_errors

from . import exports, permissions, selectors, services
from .forms import (
    CampaignForm,
    CopyInstrumentForm,
    InstrumentEditForm,
    InstrumentForm,
    QuestionForm,
    SectionForm,
    answers_from_post,
    options_to_text,
)
from .models import CampaignStatus, Draft, Question, QuestionKind, Section, likert_labels
from .permissions import ScopeError, parse_scope
from .results import campaign_results, choice_results
from .templatetags.monitoring_reports import dec2


def _campaign(user, slug):
    """A campaign the user may see; 404 otherwise."""
    return get_object_or_404(
        permissions.visible_campaigns(user).select_related("instrument"), slug=slug
    )


def _managed_campaign(user, slug):
    campaign = _campaign(user, slug)
    if not permissions.can_manage_campaigns(user):
        raise PermissionDenied
    return campaign


# --- overview -------------------------------------------------------------------------


@login_required
def index(request):
    user = request.user
    return render(
        request,
        "monitoring/index.html",
        {
            "campaigns": selectors.campaign_list(user),
            "panel": selectors.home_panel(user, published=False),
            "can_manage": permissions.can_manage_campaigns(user),
            "can_edit_instruments": permissions.can_edit_instruments(user),
            "can_view_risk": permissions.can_view_risk(user),
            "can_view_counts": permissions.can_view_campaign_counts(user),
            "reads_unpublished": permissions.reads_unpublished_results(user),
        },
    )


# --- answering --------------------------------------------------------------------------


UNAVAILABLE_STATUS = {"invalid": 404, "answered": 409, "closed": 410, "not_open": 403}


def _unavailable(request, reason, campaign=None, *, status=None):
    return render(
        request,
        "monitoring/respond_unavailable.html",
        {"reason": reason, "campaign": campaign, "sent": request.GET.get("sent") == "1"},
        status=status or (200 if request.method == "GET" else UNAVAILABLE_STATUS[reason]),
    )


def _survey_context(invitation, questions, answers, errors=None):
    sections = []
    for question in questions:
        if not sections or sections[-1]["section"].pk != question.section_id:
            sections.append({"section": question.section, "questions": []})
        value = answers.get(question.code)
        sections[-1]["questions"].append(
            {
                "question": question,
                "value": value,
                "error": (errors or {}).get(question.code),
                "inputs": _inputs(question, value),
            }
        )
    return {
        "invitation": invitation,
        "campaign": invitation.campaign if invitation else None,
        "sections": sections,
        "answered": len(answers),
        "total": len(questions),
        "errors": errors or {},
    }


def _choices(question):
    if question.kind == QuestionKind.LIKERT5:
        return list(likert_labels().items())
    return question.option_choices()


# A question's inputs are written here rather than in respond.html: 40
# questions of 5 choices made the template engine render some 1,400
# variables per page, most of the page's CPU. format_html escapes every value.
_LIKERT = (
    '<input class="btn-check" type="radio" name="{0}" id="{0}-{1}" value="{1}"{2}>\n'
    '<label class="btn btn-outline-primary flex-fill text-md-center" for="{0}-{1}">{3}</label>\n'
)
_OPTION = (
    '<div class="form-check py-1">\n<input class="form-check-input" type="{4}" '
    'name="{0}" id="{0}-{1}" value="{1}"{2}>\n'
    '<label class="form-check-label" for="{0}-{1}">{3}</label>\n</div>\n'
)
_CHECKED = mark_safe(" checked")  # noqa: S308 - a constant


def _inputs(question, value):
    """The HTML of a question's inputs, with the saved answer `value`."""
    code, kind = question.code, question.kind
    if kind in (QuestionKind.NUMBER, QuestionKind.TEXT):
        text = "" if value is None else value
        label = format_html(
            '<label class="visually-hidden" for="{}-input">{}</label>\n', code, question.text
        )
        if kind == QuestionKind.NUMBER:
            field = format_html(
                '<input class="form-control w-auto" type="number" inputmode="numeric" '
                'min="0" max="10000" step="1" name="{0}" id="{0}-input" value="{1}">',
                code,
                text,
            )
        else:
            field = format_html(
                '<textarea class="form-control" rows="3" maxlength="5000" name="{0}" '
                'id="{0}-input">{1}</textarea>',
                code,
                text,
            )
        return label + field
    chosen = set(value) if isinstance(value, list) else {value}
    template = _LIKERT if kind == QuestionKind.LIKERT5 else _OPTION
    kind_type = "checkbox" if kind == QuestionKind.MULTIPLE else "radio"
    # What format_html_join wrote, escaping each value as conditional_escape
    # does, without its lazy-string wrapper per value (200 choices a page).
    name = _escape(code)
    inputs = "".join(
        template.format(
            name, _escape(number), _CHECKED if number in chosen else "", _escape(label), kind_type
        )
        for number, label in _choices(question)
    )
    if kind == QuestionKind.LIKERT5:
        inputs = f'<div class="likert d-grid gap-1 d-md-flex">\n{inputs}</div>'
    return mark_safe(inputs)  # noqa: S308 - every value escaped


def _escape(value):
    """django.utils.html.conditional_escape, for the plain values of _inputs."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _no_referrer(view):
    """The personal link's pages ask browsers never to send their path as a
    Referer (their URL holds the token): neither to the site's own files,
    whose access log lines would carry it, nor to any other site. "origin"
    rather than "no-referrer": with no-referrer Chromium sends `Origin: null`
    on the page's own form posts, which Django's CSRF check refuses (403)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "origin"
        return response

    return wrapped


@_no_referrer
def respond(request, token):
    """The respondent's form, reached by the personal link (no sign-in
    needed): answers saved as they go, resumed from any device, submitted once."""
    try:
        invitation = services.invitation_for_token(token, with_network=request.method != "POST")
        if request.method != "POST":
            # A submit checks it under the invitation's lock, in its transaction.
            services.check_answerable(invitation)
    except services.SurveyUnavailable as exc:
        status = 404 if exc.reason == "invalid" else None
        return _unavailable(request, exc.reason, exc.campaign, status=status)
    questions = services.instrument_questions(invitation.campaign.instrument)
    errors = None
    if request.method == "POST":
        answers = answers_from_post(questions, request.POST)
        try:
            services.submit_response(invitation=invitation, answers=answers, questions=questions)
        except services.SurveyUnavailable as exc:
            return _unavailable(request, exc.reason, exc.campaign)
        except ValidationError as exc:
            errors = exc.message_dict
            try:
                # Keep what was given; the campaign may have closed meanwhile.
                services.save_draft(invitation=invitation, answers=answers)
            except services.SurveyUnavailable as unavailable:
                return _unavailable(request, unavailable.reason, unavailable.campaign)
        else:
            return redirect(reverse("monitoring:respond", args=[token]) + "?sent=1")
    draft = Draft.objects.filter(invitation=invitation).first()
    answers = draft.answers if draft else {}
    context = _survey_context(invitation, questions, answers, errors)
    context.update(token=token, draft=draft, preview=False, min_cell_size=settings.MIN_CELL_SIZE)
    return render(request, "monitoring/respond.html", context, status=400 if errors else 200)


@require_POST
@_no_referrer
def autosave(request, token):
    """htmx: keep the answers given so far; answers with the progress."""
    try:
        invitation = services.invitation_for_token(token, with_network=False)
        questions = services.instrument_questions(invitation.campaign.instrument)
        draft = services.save_draft(
            invitation=invitation, answers=answers_from_post(questions, request.POST)
        )
    except services.SurveyUnavailable as exc:
        return render(
            request, "monitoring/_survey_status.html", {"unavailable": exc.reason}, status=200
        )
    return render(
        request,
        "monitoring/_survey_status.html",
        {
            "answered": len(draft.answers),
            "total": len(questions),
            "saved_at": timezone.localtime(draft.updated_at),
        },
    )


# --- campaigns -------------------------------------------------------------------------------


@login_required
def campaign_create(request):
    if not permissions.can_manage_campaigns(request.user):
        raise PermissionDenied
    initial = {"year": timezone.localdate().year, "target": "all", "reminder_every_days": 7}
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.create_campaign(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Campaña %(slug)s creada.") % {"slug": campaign.slug})
            return redirect("monitoring:campaign", slug=campaign.slug)
    return render(request, "monitoring/campaign_form.html", {"form": form, "creating": True})


@login_required
def campaign_edit(request, slug):
    campaign = _managed_campaign(request.user, slug)
    form = CampaignForm(request.POST or None, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "slug"}
        try:
            services.update_campaign(by=request.user, campaign=campaign, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Cambios guardados."))
            return redirect("monitoring:campaign", slug=campaign.slug)
    return render(
        request,
        "monitoring/campaign_form.html",
        {"form": form, "campaign": campaign, "creating": False},
    )


@login_required
def campaign_detail(request, slug):
    user = request.user
    campaign = _campaign(user, slug)
    can_rates = permissions.can_view_rates(user, campaign)
    return render(
        request,
        "monitoring/campaign_detail.html",
        {
            "campaign": campaign,
            "can_manage": permissions.can_manage_campaigns(user),
            "can_results": permissions.can_view_results(user, campaign),
            "can_rates": can_rates,
            "can_raw": permissions.can_download_raw(user),
            "can_reports": permissions.can_view_reports_page(user, campaign),
            "rates": selectors.response_rates(user, campaign)["total"] if can_rates else None,
            "rates_are_own_networks": not permissions.rates_cover_whole_regions(user),
            "n_responses": campaign.responses.count(),
            "target_regions": campaign.target_regions.all(),
            "target_networks": campaign.target_networks.all(),
        },
    )


def _campaign_action(request, slug, action, done_message):
    campaign = _managed_campaign(request.user, slug)
    try:
        result = action(campaign)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done_message(result))
    return redirect("monitoring:campaign", slug=campaign.slug)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_open(request, slug):
    """GET asks for confirmation (a page: no JavaScript needed); POST opens
    the campaign and sends the invitations."""
    if request.method == "GET":
        campaign = _managed_campaign(request.user, slug)
        networks = services.targeted_networks(campaign).count()
        return render(
            request,
            "confirm.html",
            {
                "confirm": {
                    "title": _("Abrir la campaña «%(name)s»") % {"name": campaign.name},
                    "question": _("¿Abrir la campaña e invitar a responder?"),
                    "details": [
                        ngettext(
                            "La campaña llega a %(count)s red activa: cada uno de sus "
                            "directivos activos recibirá un enlace personal por correo.",
                            "La campaña llega a %(count)s redes activas: cada uno de sus "
                            "directivos activos recibirá un enlace personal por correo.",
                            networks,
                        )
                        % {"count": networks},
                        _("El instrumento queda congelado: ya no podrá modificarse."),
                    ],
                    "button": _("Sí, abrir e invitar"),
                    "button_class": "btn-success",
                    "cancel_url": reverse("monitoring:campaign", args=[campaign.slug]),
                }
            },
        )
    return _campaign_action(
        request,
        slug,
        lambda c: services.open_campaign(by=request.user, campaign=c),
        lambda n: ngettext(
            "Campaña abierta: %(n)s invitación enviada por correo.",
            "Campaña abierta: %(n)s invitaciones enviadas por correo.",
            n,
        )
        % {"n": n},
    )


@login_required
@require_POST
def campaign_close(request, slug):
    return _campaign_action(
        request,
        slug,
        lambda c: services.close_campaign(by=request.user, campaign=c),
        lambda _c: _("Campaña cerrada: los enlaces ya no reciben respuestas."),
    )


@login_required
@require_POST
def campaign_publish(request, slug):
    return _campaign_action(
        request,
        slug,
        lambda c: services.publish_campaign(by=request.user, campaign=c),
        lambda _c: _("Resultados publicados para los integrantes de las redes."),
    )


@login_required
@require_POST
def campaign_remind(request, slug):
    def done(n):
        if not n:
            return _(
                "Nadie pendiente de recordatorio hoy: a nadie se le recuerda dos veces el "
                "mismo día."
            )
        return ngettext(
            "Recordatorio enviado a %(n)s persona que aún no responde.",
            "Recordatorio enviado a %(n)s personas que aún no responden.",
            n,
        ) % {"n": n}

    return _campaign_action(
        request, slug, lambda c: services.send_reminders(by=request.user, campaign=c), done
    )


@login_required
@require_POST
def campaign_invite_new(request, slug):
    return _campaign_action(
        request,
        slug,
        lambda c: services.invite_new_directivos(by=request.user, campaign=c),
        lambda n: ngettext("%(n)s invitación nueva.", "%(n)s invitaciones nuevas.", n) % {"n": n},
    )


@login_required
def response_rates(request, slug):
    campaign = _campaign(request.user, slug)
    if not permissions.can_view_rates(request.user, campaign):
        raise PermissionDenied
    return render(
        request,
        "monitoring/rates.html",
        {
            "campaign": campaign,
            "rates": selectors.response_rates(request.user, campaign),
            "rates_are_own_networks": not permissions.rates_cover_whole_regions(request.user),
        },
    )


# --- results -----------------------------------------------------------------------------------


def _results_scope(request, campaign):
    """The scope asked for (or the default one) if the user may read it; 404 otherwise."""
    user = request.user
    if not permissions.can_view_results(user, campaign):
        raise PermissionDenied
    text = request.GET.get("scope")
    if text:
        try:
            scope = parse_scope(text)
        except ScopeError as exc:
            raise Http404 from exc
    else:
        scope = selectors.default_scope(user, campaign)
    if not permissions.can_view_scope(user, campaign, scope):
        raise Http404
    return scope


def scope_label(scope):
    if scope.kind == "network":
        return f"{scope.network.code} · {scope.network.name}"
    if scope.kind == "region":
        return scope.region.name
    return _("Nacional")


def _suppressed_label():
    return ngettext(
        "No se muestra: menos de %(n)s respuesta o protege otra cifra",
        "No se muestra: menos de %(n)s respuestas o protege otra cifra",
        settings.MIN_CELL_SIZE,
    ) % {"n": settings.MIN_CELL_SIZE}


def _results_pending(request, campaign, *, status=200):
    """While a campaign is open its results are read by no one (see
    permissions.results_released): the page says why and offers the
    participation counts instead. Downloads answer 409 with the same page."""
    return render(
        request,
        "monitoring/results_pending.html",
        {
            "campaign": campaign,
            "can_rates": permissions.can_view_rates(request.user, campaign),
        },
        status=status,
    )


# The scope menus written, by their options (the menu of a national analyst
# is the same page after page): content-addressed, so never stale. Bounded.
_SCOPE_MENUS = {}
SCOPE_MENUS_KEPT = 64


def _scope_options(choices, selected):
    """The <option>s of the scope menu, written at once (hundreds of networks):
    html.escape is what django.utils.html.escape does, without its lazy-string
    wrapper and SafeString per value (half the page's time for 650 options).
    Kept in this process by the options themselves (_SCOPE_MENUS), the
    selected one marked on each use."""
    national = _("Nacional")
    key = (national, tuple(choices))
    menu = _SCOPE_MENUS.get(key)
    if menu is None:
        if len(_SCOPE_MENUS) >= SCOPE_MENUS_KEPT:
            _SCOPE_MENUS.clear()
        menu = _SCOPE_MENUS[key] = "".join(
            f'<option value="{html.escape(value)}">{html.escape(str(label or national))}</option>'
            for value, label in choices
        )
    option = f'<option value="{html.escape(selected)}">'
    return mark_safe(  # noqa: S308 - every value escaped
        menu.replace(option, f'<option value="{html.escape(selected)}" selected>')
    )


def _results_thead():
    """The head of every question's table (the same ~35 times a page)."""
    return format_html(
        '<thead><tr><th scope="col">{}</th><th scope="col" class="num">{}</th>'
        '<th scope="col" class="num">{}</th><th scope="col" class="num">{}</th>'
        '<th scope="col" class="num">{}</th><th scope="col" class="num">{}</th></tr></thead>',
        _("Alcance"),
        _("Respuestas"),
        _("De acuerdo"),
        _("Neutral"),
        _("En desacuerdo"),
        _("Promedio (1 a 5)"),
    )


class _Cells:
    """The cells of a row of a question's table (written here rather than by
    an included template for each scope, ~100 a page): in the active
    language, with each figure localized once."""

    def __init__(self):
        self.not_asked = (
            '<td class="num">—</td><td class="suppressed" colspan="4">'
            + html.escape(_("No incluida en esta encuesta"))
            + "</td>\n"
        )
        self.suppressed = html.escape(
            _("No se muestra (menos de %(min_cell_size)s respuestas o protección de otra celda)")
            % {"min_cell_size": localize(settings.MIN_CELL_SIZE)}
        )
        self.numbers = {}

    def num(self, value):
        key = (type(value), value)  # 13 and 13.0 are written differently
        text = self.numbers.get(key)
        if text is None:
            text = self.numbers[key] = html.escape(str(localize(value)))
        return text

    def __call__(self, item):
        if item is not None and item.get("not_asked"):
            return self.not_asked
        if item is None or item.get("suppressed"):
            n = (item or {}).get("n") or 0
            return (
                f'<td class="num">{self.num(n)}</td><td class="suppressed" colspan="4">'
                f"{self.suppressed}</td>\n"
            )
        num = self.num
        return (
            f'<td class="num">{num(item["n"])}</td>'
            f'<td class="num">{num(item["pct_agree"])} %</td>'
            f'<td class="num">{num(item["pct_neutral"])} %</td>'
            f'<td class="num">{num(item["pct_disagree"])} %</td>'
            f'<td class="num">{html.escape(dec2(item["mean"]))}</td>\n'
        )


class _Article:
    """A question's article of the results page (its heading, chart and
    table), written here rather than by the template's loops (~35 a page,
    a dozen tags each): the same markup, each text escaped as the
    template's autoescape does."""

    def __init__(self, labels, thead):
        self.not_asked = (
            '<p class="suppressed mb-2">' + html.escape(_("No incluida en esta encuesta.")) + "</p>"
        )
        self.thead = str(thead)
        self.labels = [html.escape(str(label)) for label in labels]
        first = self.labels[0] if self.labels else ""
        self.roles = {
            "director": f"{first} · {html.escape(_('Director/a'))}",
            None: f"{first} · {html.escape(_('Jefe/a de UTP'))}",
        }

    def __call__(self, row):
        code = html.escape(row["question"].code)
        if row["not_asked"]:
            figure = self.not_asked
        else:
            figure = f'<figure class="mb-2">{row["chart"]}</figure>'
        items = "".join(
            f'<tr><th scope="row" class="fw-normal">{label}</th>{cells}</tr>'
            for label, (_label, cells) in zip(self.labels, row["items"], strict=True)
        )
        roles = "".join(
            f'<tr><th scope="row" class="fw-normal">'
            f"{self.roles['director' if role == 'director' else None]}</th>{cells}</tr>"
            for role, cells in row["roles"]
        )
        return mark_safe(  # noqa: S308 - every text escaped
            f'<article class="mb-4" aria-labelledby="q-{code}">\n'
            f'    <h3 class="h6" id="q-{code}">{html.escape(row["question"].text)} '
            f'<span class="small text-body-secondary font-monospace">{code}</span></h3>\n'
            f"    {figure}\n"
            f'    <div class="table-responsive" tabindex="0" role="region" '
            f'aria-labelledby="q-{code}">\n'
            f'    <table class="table table-sm results-table small mb-0">\n'
            f"      {self.thead}\n"
            f"      <tbody>\n"
            f"      {items}\n"
            f"      {roles}\n"
            f"      </tbody>\n"
            f"    </table>\n"
            f"    </div>\n"
            f"  </article>"
        )


def _constructs_html(constructs):
    """The sections of the results page, one per construct with its trend
    chart and its questions' articles (row["html"], _Article): the markup
    the template's loops wrote."""
    parts = []
    for counter, construct in enumerate(constructs, 1):
        trend = construct["trend"]
        figure = f'<figure class="my-3">{trend}</figure>' if trend else ""
        parts.append(
            f'\n<section class="mb-5" aria-labelledby="c-{counter}">\n'
            f'  <h2 class="h4 border-bottom pb-1" id="c-{counter}">'
            f"{html.escape(str(construct['name']))}</h2>\n"
            f"  {figure}\n"
            f"  "
        )
        parts.extend(f"\n  {row['html']}\n  " for row in construct["rows"])
        parts.append("\n</section>\n")
    return mark_safe("".join(parts))  # noqa: S308 - texts escaped, charts and rows safe


def _frozen(rows):
    """[(label, values)] as a hashable key: values a dict, a list or None."""
    return tuple(
        (
            label,
            tuple(sorted(values.items()))
            if isinstance(values, dict)
            else (None if values is None else tuple(values)),
        )
        for label, values in rows
    )


CHARTS_KEPT = 500


def _chart(charts, key, draw):
    """The chart drawn for `key` (its figures and labels) if drawn before, else draw()."""
    chart = charts.get(key)
    if chart is None:
        if len(charts) >= CHARTS_KEPT:
            charts.clear()
        chart = charts[key] = draw()
    return chart


@login_required
def results(request, slug):
    user = request.user
    campaign = _campaign(user, slug)
    scope = _results_scope(request, campaign)
    if not permissions.results_released(campaign):
        return _results_pending(request, campaign)
    by_role = request.GET.get("by_role") == "1"
    compared = selectors.comparison_scopes(scope)
    # The cache keys of the campaign's and the earlier waves' results, read once.
    waves = [*selectors.earlier_campaigns(user, campaign), campaign]
    stats = selectors.response_stats(waves)
    data = campaign_results(campaign, stats=stats[campaign.pk])
    datas = [data.for_scope(s) for s in compared]
    by_code = [{item["code"]: item for item in d["questions"]} for d in datas]
    role_items = {}
    if by_role:
        role_results = campaign_results(campaign, by_role=True, stats=stats[campaign.pk])
        for item in role_results.for_scope(scope)["questions"]:
            role_items.setdefault(item["code"], []).append(item)
    labels = [scope_label(s) for s in compared]
    # The instrument's questions as the survey keeps them (in memory once
    # frozen, as every released campaign's is), in the page's order.
    questions = sorted(
        (
            q
            for q in services.instrument_questions(campaign.instrument)
            if q.kind == QuestionKind.LIKERT5
        ),
        key=lambda q: (q.section.order, q.order, q.pk),
    )
    trend = selectors.trend(user, campaign, scope, waves=waves, stats=stats)
    suppressed_label = _suppressed_label()
    # Drawing the ~35 charts was most of the page's time. They depend only on
    # the figures, the scope labels and the language: they are kept with
    # the campaign's results (data.charts), which a new response replaces.
    language = get_language()
    charts = data.charts
    constructs = []
    cells = _Cells()
    for question in questions:
        code = question.code
        items = [b.get(code) for b in by_code]
        not_asked = bool(items[0] and items[0].get("not_asked"))
        chart = None
        if not not_asked:
            rows = [
                (label, None if item is None or item["suppressed"] else item["counts"])
                for label, item in zip(labels, items, strict=True)
            ]
            chart = _chart(
                charts,
                ("likert", language, code, _frozen(rows)),
                lambda rows=rows, code=code: diverging_bar_chart(
                    title=_("Distribución de respuestas: %(code)s") % {"code": code},
                    rows=rows,
                    suppressed_label=suppressed_label,
                ),
            )
        row = {
            "question": question,
            "items": [
                (label, mark_safe(cells(item)))  # noqa: S308 - _Cells escapes
                for label, item in zip(labels, items, strict=True)
            ],
            "roles": [
                (item["role"], mark_safe(cells(item)))  # noqa: S308 - _Cells escapes
                for item in role_items.get(code, [])
            ],
            "chart": chart,
            "not_asked": not_asked,
        }
        name = question.construct_label or _("Otras preguntas")
        if not constructs or constructs[-1]["name"] != name:
            constructs.append({"name": name, "rows": [], "trend": None})
        constructs[-1]["rows"].append(row)
    article = _Article(labels, thead := _results_thead())
    for construct in constructs:
        for row in construct["rows"]:
            row["html"] = article(row)
    waves = trend["waves"]
    if len(waves) > 1:
        for construct in constructs:
            series = [
                (
                    row["question"].code,
                    trend["series"].get(row["question"].code, [None] * len(waves)),
                )
                for row in construct["rows"]
            ]
            if any(v is not None for _name, values in series for v in values):
                x_labels = [str(w.year) for w in waves]
                construct["trend"] = _chart(
                    charts,
                    ("trend", language, construct["name"], tuple(x_labels), _frozen(series)),
                    lambda name=construct["name"], x_labels=x_labels, series=series: line_chart(
                        title=_("Porcentaje de acuerdo por año: %(construct)s")
                        % {"construct": name},
                        x_labels=x_labels,
                        series=series,
                        y_max=100,
                        unit=" %",
                    ),
                )
    return render(
        request,
        "monitoring/results.html",
        {
            "campaign": campaign,
            "scope": scope,
            "scope_text": str(scope),
            "scope_options": _scope_options(selectors.scope_choices(user, campaign), str(scope)),
            "labels": labels,
            "datas": datas,
            "constructs_html": _constructs_html(constructs),
            "thead": thead,
            "choices": choice_results(campaign, stats=stats[campaign.pk]).for_scope(scope),
            "by_role": by_role,
            "waves": waves,
            "min_cell_size": settings.MIN_CELL_SIZE,
            "can_raw": permissions.can_download_raw(user),
        },
    )


def _download(content, filename, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def results_csv(request, slug):
    campaign = _campaign(request.user, slug)
    scope = _results_scope(request, campaign)
    if not permissions.results_released(campaign):
        return _results_pending(request, campaign, status=409)
    by_role = request.GET.get("by_role") == "1"
    data = campaign_results(campaign, by_role=by_role).for_scope(scope)
    name = f"{campaign.slug}_{str(scope).replace(':', '-')}{'_cargo' if by_role else ''}.csv"
    return _download(exports.results_csv([data]), name, "text/csv; charset=utf-8")


@login_required
def results_xlsx(request, slug):
    campaign = _campaign(request.user, slug)
    scope = _results_scope(request, campaign)
    if not permissions.results_released(campaign):
        return _results_pending(request, campaign, status=409)
    by_role = request.GET.get("by_role") == "1"
    datas = [
        campaign_results(campaign, by_role=by_role).for_scope(s)
        for s in selectors.comparison_scopes(scope)
    ]
    texts = dict(
        Question.objects.filter(instrument_id=campaign.instrument_id).values_list("code", "text_es")
    )
    content = exports.results_xlsx(datas, title=campaign.name, texts=texts)
    name = f"{campaign.slug}_{str(scope).replace(':', '-')}{'_cargo' if by_role else ''}.xlsx"
    return _download(
        content, name, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def _raw_download(request, slug, *, file, build, filename):
    """A raw anonymous download (national analysts, released campaigns only),
    recorded in the audit trail."""
    campaign = _campaign(request.user, slug)
    if not permissions.can_download_raw(request.user) or campaign.status == CampaignStatus.DRAFT:
        raise PermissionDenied
    if not permissions.results_released(campaign):
        return _results_pending(request, campaign, status=409)
    audit.record(request.user, "campaign.raw_downloaded", campaign, file=file)
    return _download(build(campaign), filename % campaign.slug, "text/csv; charset=utf-8")


@login_required
def raw_csv(request, slug):
    return _raw_download(
        request,
        slug,
        file="responses",
        build=exports.raw_responses_csv,
        filename="%s_respuestas_anonimas.csv",
    )


@login_required
def raw_texts_csv(request, slug):
    """The free-text answers alone (no quasi-identifier), for the same
    readers as the raw responses."""
    return _raw_download(
        request,
        slug,
        file="texts",
        build=exports.raw_texts_csv,
        filename="%s_textos_anonimos.csv",
    )


# --- instruments ----------------------------------------------------------------------------


def _instrument(user, slug):
    return get_object_or_404(permissions.visible_instruments(user), slug=slug)


def _editable_instrument(user, slug):
    instrument = _instrument(user, slug)
    if not permissions.can_edit_instruments(user):
        raise PermissionDenied
    return instrument


@login_required
def instrument_list(request):
    if not permissions.can_edit_instruments(request.user):
        raise PermissionDenied
    form = InstrumentForm(request.POST or None, initial={"language": "es"})
    if request.method == "POST" and form.is_valid():
        try:
            instrument = services.create_instrument(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Instrumento creado. Agregue sus secciones y preguntas."))
            return redirect("monitoring:instrument", slug=instrument.slug)
    return render(
        request,
        "monitoring/instrument_list.html",
        {"instruments": selectors.instrument_list(request.user), "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def instrument_detail(request, slug, section_form=None, status=200):
    user = request.user
    instrument = _instrument(user, slug)
    can_edit = permissions.can_edit_instruments(user) and not instrument.frozen
    next_version = instrument.version + 1
    return render(
        request,
        "monitoring/instrument_detail.html",
        {
            "instrument": instrument,
            "sections": selectors.instrument_sections(instrument),
            "can_edit": can_edit,
            "can_copy": permissions.can_edit_instruments(user),
            "section_form": section_form or SectionForm(),
            "edit_form": InstrumentEditForm(
                initial={
                    "name": instrument.name,
                    "language": instrument.language,
                    "description": instrument.description,
                }
            ),
            "copy_form": CopyInstrumentForm(
                initial={
                    "slug": f"{instrument.family}-v{next_version}",
                    "name": instrument.name,
                }
            ),
            "campaigns": instrument.campaigns.order_by("-year"),
        },
        status=status,
    )


@login_required
@require_POST
def instrument_edit(request, slug):
    instrument = _editable_instrument(request.user, slug)
    form = InstrumentEditForm(request.POST)
    if form.is_valid():
        try:
            services.update_instrument(by=request.user, instrument=instrument, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Cambios guardados."))
    else:
        messages.error(request, _("Revise el nombre y el idioma del instrumento."))
    return redirect("monitoring:instrument", slug=instrument.slug)


@login_required
@require_POST
def instrument_copy(request, slug):
    instrument = _editable_instrument(request.user, slug)
    form = CopyInstrumentForm(request.POST)
    if form.is_valid():
        try:
            copy = services.copy_instrument(
                by=request.user, instrument=instrument, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Nueva versión %(version)s creada; ya puede modificarla.")
                % {"version": copy.version},
            )
            return redirect("monitoring:instrument", slug=copy.slug)
    else:
        messages.error(request, _("Indique un identificador y un nombre para la copia."))
    return redirect("monitoring:instrument", slug=instrument.slug)


@login_required
def instrument_preview(request, slug):
    instrument = _instrument(request.user, slug)
    questions = services.instrument_questions(instrument)
    context = _survey_context(None, questions, {})
    context.update(instrument=instrument, preview=True)
    return render(request, "monitoring/respond.html", context)


@login_required
@require_POST
def section_add(request, slug):
    instrument = _editable_instrument(request.user, slug)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            services.add_section(by=request.user, instrument=instrument, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Sección agregada."))
            return redirect("monitoring:instrument", slug=instrument.slug)
    return instrument_detail(request, slug, section_form=form, status=400)


def _section(user, slug, section_id):
    instrument = _editable_instrument(user, slug)
    return get_object_or_404(
        Section.objects.select_related("instrument"), pk=section_id, instrument=instrument
    )


@login_required
def section_edit(request, slug, section_id):
    section = _section(request.user, slug, section_id)
    initial = {
        "title_es": section.title_es,
        "title_en": section.title_en,
        "description_es": section.description_es,
        "description_en": section.description_en,
    }
    form = SectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_section(by=request.user, section=section, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Sección guardada."))
            return redirect("monitoring:instrument", slug=slug)
    return render(
        request,
        "monitoring/section_form.html",
        {"form": form, "section": section, "instrument": section.instrument},
    )


@login_required
@require_POST
def section_delete(request, slug, section_id):
    section = _section(request.user, slug, section_id)
    try:
        services.delete_section(by=request.user, section=section)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Sección eliminada con sus preguntas."))
    return redirect("monitoring:instrument", slug=slug)


@login_required
@require_POST
def section_move(request, slug, section_id):
    section = _section(request.user, slug, section_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.move_section(by=request.user, section=section, offset=offset)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("monitoring:instrument", args=[slug]) + f"#section-{section.pk}")


def _question(user, slug, question_id):
    instrument = _editable_instrument(user, slug)
    return get_object_or_404(
        Question.objects.select_related("instrument", "section"),
        pk=question_id,
        instrument=instrument,
    )


def _question_form_data(question):
    return {
        "section": str(question.section_id),
        "code": question.code,
        "kind": question.kind,
        "text_es": question.text_es,
        "text_en": question.text_en,
        "construct": question.construct,
        "required": question.required,
        "options_text": options_to_text(question.options),
    }


@login_required
def question_add(request, slug):
    instrument = _editable_instrument(request.user, slug)
    sections = list(instrument.sections.order_by("order", "pk"))
    if not sections:
        messages.error(request, _("Agregue primero una sección."))
        return redirect("monitoring:instrument", slug=slug)
    initial = {"section": request.GET.get("section") or str(sections[0].pk), "kind": "likert5"}
    initial["required"] = True
    form = QuestionForm(request.POST or None, sections=sections, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        section = data.pop("section")
        data["options"] = data.pop("options_text")
        try:
            question = services.add_question(by=request.user, section=section, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Pregunta %(code)s agregada.") % {"code": question.code})
            return redirect(reverse("monitoring:instrument", args=[slug]) + f"#q-{question.pk}")
    return render(
        request,
        "monitoring/question_form.html",
        {"form": form, "instrument": instrument, "creating": True},
        status=400 if form.errors else 200,
    )


@login_required
def question_edit(request, slug, question_id):
    question = _question(request.user, slug, question_id)
    instrument = question.instrument
    sections = list(instrument.sections.order_by("order", "pk"))
    form = QuestionForm(
        request.POST or None, sections=sections, initial=_question_form_data(question)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["options"] = data.pop("options_text")
        try:
            services.update_question(by=request.user, question=question, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Pregunta %(code)s guardada.") % {"code": question.code})
            return redirect(reverse("monitoring:instrument", args=[slug]) + f"#q-{question.pk}")
    return render(
        request,
        "monitoring/question_form.html",
        {"form": form, "instrument": instrument, "question": question, "creating": False},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def question_delete(request, slug, question_id):
    question = _question(request.user, slug, question_id)
    try:
        services.delete_question(by=request.user, question=question)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Pregunta %(code)s eliminada.") % {"code": question.code})
    return redirect("monitoring:instrument", slug=slug)


@login_required
@require_POST
def question_move(request, slug, question_id):
    question = _question(request.user, slug, question_id)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        services.move_question(by=request.user, question=question, offset=offset)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("monitoring:instrument", args=[slug]) + f"#q-{question.pk}")


@login_required
def network_panel(request, code):
    """The network's latest published survey results, loaded into the
    network page by htmx (routed as networks:survey_panel by
    rme_platform/urls.py)."""
    # With its DEPROV's region, which the panel's scope names.
    network = get_object_or_404(
        visible_networks(request.user).select_related("deprov__region"), code=code
    )
    return render(
        request,
        "monitoring/_network_panel.html",
        {"monitoring_panel": selectors.network_panel(request.user, network, visible=True)},
    )
