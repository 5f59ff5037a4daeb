"""`make run` (scripts/devstack.py): links in emails point at the port it serves, unless SITE_URL says otherwise."""

from __future__ import annotations

import importlib.util
import sys

import pytest

from tests.support.processes import ROOT


@pytest.fixture(scope="module")
def devstack():
    spec = importlib.util.spec_from_file_location("devstack", ROOT / "scripts" / "devstack.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["devstack"] = module  # dataclasses look their module up while it loads
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("devstack", None)


def test_the_processes_make_run_starts_link_to_the_port_it_serves(devstack, tmp_path):
    env = devstack.child_environment(8011, {"PATH": "/usr/bin"}, tmp_path / ".env")
    assert env["SITE_URL"] == "http://127.0.0.1:8011"
    assert env["PATH"] == "/usr/bin"


def test_a_site_url_in_the_environment_wins(devstack, tmp_path):
    (tmp_path / ".env").write_text("SITE_URL=http://from-dotenv.example\n")
    env = devstack.child_environment(8011, {"SITE_URL": "https://clinic.example"}, tmp_path / ".env")
    assert env["SITE_URL"] == "https://clinic.example"


@pytest.mark.parametrize(
    "line",
    ["SITE_URL=http://192.0.2.7:9000", 'SITE_URL="http://192.0.2.7:9000"', "export SITE_URL='http://192.0.2.7:9000'"],
)
def test_a_site_url_in_the_env_file_wins_over_the_port(devstack, tmp_path, line):
    (tmp_path / ".env").write_text(f"# local settings\nDEBUG=true\n{line}\n")
    env = devstack.child_environment(8011, {}, tmp_path / ".env")
    assert env["SITE_URL"] == "http://192.0.2.7:9000"


def test_an_empty_site_url_counts_as_unset(devstack, tmp_path):
    (tmp_path / ".env").write_text("SITE_URL=\n")
    assert devstack.child_environment(8012, {"SITE_URL": ""}, tmp_path / ".env")["SITE_URL"] == "http://127.0.0.1:8012"


def test_the_makefile_hands_its_port_to_the_supervisor():
    makefile = (ROOT / "Makefile").read_text()
    assert "PORT ?= 8000" in makefile
    assert "scripts/devstack.py --port $(PORT)" in makefile
