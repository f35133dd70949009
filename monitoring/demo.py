"""Demo and national-scale survey data, on top of networks.demo.

- `seed_demo_monitoring()`: on the Maule demo networks, the wave of two
  school years ago loaded from a file (import_responses) and published,
  last year's campaign answered in October, closed and published (some
  networks under MIN_CELL_SIZE responses, so suppression and its complement
  show), and an open campaign of the current school year where
  directora@demo.rme.cl has a pending invitation. The demo networks have
  meetings and PME plans in each of these years, so every chapter of the
  published waves' reports has data (and last year's a trend). Years come
  from timezone.localdate(). Repeatable: existing campaigns are kept.
- `seed_national_monitoring()`: one closed campaign over the national
  networks with ~15,000 responses × 40 questions (~600,000 answers),
  written with COPY on PostgreSQL. Repeatable: it replaces its campaign.
"""

import csv
import io
import random
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from networks.demo import demo_networks
from networks.models import Membership, Network
from rme_platform.accounts.models import User
from rme_platform.management.demo import DEMO_SEED, demo_years, school_year

from . import services
from .default_instrument import load_default_instrument
from .imports import import_responses
from .models import Answer, Campaign, CampaignStatus, Invitation, Question, QuestionKind, Response

DEMO_NETWORKS = ["RME-07-001", "RME-07-002", "RME-07-003", "RME-07-004", "RME-07-005", "RME-07-006"]
# Responses per network in last year's wave: RME-07-004 is under 5
# (suppressed) and the next smallest of the region, RME-07-006, is
# suppressed with it.
RESPONSES_LAST_YEAR = {
    "RME-07-001": 16,
    "RME-07-002": 11,
    "RME-07-003": 13,
    "RME-07-004": 3,
    "RME-07-005": 9,
    "RME-07-006": 7,
}
# The paper wave of two years ago.
RESPONSES_PAPER = {
    "RME-07-001": 14,
    "RME-07-002": 9,
    "RME-07-003": 12,
    "RME-07-004": 8,
    "RME-07-005": 6,
    "RME-07-006": 10,
}
# Where networks are weaker (DESIGN.md: links with the community, interest
# in meetings): their answers lean lower.
WEAK = {"RME_VINCULO_COMUNIDAD": -1.1, "RME_ACTORES_EXTERNOS": -0.9, "RME_INTERES_REUNIONES": -0.8}
MEETING_COMMENTS = [
    "Que la agenda se construya con las prioridades de cada establecimiento.",
    "Más tiempo para compartir prácticas entre escuelas.",
    "Invitar al CESFAM y a la oficina de protección de derechos.",
    "Las reuniones deberían terminar con acuerdos claros.",
    "",
]


def _likert(rng, centre):
    value = round(rng.gauss(centre, 0.95))
    return min(5, max(1, value))


def _answers(rng, questions, *, shift=0.0, trend=0.0):
    """One synthetic questionnaire: {question: value or [values] or text}."""
    answers = {}
    for question in questions:
        if question.kind == QuestionKind.LIKERT5:
            centre = 3.7 + shift + trend + WEAK.get(question.code, 0)
            answers[question] = _likert(rng, centre)
        elif question.kind == QuestionKind.SINGLE:
            weights = [1, 5, 3, 1, 0.2][: len(question.options)]
            answers[question] = rng.choices(range(1, len(question.options) + 1), weights)[0]
        elif question.kind == QuestionKind.MULTIPLE:
            chosen = sorted(rng.sample(range(1, len(question.options) + 1), rng.randint(1, 2)))
            answers[question] = chosen
        elif question.kind == QuestionKind.NUMBER:
            answers[question] = rng.randint(2, 10)
        elif rng.random() < 0.3:
            answers[question] = rng.choice(MEETING_COMMENTS)
    return {q: v for q, v in answers.items() if v not in ("", None)}


def _store(campaign, rows):
    """rows: [(network, role, dependency, submitted_on, answers)] → Responses."""
    responses = Response.objects.bulk_create(
        [
            Response(
                campaign=campaign,
                network=network,
                region_id=network.deprov.region_id,
                role=role,
                dependency=dependency,
                submitted_on=submitted_on,
            )
            for network, role, dependency, submitted_on, _answers in rows
        ]
    )
    answers = []
    for response, (*_scope, given) in zip(responses, rows, strict=True):
        for question, value in given.items():
            if question.kind == QuestionKind.TEXT:
                answers.append(Answer(response=response, question=question, text=value))
            elif isinstance(value, list):
                answers += [Answer(response=response, question=question, value=v) for v in value]
            else:
                answers.append(Answer(response=response, question=question, value=value))
    Answer.objects.bulk_create(answers, batch_size=2000)
    return responses


