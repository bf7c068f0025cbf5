"""`make run` and `make test` on a fresh Debian machine: the Debian packages they need are installed as root
with apt-get, and anyone else gets one message naming the packages and the command (scripts/system-packages)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "system-packages"


@pytest.fixture
def machine(tmp_path):
    """A PATH holding only a fake `id` (root or not) and a fake `apt-get` that records its arguments;
    .venv exists, so python3-venv is not asked for."""
    bin_dir, venv = tmp_path / "bin", tmp_path / "venv"
    bin_dir.mkdir()
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("#!/bin/sh\n")
    (venv / "bin" / "python").chmod(0o755)
    calls = tmp_path / "apt-calls"

    def run(target: str, *, uid: int, font: str | None = None, apt: bool = True):
        (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
        if apt:
            (bin_dir / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> {calls}\n')
        for tool in bin_dir.iterdir():
            tool.chmod(0o755)
        env = {"PATH": str(bin_dir), "VENV": str(venv), "HOME": str(tmp_path)}
        if font:
            env["GOVHALL_PDF_FONT"] = font
        done = subprocess.run(["/bin/sh", str(SCRIPT), target], env=env, capture_output=True, text=True, cwd=ROOT)
        apt_calls = calls.read_text().splitlines() if calls.exists() else []
        return done, apt_calls

    return run


def test_without_root_it_stops_at_once_naming_the_packages_and_the_command(machine, tmp_path):
    done, apt_calls = machine("test", uid=1000)
    assert done.returncode == 1 and not apt_calls
    message = done.stderr.strip()
    assert len(message.splitlines()) == 1
    # the fake PATH hides pdfsig; chromium and the font are looked for where the code looks for them
    assert "poppler-utils" in message and "sudo apt-get install -y " in message
    missing = message.rsplit("install -y ", 1)[1].split()
    expected = ["poppler-utils"]
    if not Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc").exists():
        expected.insert(0, "fonts-wqy-microhei")
    if not Path("/usr/bin/chromium").exists():
        expected.append("chromium")
    assert missing == expected


def test_as_root_with_apt_it_installs_what_is_missing(machine):
    done, apt_calls = machine("test", uid=0)
    assert done.returncode == 0, done.stderr
    assert apt_calls[0] == "update -qq" and apt_calls[1].startswith("install -y -qq ")
    assert "poppler-utils" in apt_calls[1].split()


def test_make_run_does_not_need_the_test_packages(machine, tmp_path):
    font = tmp_path / "font.ttc"
    font.write_bytes(b"")
    done, apt_calls = machine("run", uid=1000, font=str(font))  # pdfsig and chromium are out of reach
    assert (done.returncode, done.stderr, apt_calls) == (0, "", [])

    done, _ = machine("run", uid=1000, font=str(tmp_path / "missing.ttc"))
    assert done.returncode == 1 and "fonts-wqy-microhei" in done.stderr and "chromium" not in done.stderr


def test_without_apt_even_root_gets_the_message(machine):
    done, apt_calls = machine("test", uid=0, apt=False)
    assert done.returncode == 1 and "apt-get install -y" in done.stderr and not apt_calls


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_the_two_make_commands_check_the_packages_first():
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    for target in ("run", "test"):
        plan = subprocess.run(["make", "-n", "--no-print-directory", target], cwd=ROOT, env=env,
                              capture_output=True, text=True).stdout
        assert plan.splitlines()[0].endswith(f"sh scripts/system-packages {target}"), plan
