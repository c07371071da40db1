"""Every `paperfeed COMMAND` that README.md and docs/*.md show is a command that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import get_commands

from paperfeed.cli import GROUPS

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

FENCED = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.M | re.S)
SPAN = re.compile(r"(`+)(.+?)\1", re.S)
# `paperfeed` where a shell would run it: first on a line or in a code span (after a `$ ` prompt
# or VAR=value settings), after `&&`, `||`, `;`, `|`, `(` or systemd's `ExecStart=`, or as the
# installed program (`.venv/bin/paperfeed`) anywhere, as in a crontab line. Elsewhere it is a
# name (`adduser ... paperfeed`, `createdb -O paperfeed paperfeed`). Then the command's word
# (options and placeholders are not words) and the word after it, for two-word verbs.
COMMAND = re.compile(
    r"(?:(?:^|&&|\|\||[;|(]|\bExec[A-Za-z]*=)[ \t]*(?:\$[ \t]+)?(?:[A-Z_][A-Z0-9_]*=\S*[ \t]+)*"
    r"(?:\S*/)?|\S*bin/)paperfeed[ \t]+([a-z][\w-]*)(?:[ \t]+([^\s`]+))?",
    re.M,
)


def code_of(markdown: str) -> list[tuple[int, str]]:
    """The code blocks and code spans of a Markdown text, each with the line it starts on; a
    span broken over lines is joined into one."""
    found, rest = [], markdown
    for block in FENCED.finditer(markdown):
        found.append((markdown.count("\n", 0, block.start(2)) + 1, block.group(2)))
        # Blank the block (keeping its lines) so that its backticks start no span.
        blank = "\n" * block.group(0).count("\n")
        rest = rest[: block.start()] + blank.ljust(len(block.group(0))) + rest[block.end() :]
    for span in SPAN.finditer(rest):
        found.append((rest.count("\n", 0, span.start()) + 1, span.group(2).replace("\n", " ")))
    return found


def commands_in(markdown: str) -> list[tuple[int, str, list[str]]]:
    """(line, what the text says, the management commands it runs) for each `paperfeed ...`."""
    found = []
    for line, code in code_of(markdown):
        for match in COMMAND.finditer(code):
            word, verb = match.group(1), match.group(2) or ""
            at = line + code.count("\n", 0, match.start())
            if word in GROUPS:  # two words (`digest send`, `vectors export|import`)
                verbs = [v for v in re.split(r"\\?\|", verb) if v]
                names = [GROUPS[word].get(v, f"{word} {v}") for v in verbs]
                found.append((at, f"paperfeed {word} {verb}", names))
            else:  # one word; what follows is an argument (`worker status`)
                found.append((at, f"paperfeed {word}", [word]))
    return found


@pytest.mark.parametrize("doc", DOCS, ids=[path.name for path in DOCS])
def test_every_paperfeed_command_a_doc_shows_exists(doc: Path) -> None:
    commands = set(get_commands())
    unknown = [
        f"{doc.relative_to(ROOT)}:{line}: `{shown}`"
        for line, shown, names in commands_in(doc.read_text(encoding="utf-8"))
        if not names or any(name not in commands for name in names)
    ]
    assert not unknown, "not a paperfeed command:\n" + "\n".join(unknown)


def test_the_docs_show_the_commands_they_are_about() -> None:
    found = {name for doc in DOCS for _, _, names in commands_in(doc.read_text()) for name in names}
    assert {"ingest_snapshot", "digest_send", "worker", "serve", "index"} <= found


def test_it_reads_commands_where_a_shell_runs_them_and_nowhere_else() -> None:
    text = """Run `paperfeed digest send|preview`, `paperfeed worker status` or
`.venv/bin/paperfeed ingest
snapshot FILE`; `paperfeed.settings` and `paperfeed --help` name no command.

```sh
adduser --system --home /srv/paperfeed paperfeed
su postgres -c "createdb -O paperfeed paperfeed"
cd /srv/paperfeed && DEBUG=1 .venv/bin/paperfeed serve --port 8000
*/5 * * * * /srv/paperfeed/app/.venv/bin/paperfeed worker --once
ExecStart=/srv/paperfeed/app/.venv/bin/paperfeed sevre
$ paperfeed vectors export|imprt FILE
```
"""
    assert commands_in(text) == [
        (8, "paperfeed serve", ["serve"]),
        (9, "paperfeed worker", ["worker"]),
        (10, "paperfeed sevre", ["sevre"]),
        (11, "paperfeed vectors export|imprt", ["vectors_export", "vectors imprt"]),
        (1, "paperfeed digest send|preview", ["digest_send", "digest_preview"]),
        (1, "paperfeed worker", ["worker"]),
        (2, "paperfeed ingest snapshot", ["ingest_snapshot"]),
    ]
