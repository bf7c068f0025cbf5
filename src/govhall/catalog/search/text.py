"""Text analysis shared by indexing and querying: normalisation, stop words, index terms.

An index term is a jieba search-mode word, a character bigram or a single character of a run of
word characters. Indexing and query analysis use the same functions, so that a query and a name that
share a word, a pair of characters or a character meet on the same term.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import Counter
from functools import lru_cache

_RUN = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_ASCII_WORD = re.compile(r"[a-z]+")

# Words that say how or whether, not what: a citizen's "我想办" or "怎么" carries no item. Removed
# from queries when jieba makes them a token of their own (办 inside 办学 stays).
STOP_WORDS = frozenset("""
我 你 他 她 它 我们 你们 他们 咱 俺 自己 本人 家里 想 要 想要 我想 我要 需要 应该 应当 得 必须 可以 能 能不能 能否 会 该
了 的 地 吗 呢 吧 啊 呀 哦 嘛 么 哈 喔 噢 哎 唉 着 过 啦 哪 咋 啥 谁 何 怎 怎么 怎么办 怎样 怎么样 如何 为什么 什么 什么样
哪里 哪儿 哪个 哪些 哪家 在哪 在哪里 去哪 去哪里 去哪儿 到哪 多久 多少 多长时间 几天 是否 是不是 有没有 有 没有 没 不
个 一个 一下 一些 这 那 这个 那个 这些 那些 这里 那里 这边 那边 就 也 都 还 又 再 才 只 很 太 最 更 先 然后 已经 现在 马上
在 去 到 给 让 把 被 和 与 及 或 或者 还是 跟 对 向 从 为 以 而 但 但是 如果 因为 所以 的话 关于 相关 一样
办 办理 办个 弄 搞 做 找 请 请问 问 问下 问一下 咨询一下 帮 帮忙 帮我 麻烦 谢谢 您好 你好
手续 流程 步骤 材料 资料 条件 要求 规定 问题 事情 事 东西 地方 部门 窗口 时间 多少钱
申请 申办 网上 线上 在线 流程图 指南 怎么弄 咋办 咋弄 需不需要 要不要 可不可以
""".split())


def normalise(text: str) -> str:
    """NFKC (full-width → half-width), lower case, runs of space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text or "").lower().split())


def runs(text: str) -> list[str]:
    """Maximal runs of word characters (CJK, Latin letters, digits) of normalised text."""
    return _RUN.findall(normalise(text))


@lru_cache(maxsize=1)
def jieba():
    import jieba as _jieba

    _jieba.setLogLevel(logging.WARNING)
    _jieba.initialize()
    return _jieba


def words(text: str) -> list[str]:
    """jieba search-mode words (with the compounds and their parts) of each run."""
    out = []
    for run in runs(text):
        out += [w for w in jieba().cut_for_search(run) if w.strip()]
    return out


def bigrams(text: str) -> list[str]:
    """Overlapping character pairs of each run (a one-character run stands for itself)."""
    out = []
    for run in runs(text):
        out += [run[i:i + 2] for i in range(len(run) - 1)] or [run]
    return out


def is_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def field_terms(text: str, *, grams: bool) -> Counter:
    """Term frequencies of a field: words, and with ``grams`` also character bigrams and single CJK
    characters. A two-character word that is also a bigram counts once per occurrence."""
    counts: Counter = Counter()
    for run in runs(text):
        tokens = Counter(w for w in jieba().cut_for_search(run) if w.strip())
        if grams:
            pairs = Counter(run[i:i + 2] for i in range(len(run) - 1))
            for pair, n in pairs.items():
                tokens[pair] = max(tokens[pair], n)
            for ch in run:
                if is_cjk(ch):
                    tokens[ch] = max(tokens[ch], run.count(ch))
        counts.update(tokens)
    return counts


def content_runs(text: str) -> list[str]:
    """The query's runs after stop words: jieba (precise mode) cuts each run, stop-word tokens split
    it, and what is left is joined back into runs ("我想开个小饭馆" → ["想开", "小饭馆"])."""
    out = []
    for run in runs(text):
        # jieba sometimes glues a leading verb to the next word (办公证 → 办公 证, 想开 个): drop it
        while len(run) > 2 and run[0] in _LEADING_STOP:
            run = run[1:]
        current = ""
        for token in jieba().cut(run):
            if token in STOP_WORDS:
                if current:
                    out.append(current)
                current = ""
            else:
                current += token
        if current:
            out.append(current)
    return out


_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_LEADING_STOP = "办要想去在给把请我"


def strip_brackets(value: str) -> str:
    """Text without bracketed parts: "食品(含保健食品)经营许可" → "食品经营许可"."""
    return _BRACKETS.sub("", normalise(value))


def is_ascii_word(text: str) -> bool:
    return bool(_ASCII_WORD.fullmatch(text))
