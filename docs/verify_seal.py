#!/usr/bin/env python3
"""Verify a GovHall sealed document offline: GB/T 38540 SES_Signature, SM2/SM3, X.509 chain, CRL.

Needs only Python 3, asn1crypto (``pip install asn1crypto``) and the OpenSSL 3 command line
(``openssl`` with SM2 and SM3; Debian/Ubuntu's build has both). Nothing here trusts GovHall's
software: every cryptographic check is made by OpenSSL.

    python3 verify_seal.py DOCUMENT DOCUMENT.sig ROOT.pem --crl CRL.pem

Prints the verdict on the last line and exits 0 (VALID), 1 (NOT VALID) or 2 (NOT PROVEN: no CRL
was given, so revocation is unknown; everything else was checked). The CRL is the platform's
current one (published beside the root certificate); it must be signed by the root and not past
its nextUpdate.

OpenSSL notes (3.0): X.509 signatures with SM2 use the signer id 1234567812345678 only when told
(``openssl verify -vfyopt distid:1234567812345678``); ``openssl verify -crl_check`` cannot be told,
so it rejects every SM2 CRL made with the standard id ("CRL signature failure"). This script
therefore checks the CRL's signature with ``openssl pkeyutl`` and reads the list with asn1crypto.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

from asn1crypto import core, crl, pem, x509

DISTID = "distid:1234567812345678"
SM2_SM3 = "1.2.156.10197.1.501"


# --- GB/T 38540-2020 structures (the same as govhall/crypto/seals.py) -----------------------------


class SESHeader(core.Sequence):
    _fields = [("id", core.IA5String), ("version", core.Integer), ("vid", core.IA5String)]


class CertInfoList(core.SequenceOf):
    _child_spec = core.OctetString


class ExtData(core.Sequence):
    _fields = [("extn_id", core.ObjectIdentifier), ("critical", core.Boolean, {"default": False}),
               ("extn_value", core.OctetString)]


class ExtensionDatas(core.SequenceOf):
    _child_spec = ExtData


class SESPropertyInfo(core.Sequence):
    _fields = [("type", core.Integer), ("name", core.UTF8String), ("cert_list_type", core.Integer),
               ("cert_list", CertInfoList), ("create_date", core.GeneralizedTime),
               ("valid_start", core.GeneralizedTime), ("valid_end", core.GeneralizedTime)]


class SESPictureInfo(core.Sequence):
    _fields = [("type", core.IA5String), ("data", core.OctetString), ("width", core.Integer),
               ("height", core.Integer)]


class SESSealInfo(core.Sequence):
    _fields = [("header", SESHeader), ("es_id", core.IA5String), ("property", SESPropertyInfo),
               ("picture", SESPictureInfo), ("ext_datas", ExtensionDatas, {"optional": True})]


class SESeal(core.Sequence):
    _fields = [("eseal_info", SESSealInfo), ("cert", core.OctetString), ("sign_alg_id", core.ObjectIdentifier),
               ("signed_value", core.OctetBitString)]


class TBSSign(core.Sequence):
    _fields = [("version", core.Integer), ("eseal", SESeal), ("time_info", core.GeneralizedTime),
               ("data_hash", core.OctetBitString), ("property_info", core.IA5String),
               ("ext_datas", ExtensionDatas, {"optional": True})]


class SESSignature(core.Sequence):
    _fields = [("to_sign", TBSSign), ("cert", core.OctetString), ("signature_alg_id", core.ObjectIdentifier),
               ("signature", core.OctetBitString),
               ("time_stamp", core.OctetBitString, {"implicit": 0, "optional": True})]


# --- helpers --------------------------------------------------------------------------------------


class NotValid(Exception):
    pass


def openssl(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, timeout=60)


def der_of(data: bytes) -> bytes:
    return pem.unarmor(data)[2] if pem.detect(data) else data


def sm2_verify(work: Path, name: str, public_pem: Path, data: bytes, signature: bytes) -> bool:
    (work / f"{name}.data").write_bytes(data)
    (work / f"{name}.sig").write_bytes(signature)
    done = openssl("pkeyutl", "-verify", "-pubin", "-inkey", str(public_pem), "-rawin", "-digest", "sm3",
                   "-pkeyopt", DISTID, "-in", str(work / f"{name}.data"), "-sigfile", str(work / f"{name}.sig"))
    return done.returncode == 0 and b"Signature Verified Successfully" in done.stdout


def public_key_of(work: Path, name: str, cert_der: bytes) -> Path:
    (work / f"{name}.pem").write_bytes(pem.armor("CERTIFICATE", cert_der))
    done = openssl("x509", "-in", str(work / f"{name}.pem"), "-noout", "-pubkey")
    if done.returncode:
        raise NotValid(f"OpenSSL cannot read the {name} certificate")
    (work / f"{name}.pub.pem").write_bytes(done.stdout)
    return work / f"{name}.pub.pem"


# --- the checks -----------------------------------------------------------------------------------


def verify(document: bytes, signature: bytes, root_pem: bytes, crl_data: bytes | None,
           work: Path) -> tuple[SESSignature, str]:
    """Returns the parsed signature and the revocation note ("" when no CRL was given, so revocation
    was not checked); raises NotValid for anything that does not verify."""
    try:
        sig = SESSignature.load(der_of(signature), strict=True)
        sig.native  # noqa: B018 - parse every field
    except (ValueError, TypeError, KeyError):
        raise NotValid("the signature file is not a GB/T 38540 SES_Signature") from None
    tbs = sig["to_sign"]
    eseal, info = tbs["eseal"], tbs["eseal"]["eseal_info"]
    prop = info["property"]
    root_der = der_of(root_pem)
    if tbs["version"].native != 4 or sig["signature_alg_id"].dotted != SM2_SM3:
        raise NotValid("unknown signature version or algorithm (expected 4 and SM2-with-SM3)")

    # 1. the document is the one that was sealed (SM3 computed by OpenSSL)
    digest = openssl("dgst", "-sm3", "-binary", stdin=document).stdout
    if len(digest) != 32 or digest != bytes(tbs["data_hash"].native):
        raise NotValid("the document's SM3 hash does not match the signed hash (altered or another document)")

    # 2. the SM2 signature over DER(toSign) verifies with the signer certificate's key
    signer_der = bytes(sig["cert"].native)
    signer_pub = public_key_of(work, "signer", signer_der)
    if not sm2_verify(work, "tosign", signer_pub, tbs.dump(), bytes(sig["signature"].native)):
        raise NotValid("the SM2 signature does not verify with the signer certificate (forged or damaged)")

    # 3. the signer certificate chains to the root and was valid when the document was sealed
    signed_at = tbs["time_info"].native
    now = dt.datetime.now(dt.UTC)
    if signed_at > now + dt.timedelta(minutes=5):
        raise NotValid("the signing time lies in the future")
    (work / "root.pem").write_bytes(pem.armor("CERTIFICATE", root_der))
    done = openssl("verify", "-vfyopt", DISTID, "-x509_strict", "-CAfile", str(work / "root.pem"),
                   "-attime", str(int(signed_at.timestamp())), str(work / "signer.pem"))
    if done.returncode or b": OK" not in done.stdout:
        detail = (done.stdout + done.stderr).decode(errors="replace").strip().splitlines()
        raise NotValid(f"the signer certificate does not chain to the given root: {' / '.join(detail[-2:])}")

    # 4. the seal itself was made by the root, lists the signer certificate, and was valid then
    if info["header"]["id"].native != "ES" or info["header"]["version"].native != 4:
        raise NotValid('the seal header is not GB/T 38540 ("ES", version 4)')
    if bytes(eseal["cert"].native) != root_der or eseal["sign_alg_id"].dotted != SM2_SM3:
        raise NotValid("the seal was not made by the given root CA")
    root_pub = public_key_of(work, "root", root_der)
    if not sm2_verify(work, "sealinfo", root_pub, info.dump(), bytes(eseal["signed_value"].native)):
        raise NotValid("the seal maker's signature over the seal information does not verify (forged seal)")
    if prop["cert_list_type"].native != 1 or signer_der not in [bytes(c.native) for c in prop["cert_list"]]:
        raise NotValid("the signer certificate is not one of the seal's certificates")
    if not prop["valid_start"].native <= signed_at <= prop["valid_end"].native:
        raise NotValid("the seal was not valid at the signing time")

    # 5. revocation: the root's CRL, signature checked by OpenSSL, serial looked up here
    if crl_data is None:
        return sig, ""
    try:
        crl_value = crl.CertificateList.load(der_of(crl_data), strict=True)
        crl_value.native  # noqa: B018
    except (ValueError, TypeError, KeyError):
        raise NotValid("the CRL cannot be parsed") from None
    root = x509.Certificate.load(root_der)
    if (crl_value.issuer != root.subject or crl_value["signature_algorithm"]["algorithm"].dotted != SM2_SM3
            or not sm2_verify(work, "crl", root_pub, crl_value["tbs_cert_list"].dump(),
                              crl_value["signature"].native)):
        raise NotValid("the CRL is not signed by the given root")
    next_update = crl_value["tbs_cert_list"]["next_update"].native
    if next_update is None or next_update < now:
        raise NotValid("the CRL is out of date (past its nextUpdate): fetch the current one")
    serial = x509.Certificate.load(signer_der).serial_number
    for entry in crl_value["tbs_cert_list"]["revoked_certificates"]:
        if entry["user_certificate"].native == serial:
            reason = entry.crl_reason_value.native if entry.crl_reason_value is not None else "unspecified"
            raise NotValid(f"the signer certificate was revoked on {entry['revocation_date'].native:%Y-%m-%d} "
                           f"({reason})")
    return sig, f"not revoked (CRL #{crl_value.crl_number_value.native if crl_value.crl_number_value else '?'})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("document", type=Path)
    parser.add_argument("signature", type=Path, help="the SES_Signature (.sig, DER)")
    parser.add_argument("root", type=Path, help="the platform root CA certificate (PEM or DER)")
    parser.add_argument("--crl", type=Path, help="the platform's current CRL (PEM or DER)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            sig, note = verify(args.document.read_bytes(), args.signature.read_bytes(), args.root.read_bytes(),
                          args.crl.read_bytes() if args.crl else None, Path(tmp))
        except NotValid as exc:
            print(f"NOT VALID: {exc}")
            return 1
    tbs = sig["to_sign"]
    prop = tbs["eseal"]["eseal_info"]["property"]
    print(f"seal:      {prop['name'].native} ({tbs['eseal']['eseal_info']['es_id'].native})")
    print(f"signer:    {x509.Certificate.load(bytes(sig['cert'].native)).subject.human_friendly}")
    print(f"signed at: {tbs['time_info'].native.isoformat()}")
    print(f"document:  SM3 {bytes(tbs['data_hash'].native).hex()}")
    if not note:
        print("NOT PROVEN: the seal signature, document and certificate chain verify, but no --crl was given, "
              "so revocation is unknown")
        return 2
    print(f"VALID: document unaltered, seal signature verified by OpenSSL, certificate chains to the root, {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
