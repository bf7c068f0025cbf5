"""An independent, deliberately literal transcription of RFC 9162 §2.1 (recursive, on lists of
leaf inputs) to check the log's iterative and storage-backed code against."""

import hashlib


def h(name, data):
    return hashlib.new(name, data).digest()


def k_of(n):
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def MTH(D, alg="sm3"):
    n = len(D)
    if n == 0:
        return h(alg, b"")
    if n == 1:
        return h(alg, b"\x00" + D[0])
    k = k_of(n)
    return h(alg, b"\x01" + MTH(D[:k], alg) + MTH(D[k:], alg))


def PATH(m, D, alg="sm3"):
    n = len(D)
    if n == 1:
        return []
    k = k_of(n)
    if m < k:
        return PATH(m, D[:k], alg) + [MTH(D[k:], alg)]
    return PATH(m - k, D[k:], alg) + [MTH(D[:k], alg)]


def SUBPROOF(m, D, b, alg="sm3"):
    n = len(D)
    if m == n:
        return [] if b else [MTH(D, alg)]
    k = k_of(n)
    if m <= k:
        return SUBPROOF(m, D[:k], b, alg) + [MTH(D[k:], alg)]
    return SUBPROOF(m - k, D[k:], False, alg) + [MTH(D[:k], alg)]


def PROOF(m, D, alg="sm3"):
    return SUBPROOF(m, D, True, alg)