def _questions(instrument):
    return list(
        Question.objects.filter(instrument=instrument).order_by("section__order", "order", "pk")
    )


def _import_paper_wave(instrument, year, rng, stdout):
    questions = [q for q in _questions(instrument) if q.kind == QuestionKind.LIKERT5]
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(["region", "network", "role", "dependency", *[q.code for q in questions]])
    for code, count in RESPONSES_PAPER.items():
        shift = (DEMO_NETWORKS.index(code) - 2) * 0.1
        for i in range(count):
            given = _answers(rng, questions, shift=shift, trend=-0.25)
            role = "director" if i % 2 == 0 else "utp"
            writer.writerow([7, code, role, "municipal", *[given.get(q, "") for q in questions]])
    # Answers from a network that no longer exists: the region counts them.
    # Five, so that no network is suppressed to keep them from being deduced
    # (every network of the next wave has a trend).
    for _ in range(5):
        given = _answers(rng, questions, trend=-0.3)
        writer.writerow([7, "", "director", "", *[given.get(q, "") for q in questions]])
    result = import_responses(
        path_or_file=io.BytesIO(stream.getvalue().encode("utf-8")),
        campaign_slug=f"rme-{year}",
        year=year,
        instrument_slug=instrument.slug,
    )
    campaign = result.campaign
    campaign.name = f"Encuesta de monitoreo {year} (ola en papel)"
    campaign.status = CampaignStatus.PUBLISHED
    campaign.published_at = timezone.now()
    campaign.save(update_fields=["name", "status", "published_at"])
    if stdout:
        stdout.write(f"Survey {year}: {result.responses} imported responses, published.")


def _campaign_with_invitations(slug, name, year, instrument, networks, analyst, **dates):
    campaign = services.create_campaign(
        by=analyst,
        slug=slug,
        name=name,
        instrument=instrument,
        year=year,
        target="networks",
        target_networks=networks,
        **dates,
    )
    services.open_campaign(by=analyst, campaign=campaign, send=False)
    # The demo sends no email; its invitations count as sent.
    Invitation.objects.filter(campaign=campaign).update(sent_at=timezone.now())
    return campaign


def _answer_some(campaign, networks, counts, rng, submitted_on, skip_users=(), trend=0.0):
    """Mark `counts[code]` invitations of each network answered and store as
    many synthetic responses."""
    questions = _questions(campaign.instrument)
    rows, answered = [], []
    for network in networks:
        invitations = list(
            Invitation.objects.filter(campaign=campaign, network=network)
            .exclude(user__email__in=skip_users)
            .select_related("school")
            .order_by("pk")
        )
        shift = (DEMO_NETWORKS.index(network.code) - 2) * 0.1
        for invitation in invitations[: counts[network.code]]:
            dependency = services.DEPENDENCY_OF_SCHOOL.get(invitation.school.dependency, "")
            day = submitted_on + timedelta(days=rng.randint(0, 20))
            given = _answers(rng, questions, shift=shift, trend=trend)
            rows.append((network, invitation.role, dependency, day, given))
            answered.append(invitation.pk)
    _store(campaign, rows)
    Invitation.objects.filter(pk__in=answered).update(answered=True)
    return len(rows)


def _networks():
    networks = list(demo_networks().select_related("deprov").order_by("code"))
    if len(networks) != len(DEMO_NETWORKS):
        raise RuntimeError("Load the networks demo first (networks.demo.seed_small).")
    return networks


