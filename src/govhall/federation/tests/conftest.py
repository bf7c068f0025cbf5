"""Federation fixtures: this node's key, a fake peer whose private key the tests hold, and a
second GovHall node running as a real server process (gunicorn, its own SQLite database)."""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.conf import settings

from govhall.crypto import keys, sm
from govhall.federation import envelope, services

BIN = Path(sys.executable).parent
NODE2_CODE = "340100"
NODE2_NAME = "合肥市政务服务网"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class FakePeer:
    """A peer node whose private key the test holds: it signs whatever the test wants."""

    code: str
    private: sm.SM2PrivateKey
    key_id: str

    def sign(self, signed_bytes: bytes) -> tuple[str, bytes]:
        return self.key_id, sm.sm2_sign(self.private, signed_bytes)

    def request(self, operation="licenses.verify", body=None, *, receiver=None, purpose="测试 / test",
                case_number="CASE-1", **overrides) -> envelope.Sealed:
        message = envelope.request_message(sender=self.code, receiver=receiver or settings.GOVHALL_NODE_CODE,
                                           operation=operation, body=body if body is not None else {},
                                           case_number=case_number, purpose=purpose)
        message.update(overrides)
        return envelope.seal(message, signer=self.sign)

    def descriptor(self, base_url="http://127.0.0.1:9", **extra) -> dict:
        return {"format": "govhall-node/1", "code": self.code, "name": f"节点 {self.code}", "base_url": base_url,
                "keys": [{"key_id": self.key_id, "algorithm": "SM2", "state": "active",
                          "public_key_pem": keys.public_key_to_pem(self.private.public),
                          "fingerprint": keys.fingerprint(self.private.public)}],
                "issuer_prefixes": [], "root_ca_pem": "", **extra}


def make_fake_peer(code: str) -> FakePeer:
    return FakePeer(code, sm.sm2_generate(), f"federation.node-test-{secrets.token_hex(4)}")


@pytest.fixture
def node_key(db):
    return services.node_key_ensure(actor=None)


@pytest.fixture
def fake_peer(node_key):
    peer = make_fake_peer("test-peer")
    services.peer_trust(actor=None, descriptor=peer.descriptor())
    return peer


def install_node_key(private: sm.SM2PrivateKey, key_id: str):
    """This node's federation key, fixed for the session so that the second node trusts it once."""
    from govhall.crypto.master import key_wrapper
    from govhall.crypto.models import KeyPair

    version, wrapped = key_wrapper().wrap(keys.private_key_to_der(private), aad=key_id.encode())
    return KeyPair.objects.create(key_id=key_id, purpose=envelope.KEY_PURPOSE,
                                  public_key_der=keys.public_key_to_der(private.public),
                                  fingerprint=keys.fingerprint(private.public), private_key_wrapped=wrapped,
                                  wrap_version=version)


# --- the second node ------------------------------------------------------------------------------

SHARED_RESOURCE = "DR-HF-GA-HJ-001"
SHARED_SUBJECT = "340104199103151232"
NODE2_SETUP = r"""
import json, sys
SHARED_RESOURCE = "DR-HF-GA-HJ-001"
from govhall.catalog import services as catalog, testing
from govhall.federation import selectors, services
from govhall.licenses import services as licences
region = testing.region_tree()["hefei"]
organ = catalog.organ_create(actor=None, credit_code=testing.make_credit_code("340100", 99000001),
                             name="合肥市市场监督管理局", region=region, level="3", nature="1")
schema = [{"name": "business_name", "label_zh": "经营者名称", "label_en": "Operator", "type": "text",
           "required": True, "public": True},
          {"name": "scope", "label_zh": "经营项目", "label_en": "Business scope", "type": "text",
           "required": True, "public": False}]
kind = licences.licence_type_create(actor=None, type_code=organ.credit_code + "002", name="食品经营许可证",
                                    holder_kind="legal_person", face_schema=schema, defining_organ=organ,
                                    validity_years=5, template="licences/food_business")
ids = []
for name in ("合肥庐州茶社有限公司", "合肥包河面馆有限公司"):
    lic = licences.licence_issue(actor=None, licence_type=kind, issuer=organ, holder_name=name,
                                 holder_code="91341502MA2TEA019F", face={"business_name": name, "scope": "餐饮服务"})
    ids.append(lic.identifier)
sharing_error = None
try:  # a household register of the Hefei police, shared unconditionally (the sharing platform's own API)
    from govhall.sharing import services as sharing
    from govhall.demo.sharing import HOUSEHOLD_FIELDS
    police = catalog.organ_create(actor=None, credit_code=testing.make_credit_code("340100", 99000002),
                                  name="合肥市公安局", region=region, level="3", nature="1")
    resource = sharing.resource_create(
        actor=None, code=SHARED_RESOURCE, provider_organ=police, name="户籍信息（合肥）", name_en="Household (Hefei)",
        fields=HOUSEHOLD_FIELDS, share_class="unconditional", classification="3", legal_basis="《户口登记条例》",
        update_frequency="realtime", subject_kind="resident_id")
    sharing.dataset_upload(actor=None, resource=resource, filename="hj.csv", data=(
        "subject_key,name,gender,birth_date,address,household_head,relation\n"
        "340104199103151232,王芳,女,1991-03-15,合肥市蜀山区长江西路 100 号,王芳,户主\n").encode())
except Exception as exc:  # reported by the sharing test only, so that the other tests still run
    sharing_error = repr(exc)
services.node_key_ensure(actor=None)
services.peer_trust(actor=None, descriptor=json.loads(sys.stdin.read()))
print("RESULT=" + json.dumps({"descriptor": selectors.descriptor(), "identifiers": ids, "issuer": organ.credit_code,
                              "sharing_error": sharing_error}))
"""

