"""The two commands and the production profile: what an operator relies on."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request

GOVHALL = [sys.executable, "-m", "govhall"]


def _env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update({"GOVHALL_VAR_DIR": str(tmp_path / "var"), "GOVHALL_LOG_LEVEL": "WARNING"}, **extra)
    return env


def test_the_production_profile_passes_the_deployment_check(tmp_path):
    env = _env(tmp_path, DJANGO_SETTINGS_MODULE="govhall.settings.production", SECRET_KEY=secrets.token_urlsafe(50),
               GOVHALL_MASTER_KEY=secrets.token_hex(32), ALLOWED_HOSTS="zwfw.example.gov.cn",
               GOVHALL_SITE_URL="https://zwfw.example.gov.cn")
    done = subprocess.run([*GOVHALL, "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_deployment_check_refuses_the_development_site_url(tmp_path):
    """Licence QR codes carry GOVHALL_SITE_URL: production must not print the laptop default."""
    env = _env(tmp_path, DJANGO_SETTINGS_MODULE="govhall.settings.production", SECRET_KEY=secrets.token_urlsafe(50),
               GOVHALL_MASTER_KEY=secrets.token_hex(32), ALLOWED_HOSTS="zwfw.example.gov.cn")
    env.pop("GOVHALL_SITE_URL", None)
    done = subprocess.run([*GOVHALL, "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0 and "govhall.W001" in done.stdout + done.stderr


def test_the_production_profile_refuses_to_start_without_a_master_key(tmp_path):
    env = _env(tmp_path, DJANGO_SETTINGS_MODULE="govhall.settings.production", SECRET_KEY=secrets.token_urlsafe(50))
    env.pop("GOVHALL_MASTER_KEY", None)
    done = subprocess.run([*GOVHALL, "check"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "GOVHALL_MASTER_KEY" in done.stderr and "govhall.E010" in done.stderr
    assert not (tmp_path / "var" / "master_key").exists()


def test_the_production_profile_refuses_to_start_without_a_secret_key(tmp_path):
    env = _env(tmp_path, DJANGO_SETTINGS_MODULE="govhall.settings.production")
    env.pop("SECRET_KEY", None)
    done = subprocess.run([*GOVHALL, "check"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "SECRET_KEY" in done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_up_serves_the_demo_catalogue_and_ctrl_c_stops_everything(tmp_path):
    port = _free_port()
    proc = subprocess.Popen([*GOVHALL, "up", "--port", str(port)], env=_env(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    body = ""
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/search/?q=%E9%A4%90%E9%A5%AE", timeout=5) as r:
                    body = r.read().decode()
                    break
            except OSError:
                time.sleep(1)
        assert "食品经营许可" in body, "the demo catalogue was not served"
        assert (tmp_path / "var" / "secret_key").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
    assert proc.returncode is not None
    # no child (web, worker, scheduler) survives
    leftovers = subprocess.run(["pgrep", "-s", str(proc.pid)], capture_output=True, text=True).stdout.split()
    assert leftovers == [], out[-2000:]
