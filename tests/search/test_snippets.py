"""Abstract snippets with the query's words marked."""

from __future__ import annotations

from paperfeed.search.snippets import query_stems, snippet

ABSTRACT = (
    "We study generative models. " * 8
    + "Score matching enables fast diffusion distillation of large diffusion models. "
    + "Experiments follow. " * 10
)


def test_it_marks_words_by_stem_and_centres_on_the_matches() -> None:
    pieces = snippet(ABSTRACT, query_stems(["diffusion", "distilled"]), max_chars=160)
    marked = [text for text, hit in pieces if hit]
    assert marked == ["diffusion", "distillation", "diffusion"]
    assert pieces[0] == ("… ", False) and pieces[-1] == (" …", False)
    assert sum(len(t) for t, _ in pieces) <= 170


def test_without_matches_it_shows_the_beginning() -> None:
    pieces = snippet(ABSTRACT, query_stems(["quantum"]), max_chars=100)
    assert pieces[0][0].startswith("We study") and not any(hit for _, hit in pieces)


def test_a_short_text_is_kept_whole() -> None:
    pieces = snippet("Diffusion <b>models</b>", query_stems(["model"]))
    assert "".join(t for t, _ in pieces) == "Diffusion <b>models</b>"
    assert [t for t, hit in pieces if hit] == ["models"]


def test_only_whole_words_are_marked_whatever_their_case() -> None:
    text = "Transformers transform. A retransformation is not a Transformer; TRANSFORMS are."
    marked = [t for t, hit in snippet(text, query_stems(["transformer"])) if hit]
    assert marked == ["Transformers", "transform", "Transformer", "TRANSFORMS"]  # one stem
    assert [t for t, hit in snippet(text, query_stems(["are"])) if hit] == ["are"]


def test_query_words_of_regex_metacharacters_or_nothing_mark_nothing() -> None:
    text = "C++ and (a|b)* patterns in a.b code"
    assert snippet(text, query_stems(["+*|()", "."])) == [(text, False)]
    assert [t for t, hit in snippet(text, query_stems(["(a|b)*"])) if hit] == ["a", "b", "a", "b"]
    assert snippet(text, frozenset()) == [(text, False)]
    assert [t for t, hit in snippet(text, query_stems(["code"])) if hit] == ["code"]