NODE2_REVOKE = r"""
import sys
from govhall.licenses import services
from govhall.licenses.models import Licence
services.licence_revoke(actor=None, licence=Licence.objects.get(identifier=sys.stdin.read().strip()),
                        reason="吊销 / revoked in a test")
print("REVOKED")
"""


@dataclass
class Node:
    url: str
    code: str
    name: str
    env: dict
    db_path: Path
    descriptor: dict
    identifiers: list
    issuer: str
    process: subprocess.Popen
    sharing_error: str | None = None

    def govhall(self, *args, stdin: str = "", timeout: int = 120) -> str:
        done = subprocess.run([str(BIN / "govhall"), *args], input=stdin, env=self.env, capture_output=True,
                              text=True, timeout=timeout)
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def shell(self, code: str, stdin: str = "") -> str:
        return self.govhall("shell", "-c", code, stdin=stdin)

    def _opened(self, row: dict) -> dict:
        """The log's messages are stored encrypted under the node's master key: open them."""
        from govhall.crypto.fields import open_bytes
        from govhall.crypto.master import SettingsMasterKey

        master = SettingsMasterKey(bytes.fromhex(self.env["GOVHALL_MASTER_KEY"]))
        for column in ("signed_bytes", "raw"):
            if row[column] is not None:
                row[column] = open_bytes(row[column], f"federation.messagelog.{column}", master=master)
        return row

    def log_rows(self, **where) -> list[dict]:
        """The second node's message log rows matching ``where`` (read straight from its database)."""
        con = sqlite3.connect(self.db_path)
        con.row_factory = sqlite3.Row
        try:
            clause = " AND ".join(f"{k} = ?" for k in where) or "1"
            rows = con.execute(f"SELECT * FROM federation_messagelog WHERE {clause} ORDER BY id",  # noqa: S608
                               list(where.values())).fetchall()
            return [self._opened(dict(r)) for r in rows]
        finally:
            con.close()


def node1_descriptor(private: sm.SM2PrivateKey, key_id: str, base_url: str, prefixes=()) -> dict:
    return {"format": "govhall-node/1", "code": settings.GOVHALL_NODE_CODE, "name": "六安市政务服务网",
            "base_url": base_url, "issuer_prefixes": list(prefixes), "root_ca_pem": "",
            "keys": [{"key_id": key_id, "algorithm": "SM2", "state": "active",
                      "public_key_pem": keys.public_key_to_pem(private.public),
                      "fingerprint": keys.fingerprint(private.public)}]}


@pytest.fixture(scope="session")
def node1_identity():
    return sm.sm2_generate(), f"federation.node-{secrets.token_hex(6)}"


@pytest.fixture(scope="session")
def node2(node1_identity):
    """A second GovHall node (Hefei) on loopback: migrated SQLite database, its own master key,
    two licences issued by its market regulation bureau, trusting this node (Lu'an)."""
    home = Path(tempfile.mkdtemp(prefix="govhall-node2-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOVHALL_", "DATABASE_URL", "DJANGO_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "govhall.settings.base", "DATABASE_URL": f"sqlite:///{home / 'node2.sqlite3'}",
                "GOVHALL_VAR_DIR": str(home / "var"), "SECRET_KEY": secrets.token_urlsafe(40),
                "GOVHALL_MASTER_KEY": secrets.token_hex(32), "GOVHALL_DEMO": "0", "GOVHALL_NODE_CODE": NODE2_CODE,
                "GOVHALL_NODE_NAME": NODE2_NAME, "GOVHALL_NODE_BASE_URL": url, "GOVHALL_HOME_REGION": "340100",
                "GOVHALL_FEDERATION_RETRIES": "0", "GOVHALL_LOG_LEVEL": "WARNING",
                "GOVHALL_TASK_BACKEND": "django_tasks.backends.immediate.ImmediateBackend"})
    private, key_id = node1_identity
    node = Node(url, NODE2_CODE, NODE2_NAME, env, home / "node2.sqlite3", {}, [], "", None)  # type: ignore[arg-type]
    node.govhall("migrate", "--noinput", timeout=300)
    out = node.shell(NODE2_SETUP, stdin=json.dumps(node1_descriptor(private, key_id, "http://127.0.0.1:9")))
    result = json.loads(out.split("RESULT=", 1)[1])
    node.descriptor, node.identifiers, node.issuer = result["descriptor"], result["identifiers"], result["issuer"]
    node.sharing_error = result["sharing_error"]
    node.process = subprocess.Popen(
        [str(BIN / "gunicorn"), "govhall.wsgi", "-b", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4",
         "--timeout", "60", "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(home / "gunicorn.log", "w"), start_new_session=True)  # noqa: SIM115
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(url + "/federation/v1/messages", timeout=10).status_code == 405:
                    break
            except requests.RequestException:  # not listening yet, or still loading under load
                pass
            if node.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the second node did not start: " + (home / "gunicorn.log").read_text()[-3000:])
            time.sleep(0.2)
        yield node
    finally:
        stop(node.process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@pytest.fixture
def linked(db, node2, node1_identity):
    """This node (the test database) with its fixed key, trusting the second node for its issuer."""
    private, key_id = node1_identity
    install_node_key(private, key_id)
    services.peer_trust(actor=None, descriptor=node2.descriptor, issuer_prefixes=[node2.issuer])
    return node2


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
