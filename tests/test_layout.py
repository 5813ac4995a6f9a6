"""The repository layout keeps the standard library's `platform` module importable."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_platform_folder_is_not_a_package() -> None:
    assert (ROOT / "platform").is_dir()
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_import_platform_yields_the_standard_library_inside_the_configured_project() -> None:
    import platform

    import townsquare  # imported from platform/, proving it is on the path

    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert Path(platform.__file__).resolve().parent == stdlib
    assert platform.python_version().startswith("3.11")
    assert Path(townsquare.__file__).resolve().parent == ROOT / "platform" / "townsquare"


def test_manage_py_keeps_the_standard_library_platform() -> None:
    """Inside manage.py, which puts platform/ on the path, `platform` is still the stdlib."""
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "import platform; print(platform.__file__)"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    printed = result.stdout.strip().splitlines()[-1]
    assert Path(printed).resolve().parent == stdlib
