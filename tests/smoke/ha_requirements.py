"""Print the requirements of what the launcher's Home Assistant sets up.

    python -m tests.smoke.ha_requirements   # with the Home Assistant venv's Python

The launcher runs Home Assistant with `--skip-pip` (no installs at run time), so
the venv must already hold the requirements of every integration Home Assistant
always sets up (bootstrap's default integrations), of their dependencies, and
of the few integrations those import without declaring them. They come from the
installed release's own manifests, so bumping `homeassistant` in
requirements_ha.txt is the only change a new release needs. Install them with
the release's package_constraints.txt.
"""

from __future__ import annotations

import json
from pathlib import Path

from homeassistant import bootstrap

# Imported by default integrations without being a manifest dependency
# (camera imports stream; the cloud integration is set up by default ones).
EXTRA_DOMAINS = frozenset({"stream", "cloud"})


def requirements() -> list[str]:
    """Requirement lines of the default integrations and all they depend on."""
    components = Path(bootstrap.__file__).parent / "components"
    todo = sorted(
        bootstrap.CORE_INTEGRATIONS
        | bootstrap.DEFAULT_INTEGRATIONS
        | bootstrap.DEFAULT_INTEGRATIONS_SUPERVISOR
        | EXTRA_DOMAINS
    )
    seen: set[str] = set()
    found: set[str] = set()
    while todo:
        domain = todo.pop()
        if domain in seen:
            continue
        seen.add(domain)
        manifest = components / domain / "manifest.json"
        if not manifest.is_file():
            continue
        data = json.loads(manifest.read_text(encoding="utf-8"))
        found.update(data.get("requirements", []))
        todo.extend(data.get("dependencies", []))
    return sorted(found)


def constraints_file() -> Path:
    """The release's pins for every package it may install."""
    return Path(bootstrap.__file__).parent / "package_constraints.txt"


if __name__ == "__main__":
    print(f"-c {constraints_file()}")  # noqa: T201
    print("\n".join(requirements()))  # noqa: T201
