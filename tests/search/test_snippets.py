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
