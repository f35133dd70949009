"""A morning on the platform at national scale: many people, each signed in
with their own account and session, reading and writing as they would.

Run by bench/bench_load.py (`make bench`), which prepares the data and the
sessions and writes them to the JSON file named by RME_LOAD_ACCOUNTS:

    RME_LOAD_ACCOUNTS=accounts.json locust -f bench/load/locustfile.py --headless \
        --host http://127.0.0.1:8767 -u 230 -r 10 -t 60s --csv out

Each simulated person takes one account (one user class per role, as many
users of a class as accounts of that role: `fixed_count`), waits a think
time between pages (RME_LOAD_THINK="min,max" seconds) and loads what the
browser would: a page, then the panels it asks for by htmx on load. Writes
happen during the run: RSVPs, votes on agenda proposals, PME progress
updates, survey autosaves and submits. A request fails unless it answers
the expected status (a redirect to the sign-in page is a failure) and, for
the htmx forms, without an error message in the fragment.

Only 127.0.0.1 is accepted as host.
"""

import itertools
import json
import os
import random
import re
import secrets
from http.cookiejar import Cookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
from locust import FastHttpUser, between, events, task

DATA = json.loads(Path(os.environ["RME_LOAD_ACCOUNTS"]).read_text(encoding="utf-8"))
THINK = tuple(float(x) for x in os.environ.get("RME_LOAD_THINK", "10,30").split(","))
# Seconds after the last user started before the statistics are reset: the
# burst of everyone's first page at once is not what a steady morning is.
WARMUP = float(os.environ.get("RME_LOAD_WARMUP", "0"))
SEARCHES = [
    "lectura",
    "convivencia escolar",
    "evaluación formativa",
    "matemática",
    "inclusión",
    "liderazgo pedagógico",
    "asistencia",
    "comunidad",
]
PANEL = re.compile(r'hx-get="([^"]+)" hx-trigger="load"')
VOTE = re.compile(r'action="(/meetings/proposals/\d+/(?:vote|unvote)/)"')
ERROR_MARKERS = ("alert-danger", "invalid-feedback")


@events.test_start.add_listener
def only_local(environment, **_kwargs):
    host = urlsplit(environment.host or "").hostname
    if host != "127.0.0.1":
        raise SystemExit(f"This load test runs only against 127.0.0.1, not {host!r}.")


@events.init.add_listener
def reset_after_warmup(environment, runner, **_kwargs):
    """What `--reset-stats` does, `WARMUP` seconds after the last user
    started (Locust has no option for that delay): the statistics then hold
    the steady state only."""

    def on_spawning_complete(user_count, **_kwargs):
        gevent.spawn_later(WARMUP, runner.stats.reset_all)

    environment.events.spawning_complete.add_listener(on_spawning_complete)


def _cookie(name, value):
    return Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/", True, False, None, False,
        None, None, {},
    )  # fmt: skip


def _panel_name(url):
    """'panel /networks/…/pme-panel/': one row per kind of panel."""
    return "panel " + re.sub(r"/(RME-[A-Z0-9-]+|\d+)(?=/)", "/…", urlsplit(url).path)


