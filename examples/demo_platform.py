"""A second government platform that signs its users in through GovHall (OpenID Connect SSO).

Plain ``http.server`` plus Authlib; nothing of GovHall is imported. Run, with GovHall on :8000:

    .venv/bin/govhall oidc demo-client          # once: registers this platform (demo mode only)
    .venv/bin/python examples/demo_platform.py  # http://127.0.0.1:8001/

Open http://127.0.0.1:8001/, choose "使用统一身份认证登录", log in on GovHall with a resident account,
agree on the consent screen, and this platform greets you by name with your trust level. Settings
by environment: GOVHALL_URL (default http://127.0.0.1:8000), DEMO_CLIENT_ID, DEMO_CLIENT_SECRET.
"""

from __future__ import annotations

import html
import os
import secrets
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

GOVHALL = os.environ.get("GOVHALL_URL", "http://127.0.0.1:8000").rstrip("/")
CLIENT_ID = os.environ.get("DEMO_CLIENT_ID", "govhall-demo-platform")
CLIENT_SECRET = os.environ.get("DEMO_CLIENT_SECRET", "demo-platform-secret-not-for-production")
HOST, PORT = "127.0.0.1", 8001
CALLBACK = f"http://{HOST}:{PORT}/callback"
SESSIONS: dict[str, dict] = {}  # in memory: a demo, not a web framework


def discovery() -> dict:
    return requests.get(f"{GOVHALL}/.well-known/openid-configuration", timeout=10).json()


def oauth() -> OAuth2Session:
    return OAuth2Session(CLIENT_ID, CLIENT_SECRET, scope="openid profile", redirect_uri=CALLBACK,
                         code_challenge_method="S256")


def verify_id_token(config: dict, id_token: str, nonce: str) -> dict:
    keys = KeySet.import_key_set(requests.get(config["jwks_uri"], timeout=10).json())
    claims = jwt.decode(id_token, keys, algorithms=["RS256"]).claims
    jwt.JWTClaimsRegistry(iss={"essential": True, "value": config["issuer"]},
                          aud={"essential": True, "value": CLIENT_ID},
                          nonce={"essential": True, "value": nonce}, exp={"essential": True}).validate(claims)
    return claims


PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>示例平台</title>
<style>body{{font-family:sans-serif;max-width:40rem;margin:3rem auto;line-height:1.6}}</style></head>
<body><h1>示例平台 · Demo platform</h1>{body}</body></html>"""


class Handler(BaseHTTPRequestHandler):
    def _session(self) -> tuple[str, dict]:
        cookie = SimpleCookie(self.headers.get("Cookie", ""))
        sid = cookie["demo_sid"].value if "demo_sid" in cookie else ""
        if sid not in SESSIONS:
            sid = secrets.token_urlsafe(16)
            SESSIONS[sid] = {}
        return sid, SESSIONS[sid]

    def _send(self, status: int, body: str = "", location: str = "", sid: str = "") -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        if sid:
            self.send_header("Set-Cookie", f"demo_sid={sid}; HttpOnly; SameSite=Lax; Path=/")
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(PAGE.format(body=body).encode())

    def do_GET(self):  # noqa: N802 - http.server's name
        sid, session = self._session()
        path = urlsplit(self.path).path
        if path == "/":
            if user := session.get("user"):
                body = (f"<p><strong>已通过统一身份认证登录：{html.escape(user['name'])}, trust level "
                        f"{user['trust_level']}</strong></p><p>Signed in through GovHall as "
                        f"{html.escape(user['name'])} (sub {html.escape(user['sub'])}).</p>"
                        '<p><a href="/logout">退出 · Log out</a></p>')
            else:
                body = '<p><a href="/login">使用统一身份认证登录 · Sign in with GovHall</a></p>'
            return self._send(200, body, sid=sid)
        if path == "/login":
            config = discovery()
            session["verifier"], session["nonce"] = secrets.token_urlsafe(48), secrets.token_urlsafe(12)
            url, session["state"] = oauth().create_authorization_url(
                config["authorization_endpoint"], code_verifier=session["verifier"], nonce=session["nonce"])
            return self._send(302, location=url, sid=sid)
        if path == "/callback":
            config = discovery()
            client = oauth()
            try:
                token = client.fetch_token(config["token_endpoint"], authorization_response=CALLBACK + self.path[9:],
                                           state=session.get("state"), code_verifier=session.get("verifier"))
                claims = verify_id_token(config, token["id_token"], session.get("nonce", ""))
            except Exception as exc:  # noqa: BLE001 - show any failure to the person trying the demo
                return self._send(400, f"<p>登录失败 · Sign-in failed: {html.escape(str(exc))}</p>", sid=sid)
            session["user"] = {"sub": claims["sub"], "name": claims.get("name", claims["sub"]),
                               "trust_level": claims.get("trust_level")}
            return self._send(302, location="/", sid=sid)
        if path == "/logout":
            session.clear()
            return self._send(302, location="/", sid=sid)
        return self._send(404, "<p>Not found</p>", sid=sid)


if __name__ == "__main__":
    print(f"Demo platform on http://{HOST}:{PORT}/ — GovHall at {GOVHALL}")
    ThreadingHTTPServer((HOST, PORT), Handler).serve_forever()
