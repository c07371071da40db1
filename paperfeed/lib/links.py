"""Find the links in a paper's arXiv metadata: code, demos, models, datasets, DOIs, project pages.

arXiv abstracts and comments are typed by hand, often pasted from a PDF, and wrapped at 80 columns,
so a URL arrives in pieces: `https: //github. com/x/y`, `github.com/x/KD- OCT`, `\\href{..}{..}`,
`\\_` for `_`, a sentence's full stop glued to its end. `links_find` puts the pieces back together,
normalises each URL to one canonical form and sorts it into a kind. It also marks the paper's own
code repository (`primary`), judged from the words before each link: "our code is available at"
counts for it, "built on" or "we use" against it. Pure Python, no Django, no network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

KINDS = ("code", "demo", "project", "model", "dataset", "doi")
SOURCES = ("abstract", "comments", "journal_ref")


@dataclass(frozen=True)
class Link:
    """One link. `url` is canonical; `repo` is "owner/name" for code, demo, model, dataset links
    (for GitLab, the whole project path, subgroups included)."""

    kind: str
    url: str
    source: str
    repo: str = ""
    primary: bool = False


# Cleaning -------------------------------------------------------------------------------------
_LATEX_CHARS = (
    ("\\textasciitilde{}", "~"),
    ("\\textasciitilde", "~"),
    ("$\\sim$", "~"),
    ("{\\sim}", "~"),
    ("\\~{}", "~"),
    ("\\~", "~"),
    ("\\_", "_"),
    ("\\%", "%"),
    ("\\#", "#"),
    ("\\&", "&"),
)
_GLUED_COMMAND = re.compile(r"\\[A-Za-z]+?(?=https?:)")  # \noindenthttps://...
_COMMAND = re.compile(r"\\[A-Za-z]+\*?|\\\\")
# A field without any of these holds no link; most fields have none, and `in` is quick.
_HINTS = ("http", "www.", "github", "gitlab", "huggingface", "hf.co", "bitbucket", "codeberg",
          "doi:", "doi :", "doi.org", ".io")  # fmt: skip


def _hinted(lowered: str) -> bool:
    """Whether a lower-cased field holds one of _HINTS; spelled out, as `or` of `in` tests runs
    twice as fast as any() over them, and this runs on every field of every paper."""
    return (
        "http" in lowered or "www." in lowered or "github" in lowered or "gitlab" in lowered
        or "huggingface" in lowered or "hf.co" in lowered or "bitbucket" in lowered
        or "codeberg" in lowered or "doi:" in lowered or "doi :" in lowered
        or "doi.org" in lowered or ".io" in lowered
    )  # fmt: skip


def _clean(text: str) -> str:
    """LaTeX escapes become their characters and commands become spaces; braces stay, so that
    `\\href{url}{text}` leaves `{url}{text}` and the `}` ends the URL."""
    for latex, char in _LATEX_CHARS:
        text = text.replace(latex, char)
    text = _GLUED_COMMAND.sub(" ", text)
    return _COMMAND.sub(" ", text)


# Scanning -------------------------------------------------------------------------------------
def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


_WS = r"[ \t]*(?:\n[ \t]*)?"  # a break inside a URL: spaces, at most one newline
_START = re.compile(
    rf"(?P<scheme>\bhttps?{_WS}:{_WS}/{_WS}/{_WS})"
    rf"|(?P<doi>\bdoi{_WS}:{_WS}(?=10\.\d))"
    r"|(?<![\w@.\-/])(?P<bare>www\.|(?:gist\.)?github ?\. ?com/|gitlab\.com/|bitbucket\.org/"
    r"|codeberg\.org/|huggingface\.co/|hf\.co/|(?:dx\.)?doi\.org/"
    r"|[a-z0-9][\w-]*\.git(?:hub|lab)\.io\b)",
    re.IGNORECASE,
)
_BODY = re.compile(r"[A-Za-z0-9\-._~:/?#@!&()*+,;=%]+")
_GAP = re.compile(_WS)
_HOST_TAIL = re.compile(r"(?:[a-z0-9-]+\.)*[a-z]{2,6}/")  # "com/x/y" after "https://github."
_NAME_START = re.compile(r"[A-Za-z0-9]")
_TRAILING = ".,;:!?*'"
# Words that follow "github.com/owner/" in a sentence rather than finish the URL.
_STOPWORDS = _wordset(
    "a an and or to for in on at with the soon upon after once which where when as by under from "
    "is are was will be this that our we it its via see also please here more code data etc"
)
_CODE_HOSTS = frozenset(
    {"github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "huggingface.co", "hf.co"}
)


def _host_and_path(url: str) -> tuple[str, str]:
    rest = url.split("://", 1)[-1]
    host, _, path = rest.partition("/")
    return host.lower().removeprefix("www."), path


def _joins(url: str, token: str) -> bool:
    """Whether `token`, after a space or line break, continues the URL broken before it."""
    if not _NAME_START.match(token):
        return False
    host, path = _host_and_path(url)
    if url.endswith((".", "-", "_")) and "/" not in url.split("://", 1)[-1]:
        # "https://github." + "com/x/y"; "https://4d-" + "visual.github.io/"
        return url.endswith(("-", "_")) or bool(_HOST_TAIL.match(token))
    if url.endswith(("-", "_")):  # ".../KD-" + "OCT", ".../dynamic_" + "ETF2"
        return True
    if url.endswith("/") and host in _CODE_HOSTS:
        segments = [s for s in path.split("/") if s]
        word = token.rstrip(_TRAILING + ")").lower()
        # "github.com/" + "owner/name"; "github.com/owner/" + "name", not + "soon."
        return len(segments) <= 1 and word not in _STOPWORDS
    return False


def _strip(url: str) -> str:
    while url:
        if url[-1] in _TRAILING or (url[-1] == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            break
    return url


# Every match of _START begins with one of these (lower-cased), or is a "name.github.io" whose
# name runs back from a ".git". _START tries its dozen alternatives at every position of a
# field, which made it a fifth of a snapshot import's preparing time; str.find skips the
# stretches where none of these occurs, and _START then runs from the first one on.
_LITERALS = ("http", "doi", "www.", "gist.", "github", "gitlab", "bitbucket", "codeberg",
             "huggingface", "hf.co", "dx.")  # fmt: skip


def _first_start(text: str, lowered: str | None, pos: int) -> re.Match[str] | None:
    """`_START.search(text, pos)`, sooner: no match can begin before the first of _LITERALS.

    `lowered` is `text.lower()` when each character lower-cased is one character at the same
    place and no character that matches a letter of _LITERALS only under IGNORECASE (dotless
    i, long s) is there; otherwise None, and the search runs from `pos`.
    """
    if lowered is None:
        return _START.search(text, pos)
    found = [at for literal in _LITERALS if (at := lowered.find(literal, pos)) >= 0]
    git = lowered.find(".git", pos)
    if git >= 0:
        while git > pos and (text[git - 1].isalnum() or text[git - 1] in "_-"):
            git -= 1  # back to the start of the name before it: \w and "-"
        found.append(git)
    return _START.search(text, min(found)) if found else None


def _lowered(text: str) -> str | None:
    lowered = text.lower()
    if len(lowered) != len(text) or "\u0131" in text or "\u017f" in text:
        return None
    return lowered


def _scan(text: str) -> list[tuple[int, int, str]]:
    """(start, end, raw URL) for every URL-like run in cleaned text, pieces rejoined."""
    found: list[tuple[int, int, str]] = []
    pos = 0
    lowered = _lowered(text)
    while match := _first_start(text, lowered, pos):
        body = _BODY.match(text, match.end())
        if body is None:
            pos = match.end()
            continue
        url = re.sub(r"\s+", "", match.group(0)) + body.group(0)
        end = body.end()
        while True:
            gap = _GAP.match(text, end)
            assert gap is not None  # the pattern matches the empty string
            nxt = _BODY.match(text, gap.end()) if gap.end() > end else None
            if nxt is None or not _joins(url, nxt.group(0)):
                break
            url += nxt.group(0)
            end = nxt.end()
        if match.group("doi"):
            url = "https://doi.org/" + url.split(":", 1)[1].strip()
        if not (match.start() and text[match.start() - 1] == "%"):  # a LaTeX comment: %https://
            found.append((match.start(), end, _strip(url)))
        pos = end
    return found


# Normalising ----------------------------------------------------------------------------------
_HOST = re.compile(
    r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,}$"
)
_OWNER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
_TILDE = re.compile("%7e", re.IGNORECASE)
_SKIPPED_HOSTS = ("arxiv.org", "export.arxiv.org")
_BARE_DROPPED = _CODE_HOSTS | {"doi.org", "dx.doi.org", "arxiv.org"}
# First path segments on github.com that are pages of GitHub itself, not users or organisations.
_GITHUB_PAGES = _wordset(
    "about apps collections contact customer-stories enterprise events explore features login "
    "marketplace new notifications orgs pricing pulls readme search security settings site "
    "sponsors team topics trending"
)
# ... and on huggingface.co, pages that are not "owner/name" models.
_HF_PAGES = _wordset(
    "api blog changelog chat collections competitions course datasets docs enterprise join learn "
    "login models new organizations papers posts pricing privacy pro search settings spaces tasks "
    "terms-of-service welcome"
)
# GitLab project paths end where "/-/" or an old-style page name begins.
_GITLAB_TAILS = _wordset("- blob tree raw issues merge_requests commits commit wikis releases tags")


def url_normalise(raw: str) -> tuple[str, str, str] | None:
    """(kind, canonical url, repo) for a raw URL, or None when it is no link worth keeping."""
    if "://" not in raw:
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
    except ValueError:
        return None
    host = parts.hostname or ""
    if host.removeprefix("www.") in _BARE_DROPPED or host.startswith("www.git"):
        host = host.removeprefix("www.")  # www.github.com; other sites keep their www.
    if not _HOST.match(host) or host in _SKIPPED_HOSTS or host.endswith(".arxiv.org"):
        return None
    path = _TILDE.sub("~", parts.path)  # ~user pages, typed as %7E
    segments = [s for s in path.split("/") if s]
    if not segments:
        return None if host in _BARE_DROPPED else ("project", f"https://{host}", "")
    if host == "hf.co":
        host = "huggingface.co"
    if host in ("github.com", "bitbucket.org", "codeberg.org"):
        return _owner_name(host, segments)
    if host == "raw.githubusercontent.com":
        return _owner_name("github.com", segments)
    if host == "gitlab.com" or host.startswith("gitlab."):
        return _gitlab(host, segments)
    if host == "huggingface.co":
        return _huggingface(segments)
    if host in ("doi.org", "dx.doi.org"):
        doi = "/".join(segments)
        return ("doi", f"https://doi.org/{doi}", "") if doi.startswith("10.") else None
    query = f"?{parts.query}" if parts.query else ""
    return "project", f"https://{host}/{'/'.join(segments)}{query}", ""


def _owner_name(host: str, segments: list[str]) -> tuple[str, str, str] | None:
    owner = segments[0]
    if not _OWNER.match(owner):
        return None
    if len(segments) == 1 or (host == "github.com" and owner.lower() in _GITHUB_PAGES):
        return "project", f"https://{host}/{'/'.join(segments)}", ""
    name = segments[1].removesuffix(".git")
    if not _NAME.match(name) or name in (".", ".."):
        return "project", f"https://{host}/{owner}", ""
    return "code", f"https://{host}/{owner}/{name}", f"{owner}/{name}"


def _gitlab(host: str, segments: list[str]) -> tuple[str, str, str] | None:
    project: list[str] = []
    for segment in segments:
        if segment in _GITLAB_TAILS:
            break
        project.append(segment)
    if project:
        project[-1] = project[-1].removesuffix(".git")
    if not project or not all(_OWNER.match(s) for s in project):
        return None
    path = "/".join(project)
    if len(project) == 1:
        return "project", f"https://{host}/{path}", ""  # a group or a user
    return "code", f"https://{host}/{path}", path


def _huggingface(segments: list[str]) -> tuple[str, str, str]:
    first = segments[0]
    if first in ("spaces", "datasets") and len(segments) >= 3:
        repo = f"{segments[1]}/{segments[2]}"
        kind = "demo" if first == "spaces" else "dataset"
        return kind, f"https://huggingface.co/{first}/{repo}", repo
    if first not in _HF_PAGES and len(segments) >= 2:
        repo = f"{first}/{segments[1]}"
        return "model", f"https://huggingface.co/{repo}", repo
    return "project", "https://huggingface.co/" + "/".join(segments), ""


# Primary repository ---------------------------------------------------------------------------
# A sentence ends at . ! ? ; | (not in "e.g.", "et al.", ...) or at a blank line. The mark
# first, then what comes before it: seven look-behinds tried at every character cost more.
_BOUNDARY = re.compile(
    r"[.!?;|](?<!e\.g.)(?<!i\.e.)(?<! al.)(?<!\bvs.)(?<!\bcf.)(?<!Fig.)(?<!\bEq.)(?=\s|[A-Z]|$)"
    r"|\n[ \t]*\n"
)
# Phrases that say "this is someone else's": the paper builds on it, uses it, compares with it.
_AGAINST = re.compile(
    r"(?i)\b(?:(?:provided|maintained|developed|released)\s+by\s+the\s+(?:open[- ]source\s+)?"
    r"community|(?:built|builds?|building)\s+(?:up)?on|based\s+on|adapted\s+from|borrowed\s+from"
    r"|forked\s+from|fork\s+of|derived\s+from|on\s+top\s+of|we\s+(?:use|used|adopt|adopted"
    r"|employ|employed|utili[sz]e|utili[sz]ed|leverage|leveraged|follow|followed|reuse|reused)"
    r"|such\s+as|e\.g\.|compared?\s+(?:with|to|against)|(?:provided|developed|maintained)\s+by"
    r"|courtesy\s+of|thanks\s+to|third[- ]party|pull\s+request|unofficial)\b|\be\.g\."
)
# Words that say "this is ours": authors presenting, releasing or pointing at something...
_RELEASED = re.compile(
    r"(?i)\b(?:our|release[ds]?|releasing|open[- ]?sourc\w*|publicly|available|availability"
    r"|accessible|publish\w*|share[ds]?|provided?s?|hosted|found|accessed|download\w*"
    r"|maintain\w*|visit|see|check\s+out|here|propos\w*|present\w*|introduc\w*|develop\w*"
    r"|creat\w*|build|built)\b"
)
# ... and nouns that name what a link holds, weaker: "we use the toolkit from" is not ours.
_NAMED = re.compile(
    r"(?i)\b(?:code|codes|codebase|source|implementations?|repositor(?:y|ies)|repo|github|gitlab"
    r"|project|page|homepage|website|webpage|toolkit|library|package|benchmark|datasets?|data"
    r"|models?|weights|checkpoints|resources|link|url)\b"
)
_NEAR = 60  # characters: how far before a link a third-party phrase can be about the link
_BRACKETS = " \t\n{}[]()$"
_OWN_WORDING = re.compile(r"(?i)\b(?:code|codes|source|implementation|our|official)\b")
_NOT_A_HOME = re.compile(r"/(?:pull|pulls|issues|commit|commits|compare)/")


@dataclass(frozen=True)
class _Seen:
    """A code link where it was seen, with the words before it in its sentence."""

    url: str
    raw: str
    before: str  # the sentence up to the link, other URLs masked
    anchor: str  # the text of \\href{url}{text}
    alone: bool  # first on its line, or last in its field
    source: str


def _sentence_before(text: str, start: int, spans: list[tuple[int, int, str]]) -> str:
    """The sentence before a link; the one before that if the link opens it, as a footnote
    does: "Our code is available.\\footnote{https://...}"."""
    offset = max(0, start - 400)
    head = text[offset:start]
    for s, e, _ in reversed(spans):  # mask earlier URLs: their dots are no sentence ends
        if offset < e <= start:
            head = head[: max(0, s - offset)] + " ~ " + head[e - offset :]
    ends = [m.end() for m in _BOUNDARY.finditer(head)]
    if len(ends) >= 2 and not head[ends[-1] :].strip(_BRACKETS):
        return head[ends[-2] :]
    return head[ends[-1] :] if ends else head


def _anchor(text: str, end: int) -> str:
    """The link text of \\href{url}{text}, which the cleaning left as "{url}{text}"; nothing
    when that text is the URL again."""
    if not text.startswith("}{", end):
        return ""
    depth = 0
    for i, char in enumerate(text[end + 2 : end + 160]):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            anchor = text[end + 2 : end + 2 + i]
            return "" if _START.search(anchor) else anchor
    return ""


def _verdict(seen: _Seen) -> str:
    """'own', 'other' or 'unknown'. A third-party phrase ("built on", "we use") wins unless an
    author's release words follow it: "We use public data, and release our model at"."""
    if _NOT_A_HOME.search(seen.raw):
        return "other"  # a pull request or an issue in someone else's repository
    words = f"{seen.before} {seen.anchor}"  # \\href{https://github.com/..}{our code}
    near = len(seen.before) - _NEAR  # "compared with X" far before the link is about X
    against = [m.end() for m in _AGAINST.finditer(words) if m.end() >= near]
    if against and not any(m.end() > against[-1] for m in _RELEASED.finditer(words)):
        return "other"
    if _RELEASED.search(words) or _NAMED.search(words):
        return "own"
    return "own" if seen.alone or seen.source == "comments" else "unknown"


