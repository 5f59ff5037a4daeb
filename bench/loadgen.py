"""Load with `wrk`, and the request bodies it sends: every submission a new patient.

A submission with a phone number or email already on an open request is
merged into that request (a different, cheaper path), and a form sent
twice with one form token is answered from the idempotency record. So
every body here has its own phone number, email and form token, written
to a file that `bench/wrk.lua` reads line by line.
"""

from __future__ import annotations

import json
import secrets
import shutil
import string
import subprocess
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from django.core import signing

WRK = "wrk"
LUA_SCRIPT = Path(__file__).resolve().parent / "wrk.lua"
REASON = "Lower back aches after long runs since I doubled my mileage."


def wrk_path() -> str | None:
    return shutil.which(WRK)


def wrk_version() -> str:
    result = subprocess.run([WRK, "--version"], capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).splitlines()[0].strip()


class Patients:
    """Distinct patients: phone +1 AAA EEE LLLL and email bench-<run>-<n>@example.org.

    Unique across runs too, not only within one: a PostgreSQL database is
    benchmarked as given and keeps the last run's open requests, and a
    phone number already on one of them would make a submission a merged
    repeat (another, dearer path). So each run starts at an area code and an
    exchange of its own (600-999, far from the bulk seed's 555; exchanges
    from there on, 10,000 numbers each).
    """

    AREA_CODES = ("603", "617", "212", "415", "312", "206", "303", "512", "615", "702", "919", "808", "503", "614")

    def __init__(self) -> None:
        self.next = 0
        self.run = secrets.token_hex(3)
        self.area = secrets.choice(self.AREA_CODES)
        self.first_exchange = 600 + secrets.randbelow(300)

    def take(self) -> dict:
        n = self.next
        self.next += 1
        exchange, line = self.first_exchange + n // 10_000, n % 10_000
        return {
            "first_name": "Bench",
            "last_name": f"Runner{n}",
            "phone": f"+1{self.area}{exchange}{line:04d}",
            "email": f"bench-{self.run}-{n}@example.org",
        }


def api_body(patients: Patients) -> dict:
    return {**patients.take(), "reason": REASON, "consent": True}


def form_fields(patients: Patients, *, csrf_token: str | None = None) -> dict:
    """The form as a browser sends it, with a form token signed a minute ago (older than MIN_FILL_SECONDS)."""

    from requests_app.forms import FORM_TOKEN_SALT, screening_field  # noqa: PLC0415 (app code: after django.setup())
    from requests_app.triage.screening import QUESTIONS  # noqa: PLC0415 (app code: after django.setup())

    token = signing.dumps({"t": time.time() - 60, "id": uuid.uuid4().hex}, salt=FORM_TOKEN_SALT)
    fields = {
        **patients.take(),
        "reason": REASON,
        "consent": "on",
        "preferred_contact": "phone",
        "patient_type": "new",
        "form_token": token,
        "website": "",
        # A patient answers the safety questions: every one "no" here.
        **{screening_field(q.code): "no" for q in QUESTIONS},
    }
    if csrf_token:
        fields = {"csrfmiddlewaretoken": csrf_token, **fields}
    return fields


def csrf_secret() -> str:
    """A CSRF cookie value Django accepts: 32 letters and digits (the same value goes in the form)."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))


def write_bodies(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def api_bodies(path: Path, patients: Patients, count: int) -> Path:
    return write_bodies(path, [json.dumps(api_body(patients), separators=(",", ":")) for _ in range(count)])


def form_bodies(path: Path, patients: Patients, count: int, csrf_token: str) -> Path:
    return write_bodies(path, [urlencode(form_fields(patients, csrf_token=csrf_token)) for _ in range(count)])


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(self.errors.values())

    def as_dict(self) -> dict:
        return {**asdict(self), "failed": self.failed}


@dataclass(frozen=True)
class LoadShape:
    threads: int
    connections: int
    timeout_s: int = 10

    def describe(self) -> str:
        return f"wrk -t{self.threads} -c{self.connections} --timeout {self.timeout_s}s"


def run_wrk(
    url: str,
    *,
    seconds: float,
    shape: LoadShape,
    headers: dict[str, str],
    bodies: Path | None = None,
    content_type: str = "",
) -> WrkResult:
    """One wrk run; errors (non-2xx/3xx answers, timeouts, socket errors) are counted, not hidden."""
    argv = [WRK, f"-t{shape.threads}", f"-c{shape.connections}", f"-d{max(1, round(seconds))}s"]
    argv += ["--timeout", f"{shape.timeout_s}s", "-s", str(LUA_SCRIPT)]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    argv += [url, "--", str(bodies or ""), content_type, str(shape.threads)]
    completed = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60, check=False)
    line = next((x for x in completed.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    duration = data["duration_us"] / 1e6
    return WrkResult(
        requests=data["requests"],
        seconds=round(duration, 2),
        rps=data["requests"] / duration if duration else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        errors={k: v for k, v in data["errors"].items() if v},
    )
