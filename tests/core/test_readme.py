"""The example of core/README.md works, without Home Assistant."""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import textwrap
from pathlib import Path

from tests.fakes.abs_server import API_KEY, USERNAME, FakeAbsServer

CORE = Path(__file__).parents[2] / "custom_components" / "audible_tracker" / "core"


def readme_example() -> str:
    """Return the README's Python example (the only python block)."""
    readme = (CORE / "README.md").read_text(encoding="utf-8")
    (block,) = re.findall(r"```python\n(.*?)```", readme, flags=re.DOTALL)
    return block


async def run_without_home_assistant(script: str) -> str:
    """Run `script` in a fresh Python with the core importable; return stdout.

    As the README says: `core/` linked into a directory of its own on
    `sys.path` (the integration's directory would hide stdlib `calendar`).
    """
    with tempfile.TemporaryDirectory() as where:
        (Path(where) / "core").symlink_to(CORE, target_is_directory=True)
        return await _run(script, where)


async def _run(script: str, where: str) -> str:
    body = "\n".join(["import sys", f"sys.path.insert(0, {where!r})", script])
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        body,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    return stdout.decode()


async def test_the_readme_example_runs_against_the_fake_server(
    aiohttp_server, socket_enabled
) -> None:
    fake = FakeAbsServer(recorded_progress=True)
    await fake.start(aiohttp_server)
    example = readme_example().replace("http://abs.local:13378", fake.url)
    assert fake.url in example
    script = "\n".join(
        [
            "import asyncio",
            f"KEY = {API_KEY!r}",
            "async def main():",
            textwrap.indent(example, "    "),
            "asyncio.run(main())",
            "print('homeassistant' in sys.modules)",
        ]
    )

    stdout = await run_without_home_assistant(script)
    assert stdout.splitlines() == [
        f"{USERNAME} 8 books with progress",
        "False",  # the core ran without importing Home Assistant
    ]
    assert fake.requests_to("GET", "/api/me")


async def test_every_core_module_imports_without_home_assistant() -> None:
    modules = sorted(
        ".".join(("core", *path.relative_to(CORE).with_suffix("").parts)).removesuffix(
            ".__init__"
        )
        for path in CORE.rglob("*.py")
    )
    assert "core.sync.planner" in modules
    assert "core.matching.matcher" in modules
    script = "\n".join(
        [
            "import importlib",
            f"for name in {modules!r}:",
            "    importlib.import_module(name)",
            "roots = {m.split('.')[0] for m in sys.modules}",
            "print(sorted(roots & {'homeassistant', 'custom_components'}))",
        ]
    )
    stdout = await run_without_home_assistant(script)
    assert stdout.strip() == "[]"
