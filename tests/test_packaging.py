"""A plain `pip install .` (not editable) serves the pages: templates, static, catalogues ship."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("lobby_kiosk-*.whl")
    return built


def test_wheel_holds_every_package_and_asset(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for init in list((ROOT / "kiosk").rglob("__init__.py")) + list(
        (ROOT / "printers").rglob("__init__.py")
    ):
        relative = init.relative_to(ROOT).as_posix()
        assert relative in names, f"{relative} is missing: add its package to setup.cfg"
    for asset in [*(ROOT / "templates").rglob("*.html"), *(ROOT / "static").rglob("*.*")]:
        assert "kiosk/" + asset.relative_to(ROOT).as_posix() in names, asset
    assert "kiosk/translations/zh_Hans_CN/LC_MESSAGES/messages.mo" in names
    assert any(n.startswith("kiosk/migrations/versions/0001") for n in names)


def test_installed_wheel_serves_pages_outside_the_checkout(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    program = f"""
import sys
sys.path[:0] = [{str(target)!r}, {sysconfig.get_paths()["purelib"]!r}]
import kiosk
assert kiosk.__file__.startswith({str(target)!r}), kiosk.__file__
from kiosk import create_app
from kiosk.db import upgrade
app = create_app(instance_path={str(tmp_path / "instance")!r})
upgrade(app.extensions["kiosk.engine"])
client = app.test_client()
page = client.get("/").get_data(as_text=True)
assert "您要办理什么业务？" in page, page[:500]
css = client.get("/static/css/terminal.css")
assert css.status_code == 200 and b".tile" in css.data
print("served")
"""
    # -S: no site hooks, so the editable install of the checkout cannot leak in.
    result = subprocess.run(
        [sys.executable, "-S", "-c", program],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "served"
