from django.core.management.base import BaseCommand, CommandError

from govhall.oidc import demo, keys, services


class Command(BaseCommand):
    help = ("OpenID Connect provider tools. 'rotate-key': new active ID-token signing key, the old one stays "
            "published; 'keys': list the published keys; 'demo-client': register the demo platform (demo mode).")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["rotate-key", "keys", "demo-client"])

    def handle(self, *args, action, **options):
        if action == "rotate-key":
            try:
                old, new = services.signing_key_rotate(actor=None)
            except RuntimeError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"签名密钥已轮换 / signing key rotated: {old} → {new} "
                              f"({old} stays in JWKS, inactive)")
        elif action == "keys":
            ring = keys.keyring()
            self.stdout.write(f"active   {ring.active.kid}")
            for key in ring.inactive:
                self.stdout.write(f"inactive {key.kid}")
            self.stdout.write(f"key directory: {keys.key_dir()}")
        else:
            client = demo.create_demo_client()
            self.stdout.write(f"demo client: {client.client_id} → {', '.join(client.redirect_uris)}")
