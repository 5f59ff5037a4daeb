"""Production configuration comes from the environment, and nothing has a default that could leak."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "x7Yq2vLr9TfW0pZcK3mN8sBd5HgJ1aQe6RuXiV4oE-_zPyMlCwSnDtFbGhAjUk",
    "ALLOWED_HOSTS": "appointments.example.org",
    "SITE_URL": "https://appointments.example.org",
    "DATABASE_URL": "postgres://clinic:secret@db.example.org:5432/clinic",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "EMAIL_HOST": "smtp.example.org",
    "DEFAULT_FROM_EMAIL": "Clinic <appointments@example.org>",
}


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and not k.startswith("TEST_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_settings_reports_nothing():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_secrets_stops_with_the_names_of_what_is_missing():
    env = {"DJANGO_ENV": "production", "ALLOWED_HOSTS": "appointments.example.org"}
    result = manage("check", env=env)
    assert result.returncode != 0
    for name in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "DEFAULT_FROM_EMAIL", "SITE_URL"):
        assert name in result.stderr
    assert "ALLOWED_HOSTS," not in result.stderr.split("not set:")[-1]


def test_an_unknown_mode_is_refused():
    result = manage("check", env={"DJANGO_ENV": "staging"})
    assert result.returncode != 0
    assert "DJANGO_ENV must be 'development' or 'production'" in result.stderr


def test_every_variable_the_settings_read_is_documented_in_env_example():
    settings_source = (ROOT / "clinic" / "settings.py").read_text()
    read = set(re.findall(r'(?:env\.\w+|_required)\(\s*"([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.MULTILINE))
    assert read, "the pattern found no variables: the test would prove nothing"
    assert read - documented == set()