class Person(FastHttpUser):
    abstract = True
    role = ""
    wait_time = between(*THINK)

    def on_start(self):
        self.account = next(type(self).pool)
        self.csrf = secrets.token_hex(16)  # a CSRF secret, as cookie and form field
        self.client.cookiejar.set_cookie(_cookie("sessionid", self.account["session"]))
        self.client.cookiejar.set_cookie(_cookie("csrftoken", self.csrf))

    # --- helpers ---------------------------------------------------------------------------

    def get(self, path, name, *, htmx=False, panels=True, expect_text=None, json_api=False):
        """GET `path` (counted under `name`), expecting 200 without a redirect,
        then the panels it loads by htmx. Returns the body, or None on failure."""
        headers = {}
        if htmx:
            headers["HX-Request"] = "true"
        if json_api:
            headers["Accept"] = "application/json"
        with self.client.get(
            path, name=name, headers=headers, allow_redirects=False, catch_response=True
        ) as answer:
            text = answer.text or ""
            if answer.status_code != 200:
                answer.failure(f"HTTP {answer.status_code} {answer.headers.get('Location', '')}")
                return None
            if expect_text and expect_text not in text:
                answer.failure(f"no {expect_text!r} in the answer")
                return None
            answer.success()
        if panels:
            for url in PANEL.findall(text):
                self.get(url, _panel_name(url), htmx=True, panels=False)
        return text

    def post(self, path, name, data, *, expect=200, htmx=False, location=None):
        """POST a form with the CSRF token; the answer must have status
        `expect` (and, for a redirect, a Location containing `location`),
        and an htmx fragment no error message. Returns the answer's
        Location (redirects) or body."""
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if htmx:
            headers["HX-Request"] = "true"
        form = urlencode([("csrfmiddlewaretoken", self.csrf), *data])
        with self.client.post(
            path,
            name=name,
            data=form,
            headers=headers,
            allow_redirects=False,
            catch_response=True,
        ) as answer:
            text = answer.text or ""
            where = answer.headers.get("Location", "") or ""
            if answer.status_code != expect:
                answer.failure(f"HTTP {answer.status_code} {where}")
                return None
            if location is not None and location not in where:
                answer.failure(f"redirected to {where!r}")
                return None
            if htmx and any(marker in text for marker in ERROR_MARKERS):
                answer.failure("the form answered with an error")
                return None
            answer.success()
            return where if expect in (301, 302, 303) else text

    # --- pages every role opens ------------------------------------------------------------

    def home(self):
        self.get("/", "home")

    def network_page(self):
        if self.account["networks"]:
            self.get(f"/networks/{random.choice(self.account['networks'])}/", "network page")

    def meetings_list(self):
        self.get("/meetings/", "meetings list")

    def meeting_page(self):
        if self.account.get("meeting"):
            return self.get(f"/meetings/{self.account['meeting']}/", "meeting page")
        return None

    def results(self, scope=None):
        slug = DATA["results_campaign"]
        query = f"?scope={scope}" if scope else ""
        self.get(f"/monitoring/campaigns/{slug}/results/{query}", "survey results")

    def rates(self):
        self.get(f"/monitoring/campaigns/{DATA['open_campaign']}/rates/", "response rates")

    def practices(self):
        self.get("/practices/", "practices list")

    def practice_search(self):
        self.get(f"/practices/?q={random.choice(SEARCHES)}", "practices search")

    def schools_api(self):
        region = self.account.get("region") or 13
        self.get(
            f"/api/v1/schools/?region={region}",
            "schools API",
            json_api=True,
            panels=False,
            expect_text='"results"',
        )

    def plan_page(self, plan):
        self.get(f"/pme/plans/{plan}/", "PME plan")


