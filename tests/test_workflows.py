"""The GitHub workflows: valid YAML, only the documented inputs of each action,
and the release workflow's tag check against manifest.json and CHANGELOG.md.

They run on GitHub, not here; this keeps them from breaking unnoticed.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
MANIFEST = ROOT / "custom_components" / "audible_tracker" / "manifest.json"

# Every action the workflows call, with its documented inputs and the required
# ones. A new action, or a new input, needs its line here, from its docs.
DOCUMENTED_INPUTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # https://github.com/actions/checkout/blob/v6/action.yml
    "actions/checkout": (
        frozenset(
            {
                "repository",
                "ref",
                "token",
                "ssh-key",
                "ssh-known-hosts",
                "ssh-strict",
                "ssh-user",
                "persist-credentials",
                "path",
                "clean",
                "filter",
                "sparse-checkout",
                "sparse-checkout-cone-mode",
                "fetch-depth",
                "fetch-tags",
                "show-progress",
                "lfs",
                "submodules",
                "set-safe-directory",
                "github-server-url",
                "allow-unsafe-pr-checkout",
            }
        ),
        frozenset(),
    ),
    # https://github.com/actions/setup-node/blob/v6/action.yml
    "actions/setup-node": (
        frozenset(
            {
                "node-version",
                "node-version-file",
                "architecture",
                "check-latest",
                "registry-url",
                "scope",
                "token",
                "cache",
                "package-manager-cache",
                "cache-dependency-path",
                "mirror",
                "mirror-token",
            }
        ),
        frozenset(),
    ),
    # https://hacs.xyz/docs/publish/action/ and
    # https://github.com/hacs/action/blob/main/action.yml
    "hacs/action": (
        frozenset({"ignore", "category", "repository", "comment", "github_token"}),
        frozenset({"category"}),
    ),
    # https://github.com/home-assistant/actions/blob/master/hassfest/action.yml
    # (no inputs: it validates the checked-out workspace)
    "home-assistant/actions/hassfest": (frozenset(), frozenset()),
}
# hacs/action's documented categories (https://hacs.xyz/docs/publish/action/).
HACS_CATEGORIES = {
    "integration",
    "plugin",
    "template",
    "theme",
    "appdaemon",
    "python_script",
}


def _load_release_script() -> ModuleType:
    path = ROOT / "scripts" / "lib" / "release.py"
    spec = importlib.util.spec_from_file_location("release_script", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


release = _load_release_script()


def _workflow(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text("utf-8"))
    return loaded


def _triggers(workflow: dict[str, Any]) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as the boolean True.
    triggers = workflow.get("on", workflow.get(True))
    if isinstance(triggers, str):
        return {triggers: None}
    if isinstance(triggers, list):
        return dict.fromkeys(triggers)
    assert isinstance(triggers, dict)
    return triggers


def _steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def _action(uses: str) -> str:
    return uses.split("@", 1)[0]


def input_problems(workflow: dict[str, Any]) -> list[str]:
    """Undocumented actions or inputs, missing required inputs, unpinned refs."""
    problems: list[str] = []
    for step in _steps(workflow):
        uses = step.get("uses")
        if uses is None:
            continue
        if "@" not in uses:
            problems.append(f"{uses}: no @ref")
        action = _action(uses)
        if action not in DOCUMENTED_INPUTS:
            problems.append(f"{action}: not in DOCUMENTED_INPUTS")
            continue
        documented, required = DOCUMENTED_INPUTS[action]
        given = set(step.get("with") or {})
        problems.extend(
            f"{action}: undocumented input {name}"
            for name in sorted(given - documented)
        )
        problems.extend(
            f"{action}: missing required input {name}"
            for name in sorted(required - given)
        )
    return problems


WORKFLOW_FILES = sorted(path.name for path in WORKFLOWS.glob("*.y*ml"))


def test_the_three_workflows_exist() -> None:
    assert {"validate.yml", "tests.yml", "release.yml"} <= set(WORKFLOW_FILES)


@pytest.mark.parametrize("name", WORKFLOW_FILES)
def test_workflow_is_valid(name: str) -> None:
    workflow = _workflow(name)
    assert isinstance(workflow.get("name"), str)
    assert _triggers(workflow)
    assert workflow["jobs"]
    for job in workflow["jobs"].values():
        assert job["runs-on"] == "ubuntu-latest"
        assert job["steps"]
        for step in job["steps"]:
            # A step either calls an action or runs a command, never both.
            assert ("uses" in step) != ("run" in step), step


@pytest.mark.parametrize("name", WORKFLOW_FILES)
def test_workflow_uses_only_documented_inputs(name: str) -> None:
    assert input_problems(_workflow(name)) == []


def test_input_check_finds_mistakes() -> None:
    workflow = {
        "jobs": {
            "j": {
                "steps": [
                    {"uses": "hacs/action@main", "with": {"categroy": "integration"}},
                    {
                        "uses": "home-assistant/actions/hassfest@master",
                        "with": {"x": 1},
                    },
                    {"uses": "someone/unknown@v1"},
                    {"uses": "actions/checkout"},
                ]
            }
        }
    }
    assert input_problems(workflow) == [
        "hacs/action: undocumented input categroy",
        "hacs/action: missing required input category",
        "home-assistant/actions/hassfest: undocumented input x",
        "someone/unknown: not in DOCUMENTED_INPUTS",
        "actions/checkout: no @ref",
    ]


def test_validate_runs_hacs_and_hassfest_on_every_change() -> None:
    workflow = _workflow("validate.yml")
    assert {"push", "pull_request"} <= set(_triggers(workflow))
    by_action = {
        _action(step["uses"]): step for step in _steps(workflow) if "uses" in step
    }
    assert by_action["hacs/action"]["uses"] == "hacs/action@main"
    assert by_action["hacs/action"]["with"]["category"] == "integration"
    assert "integration" in HACS_CATEGORIES
    assert by_action["home-assistant/actions/hassfest"]["uses"] == (
        "home-assistant/actions/hassfest@master"
    )


def test_tests_run_scripts_test_on_push_and_pull_request() -> None:
    workflow = _workflow("tests.yml")
    assert {"push", "pull_request"} <= set(_triggers(workflow))
    commands = [step["run"] for step in _steps(workflow) if "run" in step]
    # As root: pyenv.sh builds its Python 3.14 root with debootstrap.
    assert any("apt-get install" in run and "debootstrap" in run for run in commands)
    assert any(run.strip() == 'sudo env "PATH=$PATH" scripts/test' for run in commands)


def test_release_runs_on_version_tags_and_checks_them() -> None:
    workflow = _workflow("release.yml")
    triggers = _triggers(workflow)
    assert set(triggers) == {"push"}
    assert triggers["push"] == {"tags": ["v*.*.*"]}
    assert workflow["permissions"] == {"contents": "write"}
    commands = [step["run"] for step in _steps(workflow) if "run" in step]
    check, publish = commands
    assert re.search(
        r'scripts/lib/release\.py "\$GITHUB_REF_NAME" --notes (\S+)', check
    )
    notes = re.search(r"--notes (\S+)", check)
    assert notes is not None
    assert f"--notes-file {notes.group(1)}" in publish
    assert publish.startswith('gh release create "$GITHUB_REF_NAME"')


# ---- the release script ------------------------------------------------------

CHANGELOG_TEXT = """# Changelog

