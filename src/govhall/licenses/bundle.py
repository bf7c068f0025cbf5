"""The offline verification bundle of a licence, and its verifier.

``build(licence)`` → a ZIP holding everything needed to check the licence without the platform:

| file | content |
|---|---|
| ``licence.pdf`` | the sealed, signed licence PDF |
| ``licence.pdf.ses`` | its GB/T 38540 SES_Signature (DER) over the PDF bytes |
| ``seal-chain.pem`` | the seal certificate, then the platform's SM2 root |
| ``crl.pem`` | the SM2 root's current CRL (revocation as of the download) |
| ``pdf-signing-chain.pem`` | the PAdES document-signing certificate, then its ECDSA root |
| ``log.json`` | the licence's transparency-log entry (leaf data), its inclusion proof, the signed tree head and the log's public key (PEM) |
| ``manifest.json`` | format, identifier, file SHA-256 digests |

``verify_bundle(data, root_pem=None, log_key_pem=None)`` checks it offline (no database), step by
step, and returns a list of ``Step``; the bundle is proven only when every step passed. Used by
``govhall licenses verify FILE``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass

from asn1crypto import pem

from govhall.core.actors import SYSTEM
from govhall.crypto import keystore, seals, sm
from govhall.crypto import x509 as X
from govhall.translog import merkle
from govhall.translog.services import canonical_json

FORMAT = "govhall-licence-bundle/1"
FILES = ("licence.pdf", "licence.pdf.ses", "seal-chain.pem", "crl.pem", "pdf-signing-chain.pem", "log.json")
STH_VERSION = "govhall-translog-sth/1"


def _pem_certs(text: str) -> list[bytes]:
    out = []
    for block in text.split("-----END CERTIFICATE-----"):
        if "-----BEGIN CERTIFICATE-----" in block:
            _, _, der = pem.unarmor((block.strip() + "\n-----END CERTIFICATE-----\n").encode("ascii"))
            out.append(der)
    return out


def build(licence) -> bytes:
    """The bundle ZIP of ``licence``; NotFound when the licence has no document or log entry. May sign
    a fresh tree head when none yet covers the licence's entry (audited translog.sth.signed)."""
    from govhall.core.errors import NotFound
    from govhall.crypto import ca
    from govhall.documents import pades
    from govhall.documents import selectors as documents
    from govhall.translog import selectors as translog
    from govhall.translog import services as translog_services

    document = documents.licence_document(licence)
    if document is None or licence.log_index is None:
        raise NotFound(licence.identifier)
    data = documents.read_pdf(document)
    seal = document.seal
    root = ca.root()
    entry = translog.entry(licence.log_index)
    try:
        sth = translog.latest_sth()
        if sth.tree_size <= entry.index:
            raise NotFound("stale")
    except NotFound:
        sth = translog_services.sign_tree_head(actor=SYSTEM)
    proof = translog.inclusion_proof(entry.index, sth.tree_size)
    log = {
        "hash_algorithm": "sm3",
        "entry": {"index": entry.index, "leaf_data": entry.data, "leaf_hash": bytes(entry.leaf_hash).hex()},
        "inclusion_proof": [h.hex() for h in proof],
        "tree_head": translog.sth_dict(sth),
        "log_public_key_pem": keystore.public_key_pem(key_id=sth.key_id),
    }
    files = {
        "licence.pdf": data,
        "licence.pdf.ses": bytes(document.ses_der),
        "seal-chain.pem": (X.to_pem(bytes(seal.certificate.der)) + X.to_pem(bytes(root.der))).encode("ascii"),
        "crl.pem": X.to_pem(ca.current_crl(), "X509 CRL").encode("ascii"),
        "pdf-signing-chain.pem": pades.chain_pem(document.pades_key).encode("ascii"),
        "log.json": json.dumps(log, ensure_ascii=False, indent=2).encode("utf-8"),
    }
    manifest = {"format": FORMAT, "identifier": licence.identifier, "licence_type": licence.licence_type.type_code,
                "issuer": licence.issuer.credit_code, "document_sm3": document.sm3,
                "files": {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return out.getvalue()


# --- offline verification ------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    ok: bool
    detail: str


MAX_MEMBER = 50 * 1024 * 1024


def _read(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        out = {}
        for info in archive.infolist():
            if info.filename in (*FILES, "manifest.json"):
                if info.file_size > MAX_MEMBER:
                    raise ValueError(f"{info.filename} is too large")
                out[info.filename] = archive.read(info.filename)
        return out


def _identifier_of(properties: str) -> str:
    for part in properties.split(";"):
        if part.startswith("identifier="):
            return part.removeprefix("identifier=")
    return ""


def verify_bundle(data: bytes, *, root_pem: bytes | None = None, log_key_pem: bytes | None = None,
                  pades_root_pem: bytes | None = None, now: dt.datetime | None = None) -> list[Step]:
    """Check a bundle offline. Each step says what was proven or why not; a failed step does not stop
    the independent ones after it, but nothing is proven unless every step is ok."""
    steps: list[Step] = []
    try:
        files = _read(data)
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        return [Step("bundle", False, f"not a readable licence bundle: {exc}")]
    missing = [name for name in FILES if name not in files]
    if missing:
        return [Step("bundle", False, f"files missing from the bundle: {', '.join(missing)}")]
    pdf, ses = files["licence.pdf"], files["licence.pdf.ses"]
    chain = _pem_certs(files["seal-chain.pem"].decode("ascii", "replace"))
    if root_pem is not None:
        roots = _pem_certs(root_pem.decode("ascii", "replace"))
        root_der, root_source = (roots[0] if roots else b""), "the root given with --root"
    else:
        root_der, root_source = (chain[-1] if chain else b""), "the root in the bundle (NOT independently trusted)"
    crl_text = files["crl.pem"]
    try:
        crl_der = pem.unarmor(crl_text)[2] if pem.detect(crl_text) else crl_text
    except ValueError:
        crl_der = b""

    # 1-2. the seal signature over the PDF, the signer certificate chain, the CRL, the seal itself
    check = seals.verify_signature(ses, pdf, root_der=root_der, crl_der=crl_der or None, now=now)
    identifier = _identifier_of(check.properties) if check.properties else ""
    if check.ok:
        steps.append(Step("seal signature", True,
                          f"the SM2 seal signature of “{check.seal_name}” ({check.seal_id}) covers exactly this "
                          f"PDF (SM3 {check.document_sm3}); signed {check.signed_at:%Y-%m-%d %H:%M:%S} UTC"))
        steps.append(Step("certificate chain", True,
                          f"the seal certificate ({check.signer}) chains to {root_source}, was valid when used "
                          f"and is not on the CRL issued by that root; root SM3 fingerprint "
                          f"{sm.sm3_hex(root_der)}"))
    else:
        # verify_signature stops at the first failure: the document hash and the SM2 signature are
        # checked before the chain and the seal, so a chain or seal failure means those two held
        chain_failure = (check.code.startswith(("certificate.", "seal.")) and check.code != "certificate.malformed")
        if chain_failure:
            steps.append(Step("seal signature", True, "the SM2 seal signature covers exactly this PDF "
                              f"(SM3 {check.document_sm3})"))
            steps.append(Step("certificate chain", False, f"{check.code}: {check.reason}"))
        else:
            steps.append(Step("seal signature", False, f"{check.code}: {check.reason}"))
            steps.append(Step("certificate chain", False, "not checked: the seal signature failed"))

    # 3. the log entry names this licence and this PDF
    try:
        log = json.loads(files["log.json"])
        entry = log["entry"]
        leaf_data = entry["leaf_data"].encode("utf-8")
        leaf = json.loads(leaf_data)
        payload = leaf["payload"]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        steps.append(Step("log entry", False, f"log.json cannot be read: {exc}"))
        return steps
    pdf_sm3 = sm.sm3_hex(pdf)
    problems = []
    if leaf.get("kind") != "licence.issued" or payload.get("event") != "issued":
        problems.append(f"the entry records “{leaf.get('kind')}”, not an issuance")
    if not identifier:
        problems.append("the seal signature names no licence identifier")
    elif payload.get("identifier") != identifier:
        problems.append(f"the entry names licence {payload.get('identifier')}, the sealed PDF {identifier}")
    if payload.get("document_sm3") != pdf_sm3:
        problems.append(f"the entry records document SM3 {payload.get('document_sm3')}, the PDF's is {pdf_sm3}")
    if canonical_json(leaf) != leaf_data:
        problems.append("the leaf data is not in canonical form")
    steps.append(Step("log entry", not problems, "; ".join(problems) or
                      f"entry #{entry.get('index')} records the issue of {identifier} with this PDF's SM3"))

    # 4. inclusion in the signed tree head
    try:
        head = log["tree_head"]
        size, root_hash = int(head["tree_size"]), bytes.fromhex(head["root_hash"])
        path = [bytes.fromhex(h) for h in log["inclusion_proof"]]
        index = int(entry["index"])
        leaf_hash = merkle.SM3.leaf(leaf_data)
        included = merkle.verify_inclusion(leaf_hash=leaf_hash, index=index, tree_size=size, path=path,
                                           root=root_hash, hasher=merkle.SM3)
    except (ValueError, KeyError, TypeError) as exc:
        included, size, root_hash, head = False, 0, b"", {}
        steps.append(Step("inclusion", False, f"the proof cannot be read: {exc}"))
    else:
        steps.append(Step("inclusion", bool(included),
                          f"entry #{index} is in the tree of size {size} with root {root_hash.hex()}" if included
                          else "the inclusion proof does not lead from the entry to the tree head's root"))

    # 5. the tree head's signature
    try:
        key_text = log_key_pem if log_key_pem is not None else log["log_public_key_pem"].encode("ascii")
        public = _load_sm2_public(key_text)
        message = canonical_json({"hash_algorithm": "sm3", "root_hash": root_hash.hex(),
                                  "timestamp": int(head["timestamp"]), "tree_size": size, "version": STH_VERSION})
        signed = sm.sm2_verify(public, message, bytes.fromhex(head["signature"]))
    except (ValueError, KeyError, TypeError, sm.InvalidKey) as exc:
        steps.append(Step("tree head signature", False, f"cannot be checked: {exc}"))
    else:
        source = "the key given with --log-key" if log_key_pem is not None else \
            "the log key in the bundle (NOT independently trusted)"
        steps.append(Step("tree head signature", bool(signed),
                          f"the SM2 signature over the tree head verifies with {source}" if signed
                          else "the tree head's SM2 signature does not verify"))

    # 6. the PDF's own PAdES signature (pyHanko), against the bundled or given ECDSA root
    from govhall.documents.selectors import pades_check

    pades_chain = _pem_certs(files["pdf-signing-chain.pem"].decode("ascii", "replace"))
    pades_root = (_pem_certs(pades_root_pem.decode("ascii", "replace")) if pades_root_pem else pades_chain[-1:])
    if not pades_root:
        steps.append(Step("PDF signature", False, "no document-signing root"))
    else:
        result = pades_check(pdf, pades_root[0])
        source = "the root given with --pdf-root" if pades_root_pem else \
            "the document-signing root in the bundle (NOT independently trusted)"
        steps.append(Step("PDF signature", result.ok, f"{result.reason}; trust anchor: {source}"))
    return steps


def _load_sm2_public(text: bytes):
    from govhall.crypto import keys

    return keys.load_public_key(text)
