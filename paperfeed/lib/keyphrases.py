"""Key phrases and a one-line summary of a paper, with no language-model service.

- Candidates: the runs of words between stop words and punctuation in the title and abstract
  (a noun phrase in scientific English is nearly always such a run: "sparse mixture of experts"
  is cut at "of" into "sparse mixture" and "experts"), one to four words, math and numbers left
  out. The most promising (in the title, frequent, longer) are kept for ranking.
- Ranking (`phrases_rank`): cosine between each candidate's embedding and the paper's, with
  maximal marginal relevance so that the phrases chosen do not repeat each other (KeyBERT's
  method), 3 to 6 per paper.
- Summary (`central_sentence`): the abstract's most central sentence, extracted as it stands:
  the one whose words overlap most with the other sentences' (LexRank's idea, on plain word
  counts; it needs no model at all).
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = _words(
    """a about above after again against all also an and any are as at be been before being
    below between both but by can could did do does doing down during each either few for
    from further had has have having here how however i if in into is it its itself just may
    me might more most much must my no nor not now of off on once only or other our ours out
    over own per same should so some such than that the their theirs them then there these
    they this those through thus to too under until up upon very via was we were what when
    where whether which while who whom why will with within without would yet you your
    across including among along toward towards beyond despite"""
)
# Words about the paper itself rather than its subject: trimmed from the ends of a phrase and
# never a phrase alone ("the proposed method").
GENERIC = _words(
    """approach approaches based challenge challenges effective efficient existing experiment
    experiments extensive further great improved key large new novel paper performance
    problem problems proposed result results significant significantly simple state study
    various well work works art different first second many several often high better strong
    recent current common typical specific comprehensive extensive robust crucial critical
    important promising superior remarkable competitive substantial notable core"""
)
# Nouns that head a phrase ("retrieval model") but say nothing alone.
WEAK_HEADS = _words(
    """method methods model models framework frameworks task tasks technique techniques
    benchmark benchmarks system systems data dataset datasets algorithm algorithms network
    networks architecture architectures pipeline module modules strategy strategies setting
    settings analysis"""
)
# Verbs common in abstracts, in every form: a part-of-speech tagger's job, done by a list so
# that no model needs downloading. They end a phrase like a stop word.
_VERB_STEMS = _words(
    """propose present introduce leverage evaluate generate enable reveal achieve require
    enhance demonstrate outperform develop design analyze analyse investigate explore
    address provide apply maintain consume derive boost underscore highlight combine realize
    uncover teach secure detail remain focus allow capture yield reduce improve obtain
    extend adopt exploit utilize employ incorporate integrate compare perform conduct
    observe find suggest indicate lack fail face ensure establish identify mitigate tackle
    solve handle support offer bring make take give show consider aim seek call need rely
    produce refine surpass exceed release contain involve describe discuss examine measure
    predict construct compute estimate explain represent study use"""
)


def _verb_forms(stem: str) -> set[str]:
    base = stem[:-1] if stem.endswith("e") else stem
    forms = {stem, stem + "s", stem + "es", base + "ed", stem + "d", base + "ing"}
    if stem.endswith("y"):
        forms |= {stem[:-1] + "ies", stem[:-1] + "ied"}
    return forms


VERBS = frozenset(form for stem in _VERB_STEMS for form in _verb_forms(stem)) - {"study"}
NOT_ADVERBS = _words("""family anomaly assembly supply italy poly reply apply only""")
NUMBERS = _words("""one two three four five six seven eight nine ten hundred thousand""")
_MATH = re.compile(r"\$[^$]*\$|\\\w+(?:\{[^}]*\})?")
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+\.(?:com|org|io|net)/\S*", re.IGNORECASE)
_SPLIT = re.compile(r"[.,;:!?()\[\]{}\"“”‘’/|=<>+*&%#@~^]|\s[-–—]+\s|\s'|'\s")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9\-']*[A-Za-z0-9]|[A-Za-z]")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "cf.", "Fig.", "Eq.")
MAX_WORDS = 4
PHRASES_MIN, PHRASES_MAX = 3, 6


def phrase_candidates(title: str, abstract: str, *, limit: int = 24) -> list[str]:
    """The candidate phrases of a paper, the most promising first (at most `limit`)."""
    counts: Counter[str] = Counter()
    spelled: dict[str, str] = {}
    in_title: set[str] = set()
    first_seen: dict[str, int] = {}
    for field, text in (("title", title), ("abstract", abstract)):
        for phrase in _phrases(text):
            key = phrase.lower()
            counts[key] += 1
            spelled.setdefault(key, phrase)
            first_seen.setdefault(key, len(first_seen))
            if field == "title":
                in_title.add(key)
    # A word alone counts only when it is an acronym or name, or comes back.
    for key in list(counts):
        phrase = spelled[key]
        if " " not in phrase and counts[key] < 2 and sum(c.isupper() for c in phrase) < 2:
            del counts[key]

    def promise(key: str) -> tuple[float, int]:
        words = key.count(" ") + 1
        score = counts[key] + (2.0 if key in in_title else 0.0) + 0.5 * min(words, 3)
        return (-score, first_seen[key])

    ranked = sorted(counts, key=promise)
    return [spelled[key] for key in ranked[:limit]]


def _phrases(text: str) -> list[str]:
    text = _URL.sub(" . ", _MATH.sub(" . ", text or ""))
    found = []
    for chunk in _SPLIT.split(text):
        run: list[str] = []
        for token in chunk.split():
            word = token.strip("'-")
            lowered = word.lower()
            if (
                not _WORD.fullmatch(word)
                or lowered in STOP_WORDS
                or lowered in VERBS
                or lowered in NUMBERS
                or (lowered.endswith("ly") and word.islower() and lowered not in NOT_ADVERBS)
            ):
                found += _runs(run)
                run = []
            else:
                run.append(word)
        found += _runs(run)
    return found


def _runs(words: list[str]) -> list[str]:
    """A run of content words as a phrase: generic words trimmed from its ends, at most
    MAX_WORDS words (the last ones: they hold the head noun). One word alone must be a name or
    an acronym ("Transformer", "NeRF") or a word of substance, not a weak head."""
    while words and words[0].lower() in GENERIC | WEAK_HEADS:
        words = words[1:]
    while words and words[-1].lower() in GENERIC:
        words = words[:-1]
    if not words:
        return []
    words = words[-MAX_WORDS:]
    phrase = " ".join(words)
    if len(words) == 1:
        word = words[0]
        if word.lower() in WEAK_HEADS or len(word) < 3 or word.endswith("ing") and word.islower():
            return []
    return [phrase]


def phrases_rank(
    candidates: list[str],
    candidate_vectors: np.ndarray,
    paper_vector: np.ndarray,
    *,
    top: int = PHRASES_MAX,
    diversity: float = 0.5,
    floor: float = 0.25,
) -> list[str]:
    """Maximal marginal relevance over unit vectors: each pick is the candidate most similar to
    the paper less `diversity` times its similarity to the closest phrase already picked.
    Candidates below `floor` are dropped once PHRASES_MIN are picked; a phrase contained in one
    already picked (or containing it) is skipped."""
    if not candidates:
        return []
    relevance = candidate_vectors @ paper_vector
    between = candidate_vectors @ candidate_vectors.T
    picked: list[int] = []
    left = list(range(len(candidates)))
    while left and len(picked) < top:
        if picked:
            redundancy = between[np.ix_(left, picked)].max(axis=1)
            scores = (1 - diversity) * relevance[left] - diversity * redundancy
        else:
            scores = relevance[left]
        best = left[int(np.argmax(scores))]
        left.remove(best)
        if len(picked) >= PHRASES_MIN and relevance[best] < floor:
            break
        lowered = candidates[best].lower()
        if any(
            lowered in candidates[p].lower() or candidates[p].lower() in lowered for p in picked
        ):
            continue
        picked.append(best)
    return [candidates[i] for i in picked]


def sentences(abstract: str) -> list[str]:
    """The abstract's sentences (abbreviations like "e.g." do not end one)."""
    text = " ".join((abstract or "").split())
    for n, abbreviation in enumerate(_ABBREVIATIONS):
        text = text.replace(abbreviation, f"\x00{n}\x00")
    parts = _SENTENCE_END.split(text)
    restored = []
    for part in parts:
        for n, abbreviation in enumerate(_ABBREVIATIONS):
            part = part.replace(f"\x00{n}\x00", abbreviation)
        if part.strip():
            restored.append(part.strip())
    return restored


def central_sentence(abstract: str, *, max_chars: int = 300) -> str:
    """The sentence that shares most words with the rest of the abstract (cosine of word
    counts, summed over the other sentences); ties go to the earlier sentence. Sentences
    longer than `max_chars` or shorter than five words are passed over while others exist."""
    found = sentences(abstract)
    if not found:
        return ""
    bags = [_bag(sentence) for sentence in found]
    norms = [math.sqrt(sum(v * v for v in bag.values())) or 1.0 for bag in bags]
    best, best_score = 0, -1.0
    for i, bag in enumerate(bags):
        fits = len(found[i]) <= max_chars and len(found[i].split()) >= 5
        score = sum(
            sum(count * bags[j].get(word, 0) for word, count in bag.items()) / (norms[i] * norms[j])
            for j in range(len(bags))
            if j != i
        )
        if not fits:
            score -= 1_000.0  # chosen only when no sentence fits
        if score > best_score:
            best, best_score = i, score
    return found[best]


def _bag(sentence: str) -> Counter[str]:
    return Counter(
        word.lower()
        for word in _WORD.findall(_MATH.sub(" ", sentence))
        if word.lower() not in STOP_WORDS and word.lower() not in GENERIC
    )