class Directivo(Person):
    """Directors and heads of UTP: most of the people signed in in a morning."""

    role = "directivo"

    def on_start(self):
        super().on_start()
        self.survey_done = not self.account.get("token")

    @task(5)
    def t_home(self):
        self.home()

    @task(4)
    def t_network(self):
        self.network_page()

    @task(2)
    def t_meetings(self):
        self.meetings_list()

    @task(2)
    def t_rsvp(self):
        if self.meeting_page() is not None:
            self.post(
                f"/meetings/{self.account['meeting']}/rsvp/",
                "meeting RSVP (POST)",
                [("answer", random.choice(["yes", "yes", "maybe", "no"])), ("comment", "")],
                htmx=True,
            )

    @task(2)
    def t_vote(self):
        text = self.meeting_page()
        forms = VOTE.findall(text or "")
        if forms:
            self.post(random.choice(forms), "meeting vote (POST)", [], htmx=True)

    @task(2)
    def t_practices(self):
        self.practices()

    @task(2)
    def t_search(self):
        self.practice_search()

    @task(3)
    def t_plan(self):
        if self.account.get("plan"):
            self.plan_page(self.account["plan"])

    @task(1)
    def t_action_update(self):
        if not self.account.get("actions"):
            return
        action = random.choice(self.account["actions"])
        path = f"/pme/actions/{action}/"
        if self.get(path, "PME action") is None:
            return
        where = self.post(
            f"{path}progress/",
            "PME action update (POST)",
            [
                ("date", DATA["today"]),
                ("progress", str(random.randint(5, 95))),
                ("note", "Avance registrado en la reunión del equipo directivo."),
            ],
            expect=302,
            location=path,
        )
        if where:
            self.get(path, "PME action")

    @task(2)
    def t_survey(self):
        """Answer the survey once: the form, two autosaves with think time
        between, the submit and the thank-you page."""
        if self.survey_done:
            self.t_home()
            return
        token = self.account["token"]
        path = f"/monitoring/respond/{token}/"
        if self.get(path, "survey form") is None:
            return
        answers = DATA["answers"]
        third = len(answers) // 3
        for part in (answers[:third], answers[: 2 * third]):
            self.post(f"{path}save/", "survey autosave (POST)", part, htmx=True)
            self.wait()
        where = self.post(path, "survey submit (POST)", answers, expect=302, location="sent=1")
        if where:
            self.survey_done = True
            self.get(where, "survey sent")

    @task(1)
    def t_results(self):
        self.results()

    @task(1)
    def t_api(self):
        self.schools_api()


class Supervisor(Person):
    """Ministry supervisors of the networks' duplas."""

    role = "supervisor"

    @task(4)
    def t_home(self):
        self.home()

    @task(4)
    def t_network(self):
        self.network_page()

    @task(2)
    def t_meetings(self):
        self.meetings_list()

    @task(2)
    def t_meeting(self):
        self.meeting_page()

    @task(1)
    def t_rates(self):
        self.rates()

    @task(1)
    def t_results(self):
        if self.account["networks"]:
            self.results(f"network:{random.choice(self.account['networks'])}")

    @task(1)
    def t_plans(self):
        self.get("/pme/", "PME plans list")

    @task(1)
    def t_plan(self):
        if self.account.get("plans"):
            self.plan_page(random.choice(self.account["plans"]))

    @task(1)
    def t_school_search(self):
        self.get(f"/schools/?q=escuela&region={self.account.get('region') or 13}", "school search")

    @task(1)
    def t_api(self):
        self.schools_api()


class SostenedorRep(Person):
    """Representatives of the schools' sostenedores."""

    role = "sostenedor_rep"

    @task(3)
    def t_home(self):
        self.home()

    @task(3)
    def t_network(self):
        self.network_page()

    @task(1)
    def t_meetings(self):
        self.meetings_list()

    @task(1)
    def t_meeting(self):
        self.meeting_page()

    @task(1)
    def t_plans(self):
        self.get("/pme/", "PME plans list")

    @task(1)
    def t_plan(self):
        if self.account.get("plans"):
            self.plan_page(random.choice(self.account["plans"]))

    @task(1)
    def t_results(self):
        self.results()

    @task(1)
    def t_practices(self):
        self.practice_search()


class Analyst(Person):
    """National analysts of the survey (second factor recorded in their session)."""

    role = "analyst"

    @task(2)
    def t_home(self):
        self.home()

    @task(1)
    def t_campaigns(self):
        self.get("/monitoring/", "survey campaigns")

    @task(2)
    def t_results(self):
        self.results()

    @task(2)
    def t_region(self):
        self.results(f"region:{random.choice(DATA['regions'])}")

    @task(1)
    def t_rates(self):
        self.rates()

    @task(1)
    def t_api(self):
        self.schools_api()


def _assign_accounts(*classes):
    """As many users of each class as accounts of its role: each takes its own."""
    for user_class in classes:
        accounts = DATA["accounts"].get(user_class.role, [])
        user_class.fixed_count = len(accounts)
        user_class.pool = itertools.cycle(accounts) if accounts else iter(())


_assign_accounts(Directivo, Supervisor, SostenedorRep, Analyst)
