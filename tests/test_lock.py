"""The dependency locks (scripts/lock.py): the committed ones match their inputs, and the check catches stale ones.

These run offline. `make lock-check` (CI) also compiles both locks again from
PyPI and compares; its comparison is tested here with a stand-in compiler.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from tests.support.processes import ROOT

FILES = ("requirements.in", "requirements-dev.in", "requirements.txt", "requirements-dev.txt")


@pytest.fixture(scope="module")
def lock():
    spec = importlib.util.spec_from_file_location("lock", ROOT / "scripts" / "lock.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["lock"] = module  # dataclasses look their module up while it loads
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("lock", None)


@pytest.fixture
def project(tmp_path) -> Path:
    """A copy of the inputs and locks to spoil."""
    for name in FILES:
        shutil.copyfile(ROOT / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def test_the_committed_locks_pin_every_input_with_hashes_and_agree(lock):
    assert lock.offline_problems(ROOT) == []


def test_the_worker_gets_a_billiard_with_terminate_handler_fired(lock):
    """Issue #14: requests_app/termination.py needs billiard 4.3.1 or later."""
    for name in ("requirements.txt", "requirements-dev.txt"):
        pins, _ = lock.read_lock(ROOT / name)
        version = tuple(int(part) for part in pins["billiard"].version.split(".")[:3])
        assert version >= (4, 3, 1), name


def test_a_pin_changed_in_an_input_without_relocking_is_caught(lock, project):
    edit(project / "requirements.in", "Django==5.2.19", "Django==5.2.18")
    problems = lock.offline_problems(project)
    assert "requirements.txt: django==5.2.19 does not satisfy Django==5.2.18 (requirements.in)" in problems
    # requirements-dev.in includes requirements.in: the dev lock is out of date too.
    assert "requirements-dev.txt: django==5.2.19 does not satisfy Django==5.2.18 (requirements.in)" in problems


def test_a_requirement_added_to_an_input_without_relocking_is_caught(lock, project):
    with (project / "requirements-dev.in").open("a") as file:
        file.write("some-new-tool==1.0\n")
    assert lock.offline_problems(project) == [
        "requirements-dev.txt: some-new-tool==1.0 (from requirements-dev.in) is not in the lock"
    ]


def test_a_pin_without_hashes_or_version_is_caught(lock, project):
    text = (project / "requirements.txt").read_text()
    (project / "requirements.txt").write_text(text + "unhashed==1.0\nloose>=2\n")
    problems = lock.offline_problems(project)
    assert "requirements.txt: unhashed has no hashes" in problems
    assert "requirements.txt: loose>=2 is not pinned with ==" in problems


def test_locks_that_disagree_are_caught(lock, project):
    edit(project / "requirements-dev.txt", "\ncelery==5.5.3 \\", "\ncelery==5.5.2 \\")
    problems = lock.offline_problems(project)
    assert "requirements-dev.txt has celery==5.5.2, requirements.txt celery==5.5.3" in problems


def without_header(text: str) -> str:
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines)


def test_check_reports_each_lock_a_fresh_compile_would_change(lock, project):
    def compiles_as_committed(_source, output, _extra):
        # scripts/lock.py adds the header after compiling: the compiler's output has none.
        output.write_text(without_header((project / output.name).read_text()))

    assert lock.stale_locks(project, compiles_as_committed) == {}

    def compiles_a_newer_django(source, output, extra):
        compiles_as_committed(source, output, extra)
        edit(output, "\ndjango==5.2.19 \\", "\ndjango==5.2.20 \\")

    stale = lock.stale_locks(project, compiles_a_newer_django)
    assert set(stale) == {"requirements.txt", "requirements-dev.txt"}
    assert "-django==5.2.19 \\\n+django==5.2.20 \\\n" in stale["requirements.txt"]
    # Only a temporary copy was compiled into: the committed lock is as it was.
    assert "\ndjango==5.2.19 \\" in (project / "requirements.txt").read_text()


def test_check_compiles_into_a_copy_of_the_lock_so_its_pins_are_preferred(lock, project):
    seen = []

    def records_what_it_was_given(source, output, _extra):
        committed = (project / output.name).read_text()
        seen.append((source.name, output.name, output.read_text() == committed))
        output.write_text(without_header(committed))

    lock.stale_locks(project, records_what_it_was_given)
    assert seen == [
        ("requirements.in", "requirements.txt", True),
        ("requirements-dev.in", "requirements-dev.txt", True),
    ]