@transaction.atomic
def seed_demo_monitoring(stdout=None):
    """See the module docstring. Needs networks.demo.seed_small() first."""
    instrument = load_default_instrument()
    today = timezone.localdate()
    paper, last, current = demo_years(today)
    analyst = User.objects.get(email="analista@demo.rme.cl")
    rng = random.Random(DEMO_SEED)
    if not Campaign.objects.filter(slug=f"rme-{paper}").exists():
        _import_paper_wave(instrument, paper, rng, stdout)
    if not Campaign.objects.filter(slug=f"rme-{last}").exists():
        networks = _networks()
        campaign = _campaign_with_invitations(
            f"rme-{last}", f"Encuesta de monitoreo {last}", last, instrument, networks, analyst
        )
        opens_on, closes_on = date(last, 10, 7), date(last, 11, 8)
        count = _answer_some(campaign, networks, RESPONSES_LAST_YEAR, rng, opens_on)
        services.close_campaign(by=analyst, campaign=campaign)
        services.publish_campaign(by=analyst, campaign=campaign)
        Campaign.objects.filter(pk=campaign.pk).update(opens_on=opens_on, closes_on=closes_on)
        if stdout:
            stdout.write(f"Survey {last}: {count} responses, closed and published.")
    if not Campaign.objects.filter(slug=f"rme-{current}").exists():
        networks = _networks()
        campaign = _campaign_with_invitations(
            f"rme-{current}",
            f"Encuesta de monitoreo {current}",
            current,
            instrument,
            networks,
            analyst,
            opens_on=today - timedelta(days=5),
            closes_on=today + timedelta(days=30),
        )
        counts = {code: n // 2 for code, n in RESPONSES_LAST_YEAR.items()}
        count = _answer_some(
            campaign,
            networks,
            counts,
            rng,
            today - timedelta(days=5),
            skip_users=("directora@demo.rme.cl", "utp@demo.rme.cl"),
            trend=0.15,
        )
        # Submissions can only be dated up to today.
        Response.objects.filter(campaign=campaign, submitted_on__gt=today).update(
            submitted_on=today
        )
        if stdout:
            stdout.write(
                f"Survey {current}: open, {count} responses so far; "
                "directora@demo.rme.cl is invited."
            )
    slugs = [f"rme-{year}" for year in (paper, last, current)]
    return {"campaigns": Campaign.objects.filter(slug__in=slugs).count()}


# --- national scale ------------------------------------------------------------------

NATIONAL_SLUG = "rme-nacional"


def _delete_campaign(slug):
    campaign = Campaign.objects.filter(slug=slug).first()
    if campaign is None:
        return
    # Set-based: cascading through 600,000 answers one by one would take minutes.
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {Answer._meta.db_table} WHERE response_id IN "  # noqa: S608
            f"(SELECT id FROM {Response._meta.db_table} WHERE campaign_id = %s)",
            [campaign.pk],
        )
        cursor.execute(
            f"DELETE FROM {Response._meta.db_table} WHERE campaign_id = %s",  # noqa: S608
            [campaign.pk],
        )
    campaign.delete()


@transaction.atomic
def seed_national_monitoring(*, seed=DEMO_SEED, year=None, slug=NATIONAL_SLUG, stdout=None):
    """One closed campaign of `year` (default: the current school year) with
    about 70 % of the national directivos answering (~15,000 responses × 40
    questions), submitted in October (or up to today, earlier in the year).
    A few networks get under MIN_CELL_SIZE responses, so suppression has
    work to do. Returns figures."""
    today = timezone.localdate()
    year = year or school_year(today)
    instrument = load_default_instrument()
    rng = random.Random(seed)
    _delete_campaign(slug)
    campaign = Campaign.objects.create(
        slug=slug,
        name=f"Encuesta de monitoreo {year} (escala nacional)",
        instrument=instrument,
        year=year,
        status=CampaignStatus.CLOSED,
        closed_at=timezone.now(),
    )
    services._freeze(instrument)
    questions = _questions(instrument)
    sizes = {
        row["network_id"]: row["n"]
        for row in Membership.objects.filter(role="directivo", active=True)
        .values("network_id")
        .annotate(n=Count("pk"))
    }
    networks = list(Network.objects.filter(pk__in=sizes).select_related("deprov").order_by("code"))
    dependencies = ["municipal", "municipal", "slep", "subvencionado", "subvencionado"]
    responses, plans = [], []
    for network in networks:
        share = 0.08 if rng.random() < 0.03 else rng.uniform(0.55, 0.85)
        count = max(1, round(sizes[network.pk] * share))
        shift = rng.uniform(-0.5, 0.4)
        for i in range(count):
            responses.append(
                Response(
                    campaign=campaign,
                    network=network,
                    region_id=network.deprov.region_id,
                    role="director" if i % 2 == 0 else "utp",
                    dependency=rng.choice(dependencies),
                    submitted_on=min(date(year, 10, 1) + timedelta(days=rng.randint(0, 30)), today),
                )
            )
            plans.append(shift)
    Response.objects.bulk_create(responses, batch_size=5000)
    rows = []
    for response, shift in zip(responses, plans, strict=True):
        for question, value in _answers(rng, questions, shift=shift).items():
            if question.kind == QuestionKind.TEXT:
                rows.append((response.pk, question.pk, None, value))
            elif isinstance(value, list):
                rows += [(response.pk, question.pk, v, "") for v in value]
            else:
                rows.append((response.pk, question.pk, value, ""))
    _write_answers(rows)
    figures = {"campaign": slug, "networks": len(networks), "responses": len(responses)}
    figures["answers"] = len(rows)
    if stdout:
        message = (
            "National survey: {responses} responses, {answers} answers in {networks} networks."
        )
        stdout.write(message.format(**figures))
    return figures


def _write_answers(rows):
    table = Answer._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            copy_sql = f"COPY {table} (response_id, question_id, value, text) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    Answer.objects.bulk_create(
        [Answer(response_id=r, question_id=q, value=v, text=t or "") for r, q, v, t in rows],
        batch_size=5000,
    )
