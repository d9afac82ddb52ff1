"""The OpenAPI schema and the browsable docs, served from installed files under the CSP."""

import re

import yaml


def test_the_schema_describes_every_endpoint(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) >= {
        "/api/v1/me/",
        "/api/v1/{org}/ideas/",
        "/api/v1/{org}/ideas/{idea_id}/",
        "/api/v1/{org}/ideas/{idea_id}/support/",
        "/api/v1/{org}/ideas/{idea_id}/comments/",
        "/api/v1/{org}/categories/",
        "/api/v1/{org}/sites/",
        "/api/v1/{org}/wards/",
    }


def test_every_operation_declares_its_problem_details(client):
    """Declared once (api/schema.py), so an endpoint added later has them too."""
    schema = yaml.safe_load(client.get("/api/schema/").content)
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert len(operations) >= 10
    for path, method, operation in operations:
        responses = operation["responses"]
        expected = {"401", "403", "429"} | ({"404"} if "{org}" in path else set())
        expected |= {"400"} if method == "post" else set()
        expected |= {"415"} if "requestBody" in operation else set()
        assert expected <= set(responses), (method, path)
        for code in expected:
            content = responses[code]["content"]
            assert content == {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
            }
    assert schema["components"]["schemas"]["Problem"]["required"] == [
        "type",
        "title",
        "status",
        "detail",
    ]


def test_the_docs_page_loads_only_our_own_scripts(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="/' in attrs and not body.strip() for attrs, body in scripts)
    assert "swagger-ui-bundle.js" in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" in csp.split("style-src")[1]
    start = client.get(
        re.search(r'<script src="([^"]+\?[^"]*script[^"]*)"', html)[1].replace("&amp;", "&")
    )
    assert start.status_code == 200
    assert "javascript" in start["Content-Type"]


def test_other_pages_keep_the_strict_policy(client):
    csp = client.get("/api/schema/")["Content-Security-Policy"]
    assert "unsafe-inline" not in csp


def test_the_schema_generates_without_warnings(tmp_path):
    """A warning (two shapes with one name, an untyped field) means a wrong schema for
    clients; the deployment checks fail on one, and so does this."""
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
