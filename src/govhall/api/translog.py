"""Public transparency-log API (to mount in api/v1.py: ``api.add_router("/translog", translog_router)``).

Everything a third party needs to audit the log offline: the latest signed tree head, the public
key that signed it, any entry, inclusion proofs and consistency proofs. Hashes and signatures are
lower-case hex. Endpoints parse, call a translog selector and map; no rules live here.
"""

from ninja import Field, Path, Query, Router, Schema

from govhall.api.permissions import permission
from govhall.api.schemas import BIGINT_MAX, ErrorOut
from govhall.core.errors import NotFound
from govhall.core.permissions import PUBLIC
from govhall.crypto import keystore
from govhall.translog import selectors

# operation_id: the ids the OpenAPI document has published since this router lived in govhall.translog.api
# (clients generated from the document name their methods after them); they do not change.
router = Router(tags=["transparency log"])


class STHOut(Schema):
    tree_size: int
    root_hash: str = Field(description="MTH, SM3, hex")
    timestamp: int = Field(description="ms since 1970-01-01T00:00:00Z")
    hash_algorithm: str
    key_id: str
    signature: str = Field(description="SM2 signature (DER, hex) of `signed`, signer id 1234567812345678")
    signed: str = Field(description="the exact signed bytes (UTF-8 canonical JSON)")


class EntryOut(Schema):
    index: int
    kind: str
    data: str = Field(description="leaf input: canonical JSON, hashed as UTF-8")
    leaf_hash: str = Field(description="SM3(0x00 || data), hex")


class InclusionQuery(Schema):
    index: int = Field(..., ge=0, le=BIGINT_MAX)
    tree_size: int = Field(..., ge=1, le=BIGINT_MAX)


class InclusionOut(Schema):
    index: int
    tree_size: int
    leaf_hash: str
    path: list[str] = Field(description="RFC 9162 PATH, from the leaf's sibling upwards, hex")


class ConsistencyQuery(Schema):
    first: int = Field(..., ge=0, le=BIGINT_MAX)
    second: int = Field(..., ge=0, le=BIGINT_MAX)


class ConsistencyOut(Schema):
    first: int
    second: int
    proof: list[str] = Field(description="RFC 9162 PROOF(first, D[second]), hex")


class KeyOut(Schema):
    key_id: str
    public_key_pem: str


@router.get("/sth", response={200: STHOut, 404: ErrorOut}, url_name="translog_sth",
            operation_id="govhall_translog_api_latest_sth",
            summary="最新签名树头 / latest signed tree head")
@permission(PUBLIC)
def latest_sth(request):
    return selectors.sth_dict(selectors.latest_sth())


@router.get("/sth/{int:tree_size}", response={200: STHOut, 404: ErrorOut, 422: ErrorOut},
            url_name="translog_sth_by_size", operation_id="govhall_translog_api_sth_by_size",
            summary="指定大小的签名树头 / signed tree head of a size")
@permission(PUBLIC)
def sth_by_size(request, tree_size: int = Path(..., ge=0, le=BIGINT_MAX)):
    return selectors.sth_dict(selectors.sth_by_size(tree_size))


@router.get("/keys/{key_id}", response={200: KeyOut, 404: ErrorOut, 422: ErrorOut}, url_name="translog_key",
            operation_id="govhall_translog_api_key",
            summary="树头与审计锚点签名公钥 / the SM2 public key of a tree-head or audit-anchor signer")
@permission(PUBLIC)
def key(request, key_id: str):
    if not key_id.startswith(("translog.sth-", "audit.anchor-")):  # only the log's own keys are published here
        raise NotFound(key_id)
    return {"key_id": key_id, "public_key_pem": keystore.public_key_pem(key_id=key_id)}


@router.get("/entries/{int:index}", response={200: EntryOut, 404: ErrorOut, 422: ErrorOut},
            url_name="translog_entry", operation_id="govhall_translog_api_entry",
            summary="日志条目 / log entry")
@permission(PUBLIC)
def entry(request, index: int = Path(..., ge=0, le=BIGINT_MAX)):
    found = selectors.entry(index)
    return {"index": found.index, "kind": found.kind, "data": found.data, "leaf_hash": bytes(found.leaf_hash).hex()}


@router.get("/proof/inclusion", response={200: InclusionOut, 400: ErrorOut, 422: ErrorOut},
            url_name="translog_inclusion", operation_id="govhall_translog_api_inclusion",
            summary="包含证明 / inclusion proof")
@permission(PUBLIC)
def inclusion(request, query: Query[InclusionQuery]):
    path = selectors.inclusion_proof(query.index, query.tree_size)
    leaf = selectors.entry(query.index)
    return {"index": query.index, "tree_size": query.tree_size, "leaf_hash": bytes(leaf.leaf_hash).hex(),
            "path": [h.hex() for h in path]}


@router.get("/proof/consistency", response={200: ConsistencyOut, 400: ErrorOut, 422: ErrorOut},
            url_name="translog_consistency", operation_id="govhall_translog_api_consistency",
            summary="一致性证明 / consistency proof")
@permission(PUBLIC)
def consistency(request, query: Query[ConsistencyQuery]):
    proof = selectors.consistency_proof(query.first, query.second)
    return {"first": query.first, "second": query.second, "proof": [h.hex() for h in proof]}
