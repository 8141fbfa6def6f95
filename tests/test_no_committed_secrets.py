"""No secret-looking value may be committed in the fixtures or the snapshots.

Secret scanners flag JWTs, private keys and Amazon tokens whether they are real
or not, so the fixtures hold obviously fake values and the fakes make their
device key at test time (`tests/fakes/audible_server.py`).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fakes.audible_server import device_private_key

TESTS = Path(__file__).parent
SCANNED = (TESTS / "fixtures", TESTS / "snapshots")

SECRET_PATTERNS: dict[str, re.Pattern[str]] = {
    "JWT": re.compile(r"eyJ[A-Za-z0-9_-]{10,}"),
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    # Real Amazon access/refresh tokens and the at-main cookie are long;
    # the fakes ("Atna|fake-access-token-1") are short.
    "Amazon token": re.compile(r"\bAt(?:na|nr|za)\|[^\s\"',]{40,}"),
    "ADP token": re.compile(r"\{enc:[A-Za-z0-9+/=]{40,}\}"),
}


def scanned_files(*roots: Path) -> list[Path]:
    return sorted(path for root in roots for path in root.rglob("*") if path.is_file())


def find_secrets(*roots: Path) -> list[str]:
    """Every secret-looking value's file and kind, as "fixtures/abs/x.json: JWT"."""
    found: list[str] = []
    for root in roots:
        for path in scanned_files(root):
            text = path.read_text(encoding="utf-8", errors="replace")
            where = path.relative_to(root.parent).as_posix()
            found.extend(
                f"{where}: {kind}"
                for kind, pattern in SECRET_PATTERNS.items()
                if pattern.search(text)
            )
    return found


def test_fixtures_and_snapshots_hold_no_secret() -> None:
    files = scanned_files(*SCANNED)
    # Not vacuous: the scan reads the recorded logins and the snapshots.
    assert TESTS / "fixtures" / "audible" / "auth_data.json" in files
    assert TESTS / "fixtures" / "abs" / "login_x-return-tokens.json" in files
    assert TESTS / "snapshots" / "test_sensor.ambr" in files
    assert find_secrets(*SCANNED) == []


def _b64url(data: object) -> str:
    raw = json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _jwt() -> str:
    # Built here: a literal one would be flagged by the scanners itself.
    header = _b64url({"alg": "HS256", "typ": "JWT"})
    return f"{header}.{_b64url({'userId': 'u1', 'iat': 1})}.{'s' * 43}"


def _amazon_token() -> str:
    return "Atna|" + "EwICI" + "x" * 60


def _adp_token() -> str:
    part = base64.b64encode(b"0123456789" * 5).decode()
    return f"{{enc:{part}}}{{key:{part}}}{{iv:a}}{{name:b}}{{serial:Mg==}}"


PLANTED: dict[str, Callable[[], str]] = {
    "JWT": _jwt,
    "private key": device_private_key,
    "Amazon token": _amazon_token,
    "ADP token": _adp_token,
}


@pytest.mark.parametrize("kind", SECRET_PATTERNS)
@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("fixtures/abs/planted.json", lambda value: json.dumps({"token": value})),
        ("snapshots/test_planted.ambr", lambda value: f"  'token': {value!r},\n"),
    ],
)
def test_scan_finds_a_planted_secret(
    tmp_path: Path, kind: str, name: str, render: Callable[[str], str]
) -> None:
    fixtures, snapshots = tmp_path / "fixtures", tmp_path / "snapshots"
    # A clean neighbour: the committed fake login is not flagged.
    (fixtures / "audible").mkdir(parents=True)
    (fixtures / "audible" / "auth_data.json").write_text(
        (TESTS / "fixtures" / "audible" / "auth_data.json").read_text("utf-8"),
        encoding="utf-8",
    )
    snapshots.mkdir()
    planted = tmp_path / name
    planted.parent.mkdir(parents=True, exist_ok=True)
    planted.write_text(render(PLANTED[kind]()), encoding="utf-8")

    found = find_secrets(fixtures, snapshots)

    assert found == [f"{name}: {kind}"]