def _primary_url(seen: list[_Seen]) -> str | None:
    verdicts: dict[str, list[str]] = {}
    wording: dict[str, bool] = {}
    for s in seen:
        verdicts.setdefault(s.url, []).append(_verdict(s))
        wording[s.url] = wording.get(s.url, False) or bool(_OWN_WORDING.search(s.before))
    own = [url for url, v in verdicts.items() if "own" in v]  # dicts keep first-seen order
    if not own:
        return None
    return next((url for url in own if wording[url]), own[0])


# The API --------------------------------------------------------------------------------------
def links_find(*, abstract: str = "", comments: str = "", journal_ref: str = "") -> list[Link]:
    """Every link in the three fields, deduplicated by url (the first source wins, in the order
    abstract, comments, journal_ref), in order of appearance; at most one code link has
    primary=True."""
    links: dict[str, Link] = {}
    seen: list[_Seen] = []
    for source, field in zip(SOURCES, (abstract, comments, journal_ref), strict=True):
        lowered = field.lower()
        if not _hinted(lowered):
            continue
        text = _clean(field)
        spans = _scan(text)
        for start, end, raw in spans:
            found = url_normalise(raw)
            if found is None:
                continue
            kind, url, repo = found
            key = url.lower() if kind != "project" else url
            if key not in links:
                links[key] = Link(kind=kind, url=url, source=source, repo=repo)
            if kind == "code":
                line_start = text.rfind("\n", 0, start) + 1
                alone = not text[line_start:start].strip(_BRACKETS) or not text[end:].strip(
                    _BRACKETS + "."
                )
                before = _sentence_before(text, start, spans)
                anchor = _anchor(text, end)
                seen.append(_Seen(links[key].url, raw, before, anchor, alone, source))
    primary = _primary_url(seen)
    return [replace(link, primary=True) if link.url == primary else link for link in links.values()]


def primary_repository(links: list[Link]) -> Link | None:
    """The paper's own code repository among `links`, or None."""
    return next((link for link in links if link.primary), None)