Intro.

## [Unreleased]

## [0.2.0] - 2026-12-02

### Added
- Series.

## [0.1.0] - 2026-11-01

### Added
- Login.

[Unreleased]: https://example.invalid/compare/v0.2.0...HEAD
[0.2.0]: https://example.invalid/compare/v0.1.0...v0.2.0
"""


def _files(
    tmp_path: Path, version: str, changelog: str = CHANGELOG_TEXT
) -> tuple[Path, Path]:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"domain": "x", "version": version}), "utf-8")
    changelog_path = tmp_path / "CHANGELOG.md"
    changelog_path.write_text(changelog, "utf-8")
    return manifest, changelog_path


def test_release_notes_are_the_version_section(tmp_path: Path) -> None:
    manifest, changelog = _files(tmp_path, "0.2.0")
    assert (
        release.release_notes("v0.2.0", manifest, changelog) == "### Added\n- Series."
    )


def test_release_notes_of_the_last_section_leave_out_the_links(tmp_path: Path) -> None:
    manifest, changelog = _files(tmp_path, "0.1.0")
    assert release.release_notes("v0.1.0", manifest, changelog) == "### Added\n- Login."


@pytest.mark.parametrize("tag", ["v0.1.0", "v0.2", "0.2.0", "v0.2.0-beta", "release"])
def test_release_refuses_a_tag_other_than_the_manifest_version(
    tmp_path: Path, tag: str
) -> None:
    manifest, changelog = _files(tmp_path, "0.2.0")
    with pytest.raises(release.ReleaseError):
        release.release_notes(tag, manifest, changelog)


def test_release_refuses_a_version_without_changelog_section(tmp_path: Path) -> None:
    manifest, changelog = _files(tmp_path, "0.3.0")
    with pytest.raises(release.ReleaseError, match="no section"):
        release.release_notes("v0.3.0", manifest, changelog)


def test_release_refuses_an_empty_section(tmp_path: Path) -> None:
    text = CHANGELOG_TEXT.replace("## [Unreleased]", "## [0.3.0] - 2027-01-01")
    manifest, changelog = _files(tmp_path, "0.3.0", text)
    with pytest.raises(release.ReleaseError, match="empty"):
        release.release_notes("v0.3.0", manifest, changelog)


def test_release_refuses_a_section_still_marked_unreleased(tmp_path: Path) -> None:
    text = CHANGELOG_TEXT.replace("## [0.2.0] - 2026-12-02", "## [0.2.0] - Unreleased")
    manifest, changelog = _files(tmp_path, "0.2.0", text)
    with pytest.raises(release.ReleaseError, match="Unreleased"):
        release.release_notes("v0.2.0", manifest, changelog)


def test_release_reads_the_real_manifest() -> None:
    version = json.loads(MANIFEST.read_text("utf-8"))["version"]
    assert release.manifest_version() == version
    assert release.version_of_tag(f"v{version}") == version


def test_changelog_is_ready_for_the_manifest_version() -> None:
    # The lead bumps manifest.json last: until then, the new version's section
    # may still say Unreleased; the released version always has its section.
    found = release.sections(release.CHANGELOG.read_text("utf-8"))
    version = release.manifest_version()
    assert found.get(version) or found.get("Unreleased") is not None
    assert all(
        name == "Unreleased" or re.fullmatch(r"\d+\.\d+\.\d+", name) for name in found
    ), list(found)


# ---- issue forms ---------------------------------------------------------------

TEMPLATES = ROOT / ".github" / "ISSUE_TEMPLATE"
# GitHub's issue form element types (docs.github.com: syntax for the form schema).
FORM_TYPES = {"markdown", "textarea", "input", "dropdown", "checkboxes"}


@pytest.mark.parametrize("name", ["bug_report.yml", "feature_request.yml"])
def test_issue_form_is_valid(name: str) -> None:
    form = yaml.safe_load((TEMPLATES / name).read_text("utf-8"))
    assert isinstance(form["name"], str)
    assert isinstance(form["description"], str)
    ids = [element["id"] for element in form["body"] if "id" in element]
    assert len(ids) == len(set(ids))
    for element in form["body"]:
        assert element["type"] in FORM_TYPES
        if element["type"] == "markdown":
            assert element["attributes"]["value"]
        else:
            assert element["attributes"]["label"]
            assert "id" in element


def test_bug_report_asks_for_diagnostics_and_versions() -> None:
    form = yaml.safe_load((TEMPLATES / "bug_report.yml").read_text("utf-8"))
    required = {
        element["id"]
        for element in form["body"]
        if element.get("validations", {}).get("required")
    }
    assert {
        "what_happened",
        "ha_version",
        "integration_version",
        "diagnostics",
    } <= required


def test_issue_template_config_is_valid() -> None:
    config = yaml.safe_load((TEMPLATES / "config.yml").read_text("utf-8"))
    assert isinstance(config["blank_issues_enabled"], bool)
    for link in config["contact_links"]:
        assert set(link) == {"name", "url", "about"}
        assert link["url"].startswith("https://")
