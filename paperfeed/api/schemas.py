"""The shapes the API answers and accepts. Field names follow Hugging Face's papers API
(`publishedAt`, `numComments`, `submittedOnDailyBy`, ...), so that code written for it reads
paperfeed unchanged; fields of paperfeed's own are added beside them, never instead."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, StrictBool
from pydantic.config import JsonDict

from paperfeed.accounts.models import SavedSearch as SavedSearchModel
from paperfeed.api.constraints import ARXIV_ID_PATTERN, NO_NUL_PATTERN, NOT_BLANK_PATTERN
from paperfeed.community.models import Comment as CommentModel

# Patterns that the services check, with a 400 whose message says what to send instead (which
# pydantic's 422 would not: it quotes the pattern); declared here for the schema only.
ARXIV_ID: JsonDict = {"pattern": ARXIV_ID_PATTERN}
NOT_BLANK: JsonDict = {"pattern": NOT_BLANK_PATTERN}
NO_NUL: JsonDict = {"pattern": NO_NUL_PATTERN}


class Problem(Schema):
    """An error, as RFC 9457 problem details (`application/problem+json`)."""

    type: str = Field("about:blank", description="A URI naming the kind of problem.")
    title: str = Field(..., description="The HTTP status phrase, e.g. 'Not Found'.")
    status: int = Field(..., description="The HTTP status code.")
    detail: str = Field(..., description="What went wrong and what to do about it.")
    instance: str | None = Field(None, description="The path of the request that failed.")
    error: str = Field(..., description="The detail again, for Hugging Face's client.")
    errors: list[FieldError] | None = Field(
        None, description="For invalid input (422): one entry per invalid parameter or field."
    )


class FieldError(Schema):
    location: str = Field(..., description="Where the value was: query, path, body, header.")
    field: str = Field(..., description="The parameter or field name.")
    message: str = Field(..., description="What is wrong with it.")


Problem.model_rebuild()


class Author(Schema):
    name: str = Field(..., description="The author's name as written on the paper.")
    hidden: bool = Field(False, description="Always false (kept for Hugging Face's shape).")


class Submitter(Schema):
    """Who put the paper on a daily list (Hugging Face's `User` shape)."""

    user: str = Field(..., description="The submitter's user name.")
    name: str = Field(..., description="The submitter's user name (older Hugging Face field).")
    fullname: str = Field(..., description="The name shown for the submitter.")
    avatarUrl: str = Field("", description="Always empty: paperfeed keeps no avatars.")
    type: str = Field("user", description="Always 'user'.")


# Hugging Face's fields about a paper's code and content, on paper objects and again on list
# items (where huggingface_hub's PaperInfo reads them).
GithubRepo = Annotated[
    str | None,
    Field(
        description="The paper's own code repository (https://github.com/owner/name, or GitLab, "
        "Bitbucket, Codeberg), found in its abstract, comments or journal-ref; null if none."
    ),
]
GithubStars = Annotated[
    int | None,
    Field(description="The repository's stars on GitHub at its last check; null if unknown."),
]
ProjectPage = Annotated[
    str | None, Field(description="The first project page the paper names; null if none.")
]
AiKeywords = Annotated[
    list[str] | None,
    Field(
        description="3 to 6 key phrases from the title and abstract, ranked by the embedding "
        "model (no language-model service); null until `paperfeed index` has described it."
    ),
]
AiSummary = Annotated[
    str | None,
    Field(
        description="The abstract's most central sentence, extracted as written (not "
        "generated); null until described."
    ),
]


class Paper(Schema):
    """A paper with its community signal (the `paper` object of a daily-papers item)."""

    id: str = Field(..., description="The canonical arXiv id, without version.")
    title: str = Field(..., description="The title (LaTeX converted to Unicode).")
    summary: str = Field(..., description="The abstract; inline math stays as $...$.")
    authors: list[Author] = Field(..., description="The authors, in order.")
    publishedAt: datetime | None = Field(
        None, description="When the first version appeared on arXiv (UTC)."
    )
    upvotes: int = Field(..., description="Upvotes: imported from Hugging Face plus cast here.")
    categories: list[str] = Field(..., description="arXiv categories, primary first.")
    arxivUrl: str = Field(..., description="The paper's page on arXiv.")
    pdfUrl: str = Field(..., description="The PDF on arXiv.")
    githubRepo: GithubRepo = None
    githubStars: GithubStars = None
    projectPage: ProjectPage = None
    ai_keywords: AiKeywords = None
    ai_summary: AiSummary = None


class PaperDetail(Paper):
    """One paper (GET /api/papers/{arxiv_id}); Hugging Face's `PaperInfo` reads it."""

    numComments: int = Field(..., description="Comments: imported plus written here.")
    submittedOnDailyAt: datetime | None = Field(
        None, description="When it was featured on a daily list; null if never."
    )
    submittedOnDailyBy: Submitter | None = Field(
        None, description="Who featured it; null if never featured or unknown."
    )
    version: int = Field(..., description="The latest known arXiv version.")
    updatedAt: datetime | None = Field(None, description="When the latest version appeared.")
    doi: str = Field("", description="The DOI of the published version, if any.")
    journalRef: str = Field("", description="The journal reference, if any.")


class DailyPaper(Schema):
    """An item of a paper list (daily papers, trending, search)."""

    paper: Paper = Field(..., description="The paper.")
    title: str = Field(..., description="The paper's title.")
    summary: str = Field(..., description="The paper's abstract.")
    publishedAt: datetime | None = Field(
        None,
        description="When the paper was featured on a daily list (midnight UTC of that day); "
        "for a paper never featured, its arXiv publication time.",
    )
    submittedOnDailyAt: datetime | None = Field(
        None, description="When the paper was featured; null if never."
    )
    submittedBy: Submitter | None = Field(None, description="Who featured it (older field).")
    submittedOnDailyBy: Submitter | None = Field(None, description="Who featured it.")
    numComments: int = Field(0, description="Comments: imported plus written here.")
    thumbnail: str = Field("", description="Always empty: paperfeed has no thumbnails.")
    mediaUrls: list[str] = Field(
        default_factory=list, description="Always empty: paperfeed keeps no media."
    )
    score: float | None = Field(
        None,
        description="paperfeed: the trending score (trending lists) or relevance (search, "
        "similar papers); null on daily lists.",
    )
    githubRepo: GithubRepo = None
    githubStars: GithubStars = None
    projectPage: ProjectPage = None
    ai_keywords: AiKeywords = None
    ai_summary: AiSummary = None


class SubmitIn(Schema):
    arxivId: str = Field(
        ...,
        max_length=300,
        json_schema_extra=ARXIV_ID,
        description="An arXiv id or URL, e.g. 2401.12345, arXiv:2401.12345v2, hep-th/9901001 or "
        "https://arxiv.org/abs/2401.12345.",
    )


class VoteOut(Schema):
    upvoted: bool = Field(..., description="Whether you upvote the paper now.")
    upvotes: int = Field(..., description="The paper's upvotes now.")


class LibraryOut(Schema):
    inLibrary: bool = Field(..., description="Whether the paper is in your library now.")


class CommentIn(Schema):
    body: str = Field(
        ...,
        max_length=CommentModel.MAX_LENGTH,
        json_schema_extra=NOT_BLANK,
        description="The comment, in Markdown (not blank).",
    )


class Comment(Schema):
    id: int = Field(..., description="The comment's number, for editing and deleting it.")
    paperId: str = Field(..., description="The arXiv id of the paper it is about.")
    author: str = Field(..., description="The user name of its author.")
    body: str = Field(..., description="The Markdown as written.")
    html: str = Field(..., description="The Markdown rendered and sanitised.")
    createdAt: datetime = Field(..., description="When it was posted.")
    editedAt: datetime | None = Field(None, description="When it was last edited, if ever.")
    hidden: bool = Field(..., description="Hidden by a moderator (only moderators see these).")


class AlertIn(BaseModel):
    """A plain pydantic model, not ninja's Schema: a Schema body reads the attributes of any
    JSON value, so that `[]` would pass as an alert with every default."""

    model_config = ConfigDict(
        # Email, the feed or both: an alert with neither would reach nobody.
        json_schema_extra={
            "not": {"required": ["feed"],
                    "properties": {"feed": {"const": False}, "email": {"const": False}}}
        }
    )  # fmt: skip

    frequency: Literal["daily", "weekly"] = Field("daily", description="How often news is sent.")
    email: StrictBool = Field(
        False,
        description="Email the new matches (in your digest when you get one, else in one "
        "alerts email per period). Your account's address must confirm first: the answer's "
        "`emailStatus` says whether a link was sent.",
    )
    feed: StrictBool = Field(True, description="List the new matches in a private Atom feed.")


class SavedSearchIn(Schema):
    query: str = Field(
        ...,
        max_length=SavedSearchModel.MAX_QUERY_LENGTH,
        json_schema_extra=NOT_BLANK,
        description="The query, in the search language (not blank).",
    )
    name: str = Field(
        "", max_length=SavedSearchModel.MAX_NAME_LENGTH, json_schema_extra=NO_NUL,
        description="A name; the query itself "
        "(shortened) when empty. Saving under a name you already use replaces that search."
    )  # fmt: skip
    alert: AlertIn | None = Field(
        None, description="Alert me: report the papers that match it from now on."
    )


class Alert(Schema):
    frequency: str = Field(..., description="daily or weekly.")
    email: bool = Field(..., description="Whether new matches are emailed.")
    feed: bool = Field(..., description="Whether new matches go in the private feed.")
    feedUrl: str | None = Field(
        None, description="The private feed (secret: anyone with it reads it); null without one."
    )
    emailStatus: str | None = Field(
        None,
        description="After turning email on: `ready` (your address is confirmed), `asked` (a "
        "confirmation link was sent to it), `limited` (it had this hour's confirmation emails: "
        "ask again later) or `no address` (your account has none).",
    )


class SavedSearch(Schema):
    id: int = Field(..., description="The saved search's number, for deleting it.")
    name: str = Field(..., description="Its name.")
    query: str = Field(..., description="The query.")
    createdAt: datetime = Field(..., description="When it was first saved.")
    alert: Alert | None = Field(None, description="Its alert, when one is on.")
