"""docker-compose.yml has the shape the scale tests prove: several web and worker
replicas on one PostgreSQL and one Redis, one beat, and a proxy as the one way in."""

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def services():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def _replicas(service) -> int:
    return service.get("deploy", {}).get("replicas", 1)


def _command(service) -> str:
    command = service.get("command", "")
    return " ".join(command) if isinstance(command, list) else command


def test_web_and_workers_run_as_several_replicas(services):
    assert _replicas(services["web"]) >= 2
    assert _replicas(services["worker"]) >= 2


def test_exactly_one_beat_sends_the_periodic_tasks(services):
    beats = [
        name
        for name, service in services.items()
        if re.search(r"\bbeat\b", _command(service))
        or re.search(r"\s(-B|--beat)\b", _command(service))
    ]
    assert beats == ["beat"]
    assert services["beat"]["deploy"]["replicas"] == 1


def test_every_machine_shares_one_database_and_one_redis(services):
    for variable in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ANONYMITY_KEY"):
        values = {services[name]["environment"][variable] for name in APP_SERVICES}
        assert len(values) == 1, variable
    assert "@db:" in services["web"]["environment"]["DATABASE_URL"]
    assert "//redis:" in services["web"]["environment"]["REDIS_URL"]


def test_the_proxy_is_the_one_way_in_and_routes_to_web(services):
    proxy = services["proxy"]
    assert proxy["ports"] == ["8000:8000"]
    assert "web" in proxy["depends_on"]
    (mount,) = proxy["volumes"]
    config = (ROOT / mount.split(":")[0]).read_text()
    assert re.search(r"upstream web \{[^}]*server web:8000;", config)
    assert "proxy_pass http://web;" in config
    assert "proxy_set_header Host $http_host;" in config
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in config
    # The app counts failed sign-ins per client address, which that one proxy appends.
    assert services["web"]["environment"]["ALLAUTH_TRUSTED_PROXY_COUNT"] == "1"
    # Replicas cannot share a published port; the database and Redis are never published.
    for name in ("web", "worker", "beat", "db", "redis"):
        assert "ports" not in services[name], name


def test_the_health_checks_stay(services):
    for name in ("db", "redis", "web", "worker"):
        assert services[name]["healthcheck"]["test"], name
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
