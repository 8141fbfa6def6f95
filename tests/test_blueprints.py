"""The automation blueprints: valid for Home Assistant, and they run."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from homeassistant.components.automation.config import (
    AUTOMATION_BLUEPRINT_SCHEMA,
    async_validate_config_item,
)
from homeassistant.components.blueprint import models
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
from pytest_homeassistant_custom_component.common import async_mock_service

from tests.conftest import NOW, make_entry, setup_integration
from tests.fakes.audible_server import FakeAudible

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation"
OURS = sorted((BLUEPRINTS / "audible_tracker").glob("*.yaml"))
EVENT_ENTITY = "event.audible_de_book"
RAW_BASE = (
    "https://github.com/audible-tracker/audible_tracker/blob/main/"
    "blueprints/automation/audible_tracker/"
)

ACTIONS = [
    {
        "action": "test.automation",
        "data": {
            "title": "{{ title }}",
            "authors": "{{ authors }}",
            "asin": "{{ asin }}",
            "source": "{{ source }}",
        },
    }
]


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A config directory holding our blueprints, as after an import."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(
        BLUEPRINTS / "audible_tracker",
        tmp_path / "blueprints" / "automation" / "audible_tracker",
    )
    return tmp_path


def test_there_are_three() -> None:
    assert [path.name for path in OURS] == [
        "book_finished.yaml",
        "book_started.yaml",
        "new_volume_released.yaml",
    ]


@pytest.mark.parametrize("path", OURS, ids=lambda path: path.name)
def test_valid_blueprint(path: Path) -> None:
    blueprint = models.Blueprint(
        load_yaml_dict(path),
        path=path.name,
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )
    assert blueprint.name.startswith("Audible Tracker: ")
    # Importing from the README's link: the source is this very file.
    assert blueprint.metadata["source_url"] == RAW_BASE + path.name
    assert "actions" in blueprint.inputs


@pytest.mark.parametrize(
    ("name", "inputs"),
    [
        ("book_finished.yaml", {"book_event": EVENT_ENTITY, "actions": ACTIONS}),
        ("book_started.yaml", {"book_event": EVENT_ENTITY, "actions": ACTIONS}),
        (
            "new_volume_released.yaml",
            {
                "releases_calendar": "calendar.audible_de_releases",
                "offset": "-1:00:00",
                "actions": ACTIONS,
            },
        ),
    ],
)
async def test_automation_from_blueprint_is_valid(
    hass: HomeAssistant, config_dir: Path, name: str, inputs: dict[str, Any]
) -> None:
    config = await async_validate_config_item(
        hass,
        "x",
        {"use_blueprint": {"path": f"audible_tracker/{name}", "input": inputs}},
    )
    assert config is not None
    assert config.validation_status == "ok", config.validation_error
    assert config["actions"][0]["action"] == "test.automation"


async def test_book_finished_and_started_run_their_actions(
    hass: HomeAssistant,
    config_dir: Path,
    mock_audible: FakeAudible,
    freezer: Any,
) -> None:
    calls = async_mock_service(hass, "test", "automation")
    entry = make_entry()
    await setup_integration(hass, entry)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "id": kind,
                    "use_blueprint": {
                        "path": f"audible_tracker/book_{kind}.yaml",
                        "input": {
                            "book_event": EVENT_ENTITY,
                            "actions": [
                                {
                                    **ACTIONS[0],
                                    "data": {**ACTIONS[0]["data"], "kind": kind},
                                }
                            ],
                        },
                    },
                }
                for kind in ("finished", "started")
            ]
        },
    )
    await hass.async_block_till_done()
    assert calls == []

    mock_audible.set_listening("B0FAKE0001", percent_complete=100.0, is_finished=True)
    await entry.runtime_data.library.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)

    def seen(call: ServiceCall) -> dict[str, Any]:
        return dict(call.data)

    assert [seen(call) for call in calls] == [
        {
            "kind": "finished",
            "title": "Anne of Green Gables",
            "authors": "L. M. Montgomery",
            "asin": "B0FAKE0001",
            "source": "audible",
        }
    ]

    mock_audible.set_listening("B0LESMIS01", percent_complete=1.0)
    mock_audible.set_position("B0LESMIS01", 60_000, NOW)
    await entry.runtime_data.library.async_refresh()
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [call.data["kind"] for call in calls] == ["finished", "started"]
    assert calls[1].data["title"] == "Les Misérables"


def test_readme_links_import_each_blueprint() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    raw = (
        "https://raw.githubusercontent.com/audible-tracker/audible_tracker/main/"
        "blueprints/automation/audible_tracker/"
    )
    for path in OURS:
        link = "https://my.home-assistant.io/redirect/blueprint_import/?blueprint_url="
        assert link + quote(raw + path.name, safe="") in readme, path.name
        assert f"(blueprints/automation/audible_tracker/{path.name})" in readme
