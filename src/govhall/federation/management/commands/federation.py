"""``govhall federation``: this node's descriptor, and trust in other nodes (docs/federation.md).

    govhall federation descriptor [--rotate]        print this node's descriptor (JSON); creates the key
    govhall federation trust FILE|- [--issuer-prefix P ...] [--expect-fingerprint HEX]
    govhall federation peers                        list trusted nodes
    govhall federation ping CODE                    exchange a signed ping with a peer
    govhall federation enable CODE | disable CODE [--reason TEXT]
    govhall federation revoke-key CODE KEY_ID [--reason TEXT]
    govhall federation issuers CODE PREFIX ...      set the licence issuer prefixes recognised

Changes are made as the system (actor None) and audited.
"""

from __future__ import annotations

import json
import sys
import time

from django.core.management.base import BaseCommand, CommandError

from govhall.core.errors import DomainError, NotFound
from govhall.federation import selectors, services


class Command(BaseCommand):
    help = "Federation between GovHall nodes: print this node's descriptor, trust and manage peers."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        d = sub.add_parser("descriptor", help="print this node's descriptor (JSON)")
        d.add_argument("--rotate", action="store_true", help="rotate the signing key first")
        t = sub.add_parser("trust", help="trust (or update) a peer from its descriptor")
        t.add_argument("file", help="descriptor JSON file, or - for standard input")
        t.add_argument("--issuer-prefix", action="append", dest="prefixes",
                       help="licence issuer credit-code prefix recognised for this peer (repeatable); "
                            "default: what the descriptor claims")
        t.add_argument("--expect-fingerprint", default="", help="SM3 fingerprint checked out of band")
        sub.add_parser("peers", help="list trusted nodes")
        g = sub.add_parser("ping", help="exchange a signed ping with a peer (checks keys, address, clocks)")
        g.add_argument("code")
        for name in ("enable", "disable"):
            p = sub.add_parser(name)
            p.add_argument("code")
            p.add_argument("--reason", default="")
        r = sub.add_parser("revoke-key", help="stop accepting one key of a peer")
        r.add_argument("code")
        r.add_argument("key_id")
        r.add_argument("--reason", default="")
        i = sub.add_parser("issuers", help="set the licence issuer prefixes recognised for a peer")
        i.add_argument("code")
        i.add_argument("prefixes", nargs="*")

    def handle(self, *args, **options):
        action = options["action"]
        try:
            if action == "descriptor":
                if options["rotate"]:
                    services.node_key_rotate(actor=None)
                else:
                    services.node_key_ensure(actor=None)
                self.stdout.write(json.dumps(selectors.descriptor(), ensure_ascii=False, indent=2))
            elif action == "trust":
                text = sys.stdin.read() if options["file"] == "-" else open(options["file"], encoding="utf-8").read()
                try:
                    descriptor = json.loads(text)
                except ValueError as exc:
                    raise CommandError(f"not JSON: {exc}") from exc
                peer = services.peer_trust(actor=None, descriptor=descriptor, issuer_prefixes=options["prefixes"],
                                           expect_fingerprint=options["expect_fingerprint"])
                self.stdout.write(f"trusted {peer.code} ({peer.name}) at {peer.base_url}")
                for key in peer.keys.all():
                    self.stdout.write(f"  key {key.key_id} fingerprint {key.fingerprint}"
                                      f"{' (revoked)' if key.revoked_at else ''}")
                self.stdout.write(f"  issuer prefixes: {', '.join(peer.issuer_prefixes) or '-'}")
            elif action == "peers":
                for peer in selectors.peers():
                    self.stdout.write(f"{peer.code}\t{'enabled' if peer.enabled else 'disabled'}\t{peer.base_url}\t"
                                      f"{peer.name}\t{','.join(peer.issuer_prefixes)}")
            elif action == "ping":
                from govhall.federation import client

                started = time.perf_counter()
                try:
                    answer = client.exchange(options["code"], "federation.ping", {}, case_number="",
                                             purpose="连通性检查 / connectivity check")
                except (client.PeerUnavailable, client.PeerAnswerInvalid) as exc:
                    raise CommandError(f"{options['code']}: {exc.reason} {exc.detail}".strip()) from exc
                self.stdout.write(f"{options['code']}: signed answer from {answer.body.get('node_name')} "
                                  f"(key {answer.key_id}) in {(time.perf_counter() - started) * 1000:.0f} ms; "
                                  f"its clock: {answer.body.get('time')}")
            elif action in ("enable", "disable"):
                services.peer_set_enabled(actor=None, code=options["code"], enabled=action == "enable",
                                          reason=options["reason"])
                self.stdout.write(f"{options['code']}: {action}d")
            elif action == "revoke-key":
                services.peer_key_revoke(actor=None, code=options["code"], key_id=options["key_id"],
                                         reason=options["reason"])
                self.stdout.write(f"{options['code']}: key {options['key_id']} revoked")
            elif action == "issuers":
                peer = services.peer_issuers_set(actor=None, code=options["code"], issuer_prefixes=options["prefixes"])
                self.stdout.write(f"{peer.code}: {', '.join(peer.issuer_prefixes) or '-'}")
        except DomainError as exc:
            raise CommandError("\n".join(f"{p.code}: {p.message_en}" for p in exc.problems)) from exc
        except NotFound as exc:
            raise CommandError(f"not found: {exc}") from exc
        except OSError as exc:
            raise CommandError(str(exc)) from exc
