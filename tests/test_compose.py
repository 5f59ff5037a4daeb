"""docker-compose.yml describes a real deployment (no Docker engine runs here, so it is read, not run)."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def load_compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_service_with_a_healthcheck():
    services = load_compose()["services"]
    assert set(services) == {"web", "proxy", "worker", "beat", "redis", "postgres", "mailpit"}
    for name, service in services.items():
        assert "healthcheck" in service, f"{name} has no healthcheck"


def test_django_services_share_one_anchor_and_production_settings():
    text = (ROOT / "docker-compose.yml").read_text()
    assert text.count("<<: *django") == 3
    services = load_compose()["services"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DJANGO_ENV"] == "production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert services[name]["build"] == "."


def test_commands_run_gunicorn_a_worker_and_exactly_one_beat():
    services = load_compose()["services"]
    assert "gunicorn clinic.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A clinic worker")
    assert services["beat"]["command"].startswith("celery -A clinic beat")
    assert services["beat"]["deploy"]["replicas"] == 1


def test_redis_keeps_its_data_and_never_evicts_queued_tasks():
    redis_command = load_compose()["services"]["redis"]["command"]
    assert "--appendonly yes" in redis_command
    assert "--maxmemory-policy noeviction" in redis_command


def test_postgres_data_lives_in_a_named_volume():
    compose = load_compose()
    assert "postgres-data:/var/lib/postgresql/data" in compose["services"]["postgres"]["volumes"]
    assert "postgres-data" in compose["volumes"]


def test_web_is_reached_only_through_the_proxy_and_trusts_exactly_that_one_proxy():
    compose = load_compose()
    web, proxy = compose["services"]["web"], compose["services"]["proxy"]
    assert "ports" not in web
    assert web["environment"]["TRUSTED_PROXY_COUNT"] == "1"
    assert {"80:80", "443:443"} <= set(proxy["ports"])
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy web:8000" in caddyfile
    # No trusted_proxies: Caddy replaces a client's own X-Forwarded-For with the address it saw.
    assert "trusted_proxies" not in caddyfile


def test_the_proxy_does_not_compress_the_pages_with_a_csrf_token_as_the_app_does_not():
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    directives = [line.strip() for line in caddyfile.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert "@compressible not path /request-appointment/* /admin/*" in directives
    assert [line for line in directives if line.startswith("encode")] == ["encode @compressible zstd gzip"]
