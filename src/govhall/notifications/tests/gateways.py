"""A test SMS gateway that refuses everything, as a carrier does when its API is down."""

from govhall.notifications.sms import SmsNotSent

REFUSING = "govhall.notifications.tests.gateways.RefusingGateway"


class RefusingGateway:
    def send(self, phone: str, text: str) -> None:
        raise SmsNotSent(f"gateway answered 503 for {phone}")  # quotes the number, as real ones do


BROKEN = "govhall.notifications.tests.gateways.BrokenGateway"


class BrokenGateway:
    def send(self, phone: str, text: str) -> None:
        raise RuntimeError("bug in the gateway plug-in")
