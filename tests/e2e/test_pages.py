"""Every main page of every demo role, on a desktop (1280 px) and a phone
(390 px), in Chromium against the demo data: no page is wider than the
screen, axe-core finds no serious or critical WCAG 2.1 A/AA violation, and
no two labels of a chart overlap (getBBox of each SVG text). One page load
per (page, role, width).

axe-core comes from tests/js (package.json and its lock file pin the
version; `make test` runs `npm ci` there when npm exists). Without it the
test is skipped with the reason, and fails under CI=true."""

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from networks.meetings.models import Meeting, MeetingStatus
from networks.practices.models import Practice
from pme.models import AnnualPlan
from rme_platform.management.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, school_year
from tests.conftest import service_missing
from tests.factories import default_instrument, pme_catalog
from tests.helpers import current_totp

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = [1280, 390]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ROLES = {
    # email: (second factor, the pages beyond those every role has)
    "admin@demo.rme.cl": (True, ["meeting", "plan", "results", "rates"]),
    "analista@demo.rme.cl": (True, ["results", "rates", "pme_dashboard"]),
    "supervisora@demo.rme.cl": (False, ["meeting", "plan", "results", "pme_rollup"]),
    "directora@demo.rme.cl": (False, ["meeting", "plan", "results"]),
    "utp@demo.rme.cl": (False, ["meeting", "plan"]),
    "sostenedor@demo.rme.cl": (False, ["meeting", "results"]),
}
EVERYONE = [
    "/",
    "/networks/",
    "/networks/RME-07-001/",
    "/meetings/",
    "/practices/",
    "/practices/{practice}/",
    "/pme/",
    "/monitoring/",
    "/schools/",
    "/accounts/profile/",
]
MORE = {
    "meeting": "/meetings/{meeting}/",
    "plan": "/pme/plans/{plan}/",
    "results": "/monitoring/campaigns/rme-{last_year}/results/",  # last year's, published
    "rates": "/monitoring/campaigns/rme-{year}/rates/",  # this school year's, open
    "pme_dashboard": "/pme/dashboard/",
    "pme_rollup": "/pme/networks/RME-07-001/",
}

# Waits for the panels htmx loads after the page (hx-trigger="load").
SETTLED = "() => !document.querySelector('[hx-trigger~=load], .htmx-request')"
CHECK = """async (tags) => {
  const width = document.documentElement.scrollWidth;
  const overlaps = [];
  for (const svg of document.querySelectorAll('svg.rme-chart')) {
    const boxes = [...svg.querySelectorAll('text')]
      .filter((t) => t.textContent.trim())
      .map((t) => [t.textContent, t.getBBox()]);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [ta, a] = boxes[i], [tb, b] = boxes[j];
        // Glyph boxes include the line gap: 1 px of slack on each side.
        if (a.x < b.x + b.width - 1 && b.x < a.x + a.width - 1 &&
            a.y < b.y + b.height - 1 && b.y < a.y + a.height - 1) {
          overlaps.push(`${svg.querySelector('title').textContent}: «${ta}» / «${tb}»`);
        }
      }
    }
  }
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
  });
  const violations = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ` +
      v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', '));
  return {width, overlaps, violations};
}"""


def sign_in(page, email, totp):
    page.goto("/accounts/login/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").last.click()
    if totp:
        page.get_by_label("Código").fill(current_totp(DEMO_TOTP_SECRET))
        page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", name=re.compile("^Hola"))).to_be_visible()


def test_main_pages_fit_the_screen_and_pass_axe(browser, live_server):
    """One test (the demo is loaded once): each role signs in once and sees
    each of its pages at each width."""
    if not AXE.exists():
        service_missing(f"needs axe-core at {AXE}: run `npm ci --prefix tests/js` (make test does)")
    # A transactional test run before this one flushed the rows the data
    # migrations load (PME dimensions, the default instrument).
    pme_catalog()
    default_instrument()
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    ids = {
        "meeting": Meeting.objects.filter(network__code="RME-07-001", status=MeetingStatus.HELD)
        .order_by("-starts_at")
        .values_list("pk", flat=True)[0],
        "practice": Practice.objects.order_by("pk").values_list("pk", flat=True)[0],
        "plan": AnnualPlan.objects.filter(school__positions__user__email="directora@demo.rme.cl")
        .order_by("-year")
        .values_list("pk", flat=True)[0],
        "year": school_year(),
        "last_year": school_year() - 1,
    }
    problems = []
    for email, (totp, extra) in ROLES.items():
        context = browser.new_context(base_url=live_server.url, locale="es-CL")
        context.set_default_timeout(15_000)
        page = context.new_page()
        sign_in(page, email, totp)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            for path in [*EVERYONE, *(MORE[name] for name in extra)]:
                url = path.format(**ids)
                response = page.goto(url)
                if response.status != 200:
                    problems.append(f"{email} {url}: HTTP {response.status}")
                    continue
                page.wait_for_function(SETTLED)
                page.add_script_tag(path=str(AXE))
                found = page.evaluate(CHECK, WCAG)
                where = f"{email} {url} at {width} px"
                if found["width"] > width:
                    problems.append(f"{where}: the page is {found['width']} px wide")
                problems += [f"{where}: chart labels overlap: {o}" for o in found["overlaps"]]
                problems += [f"{where}: axe {v}" for v in found["violations"]]
        context.close()
    assert not problems, "\n".join(problems)
