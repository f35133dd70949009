import pytest

from tests.factories import PerformanceCategoryFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model",
    ["region", "comuna", "deprov", "sostenedor", "school", "performancecategory", "importjob"],
)
def test_admin_lists_every_registry_model(client, admin_user, model):
    PerformanceCategoryFactory()
    client.force_login(admin_user)
    assert client.get(f"/admin/schools/{model}/").status_code == 200


def test_admin_change_pages(client, admin_user):
    category = PerformanceCategoryFactory()
    school = category.school
    client.force_login(admin_user)
    assert client.get(f"/admin/schools/school/{school.rbd}/change/").status_code == 200
    page = client.get(f"/admin/schools/sostenedor/{school.sostenedor.rut}/change/")
    assert page.status_code == 200
    assert school.sostenedor.formatted_rut in page.content.decode()


def test_admin_adds_a_sostenedor_only_with_a_valid_rut(client, admin_user):
    client.force_login(admin_user)
    data = {"full_rut": "60.803.000-1", "name": "SII", "kind": "slep"}
    assert client.post("/admin/schools/sostenedor/add/", data).status_code == 200  # form errors
    data["full_rut"] = "60.803.000-K"
    assert client.post("/admin/schools/sostenedor/add/", data).status_code == 302
