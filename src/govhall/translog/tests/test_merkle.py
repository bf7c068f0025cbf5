"""The pure RFC 9162 tree: published SHA-256 vectors, agreement with a literal recursive
transcription of the RFC (SM3 and SHA-256), and verifiers that accept exactly the right proofs."""

from functools import partial

import pytest

from govhall.translog import merkle
from govhall.translog.merkle import SHA256, SM3

from .naive import MTH, PATH, PROOF

# RFC 6962 / 9162 reference leaves and values, as published by the CT reference implementations
# (transparency-dev/merkle testonly/constants.go; the C++ and Go CT logs' merkle tree tests).
LEAVES = [bytes.fromhex(x) for x in
          ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
NODE_HASHES = [  # [level][index]: every complete subtree of the 8-leaf tree
    ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
     "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
     "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
     "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
     "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
     "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
     "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
     "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1"],
    ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
     "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
     "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
     "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0"],
    ["d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
     "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"],
    ["5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"],
]
INCLUSION = [  # (index, size, path)
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
]
CONSISTENCY = [  # (first, second, proof)
    (2, 8, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]

DATA64 = [f"leaf {i} / 条目 {i}".encode() * (i % 3 + 1) for i in range(64)]


def hexes(hashes):
    return [h.hex() for h in hashes]


# --- published SHA-256 vectors --------------------------------------------------------------------


def test_roots_of_the_reference_tree_for_every_size():
    for n in range(9):
        assert merkle.mth(LEAVES[:n], SHA256).hex() == ROOTS[n]
        assert MTH(LEAVES[:n], "sha256").hex() == ROOTS[n]  # the naive oracle agrees with the vectors


def test_every_complete_subtree_and_the_frontier_match_the_reference():
    stored = {(level, index): h.hex() for level, index, h in
              merkle.perfect_subtrees([SHA256.leaf(d) for d in LEAVES], SHA256)}
    expected = {(level, index): h for level, row in enumerate(NODE_HASHES) for index, h in enumerate(row)}
    assert stored == expected
    frontier = []
    for n, data in enumerate(LEAVES):
        frontier, _ = merkle.frontier_append(frontier, n, SHA256.leaf(data), SHA256)
        assert [h.hex() for h in frontier] == [NODE_HASHES[level][index] for level, index in
                                               merkle.decompose(0, n + 1)]
        assert merkle.frontier_root(frontier, SHA256).hex() == ROOTS[n + 1]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_reference_inclusion_proofs(index, size, path):
    assert hexes(merkle.inclusion_path(index, LEAVES[:size], SHA256)) == path
    assert merkle.verify_inclusion(leaf_hash=SHA256.leaf(LEAVES[index]), index=index, tree_size=size,
                                   path=[bytes.fromhex(p) for p in path], root=bytes.fromhex(ROOTS[size]),
                                   hasher=SHA256)


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_reference_consistency_proofs(first, second, proof):
    assert hexes(merkle.consistency_proof(first, LEAVES[:second], SHA256)) == proof
    assert merkle.verify_consistency(first_size=first, second_size=second, proof=[bytes.fromhex(p) for p in proof],
                                     first_root=bytes.fromhex(ROOTS[first]), second_root=bytes.fromhex(ROOTS[second]),
                                     hasher=SHA256)


# --- against the literal recursive definition -----------------------------------------------------


@pytest.mark.parametrize(("hasher", "alg"), [(SM3, "sm3"), (SHA256, "sha256")])
def test_inclusion_proofs_for_every_index_and_size_up_to_64(hasher, alg):
    for n in range(1, 65):
        leaves = DATA64[:n]
        root = MTH(leaves, alg)
        assert merkle.mth(leaves, hasher) == root
        for m in range(n):
            path = merkle.inclusion_path(m, leaves, hasher)
            assert path == PATH(m, leaves, alg), (m, n)
            leaf = hasher.leaf(leaves[m])
            assert merkle.verify_inclusion(leaf_hash=leaf, index=m, tree_size=n, path=path, root=root, hasher=hasher)
            assert merkle.root_from_inclusion(leaf_hash=leaf, index=m, tree_size=n, path=path, hasher=hasher) == root


@pytest.mark.parametrize(("hasher", "alg"), [(SM3, "sm3"), (SHA256, "sha256")])
def test_consistency_proofs_for_every_pair_up_to_32(hasher, alg):
    roots = [MTH(DATA64[:n], alg) for n in range(33)]
    for n in range(1, 33):
        for m in range(0, n + 1):
            proof = merkle.consistency_proof(m, DATA64[:n], hasher)
            assert proof == (PROOF(m, DATA64[:n], alg) if 0 < m else []), (m, n)
            assert merkle.verify_consistency(first_size=m, second_size=n, proof=proof, first_root=roots[m],
                                             second_root=roots[n], hasher=hasher), (m, n)


# --- verifiers reject everything else -------------------------------------------------------------


def _call(verify, base, **changes):
    return verify(**(base | changes))


def test_a_wrong_leaf_index_size_root_or_path_does_not_verify():
    for n in range(2, 40):
        leaves = DATA64[:n]
        root = merkle.mth(leaves)
        for m in range(n):
            path = merkle.inclusion_path(m, leaves)
            leaf = SM3.leaf(leaves[m])
            base = {"leaf_hash": leaf, "index": m, "tree_size": n, "path": path, "root": root}
            ok = partial(_call, merkle.verify_inclusion, base)

            assert ok()
            assert not ok(leaf_hash=SM3.leaf(leaves[m] + b"x"))
            assert not ok(index=m + 1) and not ok(index=m - 1) and not ok(index=n)
            assert not ok(root=SM3.leaf(b"other root"))
            assert not ok(path=path[:-1]) and not ok(path=[*path, root])
            flipped = [bytes(p) for p in path]
            flipped[-1] = bytes([flipped[-1][0] ^ 1]) + flipped[-1][1:]
            assert not ok(path=flipped)


def test_a_wrong_consistency_proof_does_not_verify():
    roots = [merkle.mth(DATA64[:n]) for n in range(33)]
    for n in range(2, 33):
        for m in range(1, n):
            proof = merkle.consistency_proof(m, DATA64[:n])
            base = {"first_size": m, "second_size": n, "proof": proof, "first_root": roots[m],
                    "second_root": roots[n]}
            ok = partial(_call, merkle.verify_consistency, base)

            assert ok()
            assert not ok(proof=[])
            assert not ok(proof=proof[:-1]) and not ok(proof=[*proof, roots[n]])
            assert not ok(first_root=roots[m - 1]) and not ok(second_root=roots[n - 1])
            assert not ok(first_size=n, second_size=m)
            for i in range(len(proof)):
                flipped = list(proof)
                flipped[i] = bytes([proof[i][0] ^ 0x80]) + proof[i][1:]
                assert not ok(proof=flipped), (m, n, i)
    assert merkle.verify_consistency(first_size=4, second_size=4, proof=[], first_root=roots[4], second_root=roots[4])
    assert not merkle.verify_consistency(first_size=4, second_size=4, proof=[], first_root=roots[4],
                                         second_root=roots[5])
    assert merkle.verify_consistency(first_size=0, second_size=8, proof=[], first_root=SM3.empty(),
                                     second_root=roots[8])
    assert not merkle.verify_consistency(first_size=0, second_size=8, proof=[roots[1]], first_root=SM3.empty(),
                                         second_root=roots[8])


def test_generators_refuse_impossible_requests():
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(8, 8)
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(-1, 8)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(5, 3)
    with pytest.raises(ValueError):
        merkle.decompose(3, 7)  # not a range the MTH recursion produces


def test_proofs_need_only_logarithmically_many_stored_subtrees():
    for n in [1000, 100_000, 1_000_000, 2**40 + 12345]:
        bound = 2 * n.bit_length()
        for m in [0, 1, n // 3, n // 2, n - 2, n - 1]:
            assert len(merkle.nodes_for(merkle.inclusion_ranges(m, n))) <= bound
            assert len(merkle.nodes_for(merkle.consistency_ranges(m + 1, n))) <= bound
