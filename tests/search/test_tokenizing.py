"""The chunk-cache tokenizer gives exactly the model tokenizer's ids, on real and awkward text."""

from __future__ import annotations

import gzip
import itertools
import json

import pytest
from tokenizers import Tokenizer

from paperfeed.search import tokenizing
from paperfeed.search.embedding import DEFAULT_MODEL, model_source, paper_text
from paperfeed.search.tokenizing import WordPieceCache, bert_layout
from tests.support import SHARED_DATA

SAMPLE = SHARED_DATA / "arxiv" / "arxiv-sample-75k.jsonl.gz"

AWKWARD = [
    "",
    "   \t\n  ",
    "Attention Is All You Need",
    "BERT: Pre-training of Deep Bidirectional Transformers (2018)!!",
    "e-mail: someone@example.org, see https://arxiv.org/abs/1706.03762v5?x=1&y=[2]",
    'We prove $\\mathbb{R}^n \\to \\{0,1\\}$ with $O(n \\log n)$ ~ 3.14159 ... "quoted" `code`',
    "tabs\tand\nnew lines\r\nand  double  spaces",
    "vertical\x0btab and form\x0cfeed join words; so do\x00nul and del\x7fete",
    "Schrödinger's café — naïve Ünïcödé, 日本語の論文, emoji 🚀 and Ωmega",
    "a [MASK] token, a [CLS] and [SEP] written out, and [unk] lower-cased, [Mask] mixed",
    "[brackets] that are [not] special [PAD",
    "x" * 99,
    "y" * 100,
    "z" * 101 + " short " + "w" * 250,
    "UPPER lower MiXeD CaSe WORDS",
    "under_score snake_case_name __dunder__ a_b",
    " ".join(f"word{i}" for i in range(400)),  # truncated in the middle of the text
    " ".join(["antidisestablishmentarianism"] * 200),  # many pieces per chunk, truncated
    "!!!???...,,,;;;:::---(((" * 30,
]


@pytest.fixture(scope="module")
def model_tokenizer() -> Tokenizer:
    source = model_source(DEFAULT_MODEL)
    return source.tokenizer()


@pytest.fixture(scope="module")
def cache(model_tokenizer: Tokenizer) -> WordPieceCache:
    return WordPieceCache(model_tokenizer, model_source(DEFAULT_MODEL).max_tokens)


def test_awkward_texts_get_the_model_ids(model_tokenizer: Tokenizer, cache: WordPieceCache) -> None:
    for text in AWKWARD:
        assert cache.encode(text) == model_tokenizer.encode(text).ids, repr(text)


def test_long_texts_are_truncated_like_the_model(cache: WordPieceCache) -> None:
    ids = cache.encode(" ".join(f"word{i}" for i in range(400)))
    assert len(ids) == cache.max_tokens == 256
    assert ids[0] == cache.first and ids[-1] == cache.last


def test_real_abstracts_get_the_model_ids(
    model_tokenizer: Tokenizer, cache: WordPieceCache
) -> None:
    if not SAMPLE.is_file():
        pytest.fail(f"the shared sample {SAMPLE} is missing")
    texts = []
    with gzip.open(SAMPLE, "rt") as lines:
        for line in itertools.islice(lines, 3000):
            record = json.loads(line)
            texts.append(paper_text(" ".join(record["title"].split()), record["abstract"]))
    expected = [e.ids for e in model_tokenizer.encode_batch(texts)]
    assert cache.encode_batch(texts) == expected
    assert cache.encode_batch(texts) == expected  # again, now from the cache
    assert any(not t.isascii() for t in texts)  # the fallback was exercised too


def test_a_full_cache_starts_again(
    model_tokenizer: Tokenizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tokenizing, "CACHE_LIMIT", 8)
    small = WordPieceCache(model_tokenizer, 256)
    for text in AWKWARD + AWKWARD:
        assert small.encode(text) == model_tokenizer.encode(text).ids
    assert len(small.cache) <= 8 + 256


def test_other_tokenizers_are_refused(model_tokenizer: Tokenizer) -> None:
    spec = json.loads(model_tokenizer.to_str())
    assert bert_layout(spec) == (True, 101, 102)
    assert bert_layout({**spec, "pre_tokenizer": {"type": "Metaspace"}}) is None
    assert bert_layout({**spec, "normalizer": {"type": "NFKC"}}) is None
    other = Tokenizer.from_str(json.dumps({**spec, "pre_tokenizer": {"type": "Whitespace"}}))
    with pytest.raises(ValueError, match="not a BERT"):
        WordPieceCache(other, 256)
