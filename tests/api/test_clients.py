"""The API as its clients see it: the schema served at /api/v1/schema/ is a
valid OpenAPI document, and the Python client openapi-python-client
generates from it imports, module by module."""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator

from tests.conftest import service_missing
from tests.factories import NetworkFactory, SupervisorProfileFactory

pytestmark = pytest.mark.django_db

# Where a client may send files; every other body is JSON only.
UPLOADS = {("post", "/api/v1/pme/actions/{id}/updates/")}
# Query parameters of pagination (rme_platform.pagination.Pagination).
PAGINATION = {"page", "page_size"}


@pytest.fixture
def api_spec(client):
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, path, operation


def query_names(operation):
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def test_schema_is_valid_openapi(api_spec):
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in OpenAPIV30SpecValidator(api_spec).iter_errors()
    ]
    assert errors == []


def test_each_request_body_has_one_content_type(api_spec):
    bodies = {
        (method, path): list(operation["requestBody"]["content"])
        for method, path, operation in operations(api_spec)
        if "requestBody" in operation
    }
    assert bodies
    wrong = {
        key: types
        for key, types in bodies.items()
        if types != (["multipart/form-data"] if key in UPLOADS else ["application/json"])
    }
    assert wrong == {}


def test_file_downloads_declare_their_content_type(api_spec):
    paths = api_spec["paths"]
    report = paths["/api/v1/monitoring/reports/{id}/download/"]["get"]["responses"]["200"]
    evidence = paths["/api/v1/pme/evidence/{id}/"]["get"]["responses"]["200"]
    assert list(report["content"]) == ["application/pdf"]
    assert list(evidence["content"]) == ["application/octet-stream"]


def test_only_lists_take_filters_and_only_pages_take_page_size(api_spec):
    """An action under /things/{id}/… does not offer the filters of the
    /things/ list; page and page_size appear where the answer is a page."""
    lists = {
        path: query_names(item["get"]) - PAGINATION
        for path, item in api_spec["paths"].items()
        if "get" in item and "{" not in path
    }
    borrowed, unpaged = {}, []
    for method, path, operation in operations(api_spec):
        names = query_names(operation)
        parent = path.split("{")[0]
        if "{" in path and names & lists.get(parent, set()):
            borrowed[(method, path)] = sorted(names & lists[parent])
        if names & PAGINATION:
            answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
            if not answer.get("$ref", "").startswith("#/components/schemas/Paginated"):
                unpaged.append((method, path))
    assert borrowed == {}
    assert unpaged == []


def test_partner_contacts_may_be_blank(client):
    """What the schema allows, the API accepts: blank or omitted contacts."""
    profile = SupervisorProfileFactory()
    network = NetworkFactory(deprov=profile.deprov)
    client.force_login(profile.user)
    response = client.post(
        f"/api/v1/networks/{network.code}/partners/",
        {"name": "Cesfam Norte", "kind": "health", "contact_email": "", "contact_phone": ""},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    (partner,) = response.json()["partners"]
    assert (partner["contact_name"], partner["contact_email"], partner["contact_phone"]) == (
        "",
        "",
        "",
    )


def test_generated_python_client_imports(api_spec, tmp_path):
    """openapi-python-client (a dev dependency) writes a client from the
    schema without warnings, and every one of its modules imports."""
    bin_dir = os.path.dirname(sys.executable)
    generator = shutil.which("openapi-python-client", path=bin_dir)
    if generator is None:
        service_missing("needs openapi-python-client in the virtualenv (pip install -e '.[dev]')")
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(api_spec))
    config = tmp_path / "config.json"
    # The report download is application/pdf; the generator reads bytes
    # only for octet-stream unless told. No formatting hooks: imports only.
    config.write_text(
        json.dumps(
            {
                "content_type_overrides": {"application/pdf": "application/octet-stream"},
                "post_hooks": [],
            }
        )
    )
    generated = subprocess.run(
        [generator, "generate", "--path", schema, "--output-path", tmp_path / "rme_api_client"]
        + ["--meta", "none", "--config", config],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout

    script = textwrap.dedent(
        """
        import importlib, pkgutil, sys
        import rme_api_client
        failed, count = [], 0
        for module in pkgutil.walk_packages(rme_api_client.__path__, "rme_api_client."):
            count += 1
            try:
                importlib.import_module(module.name)
            except Exception as exc:
                failed.append(f"{module.name}: {type(exc).__name__}: {exc}")
        print(count)
        print("\\n".join(failed))
        """
    )
    imported = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert imported.returncode == 0, imported.stderr
    count, *failed = imported.stdout.strip().split("\n")
    assert int(count) > 50
    assert [line for line in failed if line] == []
    download = (
        tmp_path / "rme_api_client/api/monitoring/monitoring_reports_download_retrieve.py"
    ).read_text()
    # The PDF comes back as bytes (unformatted code: compare without spaces).
    assert "File(payload=BytesIO(response.content))" in "".join(download.split())
