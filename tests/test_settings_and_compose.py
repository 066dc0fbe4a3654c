"""Settings come from the environment; docker-compose.yml sets only what they read."""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def settings_variables():
    source = (ROOT / "dsr_project" / "settings.py").read_text()
    return set(re.findall(r'(?:env_bool|env_list|os\.environ\.get)\(\s*"([A-Z_]+)"', source))


def test_compose_parses_and_has_the_services_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"db", "web"}
    for service in services.values():
        assert service["healthcheck"]["test"]
    assert services["web"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert "gunicorn" in services["web"]["command"]
    assert services["db"]["image"].startswith("postgres:15")


def test_every_variable_compose_sets_is_read_by_the_settings():
    web_env = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["environment"]
    read = settings_variables()
    assert {"DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"} <= read
    assert set(web_env) <= read, set(web_env) - read


def test_database_url_in_compose_points_at_the_db_service():
    web_env = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["environment"]
    assert "@db:5432/dsr" in web_env["DATABASE_URL"]


def run_settings(env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_has_a_development_key_and_production_takes_one():
    assert run_settings({"DEBUG": "1"}).returncode == 0
    assert run_settings({"DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "example.org"}).returncode == 0
