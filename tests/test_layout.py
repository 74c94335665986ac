"""The repository's shape: platform/ is a source root that must not shadow the stdlib."""

import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_platform_from_repository_root_is_the_standard_library():
    out = subprocess.run(
        [sys.executable, "-c", "import platform; print(platform.system())"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == platform.system()
    assert out.stdout.strip()  # e.g. "Linux"


def test_platform_folder_is_not_a_package():
    assert (ROOT / "platform" / "kpss" / "__init__.py").exists()
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_design_card_folders_exist():
    for name in (
        "platform",
        "tenants",
        "migrations",
        "templates",
        "tests",
        "deploy",
        "pyproject.toml",
        "Makefile",
        "README.md",
        ".ci/run",
    ):
        assert (ROOT / name).exists(), name


def test_readme_shows_the_two_commands_first():
    readme = (ROOT / "README.md").read_text()
    first_commands = [
        line.strip() for line in readme.splitlines() if line.strip().startswith("make ")
    ]
    assert first_commands[:2] == ["make run", "make test"]
