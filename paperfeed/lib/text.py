"""Turn the LaTeX-flavoured titles, abstracts and author names of arXiv metadata into Unicode.

Math (``$...$``, ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``) is kept as written because the website
renders it. Outside math a table-driven pass handles what arXiv metadata actually contains:
accents, special letters, escaped symbols, font macros, dashes, quotes and grouping braces.
pylatexenc is consulted only for a text that holds a macro the tables do not know, because it costs
milliseconds per text and the snapshot has millions of them.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

# Math kept as written. A pattern that starts with one literal character is searched for quickly;
# a character class or alternation at the start costs ten times more on a long abstract.
_DOLLAR_MATH = re.compile(r"\$(?:\$(?:\\.|[^$\\])+\$\$|(?:\\.|[^$\\])+\$)", re.DOTALL)
_ANY_MATH = re.compile(
    r"(?P<esc>\\[\\$])|\$\$(?:\\.|[^$\\])+\$\$|\$(?:\\.|[^$\\])+\$"
    r"|\\\((?:\\.|[^\\])*?\\\)|\\\[(?:\\.|[^\\])*?\\\]",
    re.DOTALL,
)
_LETTER = r"(?:\\[ij](?![A-Za-z])|[A-Za-z])"
_BACKSLASH = re.compile(
    r"\\(?:"
    # \'e \'{e} \' e \'\i: accents written with a symbol take a bare letter.
    rf"(?P<sym_accent>['\"`^~=.])\s*(?:\{{\s*(?P<sym_arg>{_LETTER})\s*\}}|(?P<sym_bare>{_LETTER}))"
    # \v{s} \v s: accents written with a letter need braces or a space before their letter.
    rf"|(?P<word_accent>[cvuHkrdb])(?:\s*\{{\s*(?P<word_arg>{_LETTER})\s*\}}|\s+(?P<word_bare>[A-Za-z]))"
    r"|url\s*\{(?P<url>[^{}]*)\}"
    r"|href\s*\{(?P<href>[^{}]*)\}\s*\{(?P<label>[^{}]*)\}"
    r"|(?P<macro>[A-Za-z]+)(?P<args>(?:\{[^{}]*\})*)(?P<space>\s*)"
    r"|(?P<control>.|$))",
    re.DOTALL,
)
_DASHES = re.compile(r"--+")
_TILDE = re.compile(r"~")
# Characters the passes after the backslash pass would change ("\{" must stay a brace), held as
# private-use characters until the text is done.
_HOLD = str.maketrans({"{": "\ue000", "}": "\ue001", "~": "\ue002"})
_RELEASE = str.maketrans({"\ue000": "{", "\ue001": "}", "\ue002": "~"})

_COMBINING = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a", "d": "\u0323", "b": "\u0331",
}  # fmt: skip
_LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ", "oe": "œ",
    "OE": "Œ", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "DH": "Ð", "dh": "ð", "TH": "Þ",
    "th": "þ", "NG": "Ŋ", "ng": "ŋ", "DJ": "Đ", "dj": "đ",
}  # fmt: skip
_SYMBOLS = {
    "ldots": "…", "dots": "…", "textellipsis": "…", "textendash": "–", "textemdash": "—",
    "S": "§", "P": "¶", "copyright": "©", "textcopyright": "©", "textregistered": "®",
    "texttrademark": "™", "textdegree": "°", "pounds": "£", "textbackslash": "\\",
    "textasciitilde": "\ue002", "textunderscore": "_", "textbar": "|", "textless": "<",
    "textgreater": ">", "textbullet": "•", "dag": "†", "ddag": "‡", "textquoteleft": "‘",
    "textquoteright": "’", "textquotedblleft": "“", "textquotedblright": "”", "LaTeX": "LaTeX",
    "TeX": "TeX", "BibTeX": "BibTeX", "deg": "°", "pm": "±", "mp": "∓", "times": "×",
    "approx": "≈", "sim": "∼", "leq": "≤", "geq": "≥", "le": "≤", "ge": "≥", "neq": "≠",
    "infty": "∞", "cdot": "·", "to": "→", "rightarrow": "→", "leftarrow": "←", "ell": "ℓ",
    "textperthousand": "‰", "textmu": "µ", "quad": " ", "qquad": " ", "newline": " ",
    "par": " ", "noindent": "", "textsuperscript": "", "textsubscript": "",
}  # fmt: skip
_GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "varpi": "ϖ", "rho": "ρ",
    "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ", "phi": "ϕ",
    "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ",
    "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ",
    "Omega": "Ω",
}  # fmt: skip
_SYMBOLS.update(_GREEK)
# Macros whose first arguments say how to show the rest ("\textcolor{blue}{text}"): dropped.
_DROP_ARGS = {"textcolor": 1, "color": 1, "colorbox": 1, "label": 9, "vspace": 9, "hspace": 9}
_ARG = re.compile(r"\{[^{}]*\}")
# Macros that only change how their argument looks: the argument is kept, the macro dropped.
_STYLES = frozenset({
    "textit", "textbf", "texttt", "textrm", "textsf", "textsc", "textsl", "textup", "textmd",
    "textnormal", "emph", "underline", "mathrm", "mathbf", "mathit", "mathsf", "mathtt",
    "mathnormal", "text", "mbox", "hbox", "fbox", "it", "bf", "em", "rm", "sc", "tt", "sl", "sf",
    "bfseries", "itshape", "scshape", "ttfamily", "rmfamily", "sffamily", "upshape", "mdseries",
    "normalfont", "small", "large", "Large", "LARGE", "footnotesize", "scriptsize", "tiny",
    "normalsize", "huge", "Huge", "boldmath", "unboldmath", "cal", "mathcal", "mathbb", "bm",
    "boldsymbol",
})  # fmt: skip
_CONTROLS = {
    "&": "&", "%": "%", "_": "_", "#": "#", "$": "$", "{": "\ue000", "}": "\ue001", ",": " ",
    ";": " ", ":": " ", " ": " ", "\n": " ", "\t": " ", "\\": " ", "!": "", "-": "", "/": "",
    "@": "",
}  # fmt: skip


def normalize_whitespace(s: str) -> str:
    """Collapse every run of whitespace (the snapshot wraps lines with "\\n  ") to one space."""
    joined = s.replace("\n", " ")
    # Most abstracts need only their line breaks joined, which is much cheaper than splitting
    # them into words. Every whitespace character but the space is unprintable.
    if "  " not in joined and joined.isprintable():
        return joined.strip()
    return " ".join(s.split())


def clean_text(raw: str) -> str:
    """A title or abstract as Unicode text: LaTeX outside math resolved, math kept as written."""
    # Checked one by one because each `in` is a fast scan; a regex here costs more than all of them.
    if not (
        "\\" in raw or "$" in raw or "{" in raw or "}" in raw or "~" in raw
        or "--" in raw or "``" in raw or "''" in raw
    ):  # fmt: skip
        return _nfc(normalize_whitespace(raw))
    text = _convert(raw)
    if "\ue000" in text or "\ue001" in text or "\ue002" in text:
        text = text.translate(_RELEASE)
    return _nfc(normalize_whitespace(text))


def _convert(raw: str) -> str:
    if "\\(" in raw or "\\[" in raw or "\\$" in raw:
        matches = [m for m in _ANY_MATH.finditer(raw) if m.lastgroup != "esc"]
    elif "$" in raw:
        matches = list(_DOLLAR_MATH.finditer(raw))
    else:
        return _text_segment(raw)
    parts: list[str] = []
    start = 0
    for match in matches:
        parts.append(_text_segment(raw[start : match.start()]))
        parts.append(match.group())
        start = match.end()
    parts.append(_text_segment(raw[start:]))
    return "".join(parts)


def _text_segment(segment: str) -> str:
    """LaTeX outside math: each pass runs only when its marker is there."""
    if "\\" in segment:
        segment = _BACKSLASH.sub(_replace, segment)
    if "{" in segment or "}" in segment:
        segment = segment.replace("{", "").replace("}", "")
    if "~" in segment:
        segment = _TILDE.sub(_tilde, segment)
    if "--" in segment:
        segment = _DASHES.sub(_dash, segment)
    if "``" in segment:
        segment = segment.replace("``", "“")
    if "''" in segment:
        segment = segment.replace("''", "”")
    return segment


def _replace(match: re.Match[str]) -> str:
    kind = match.lastgroup
    if kind in ("sym_arg", "sym_bare", "word_arg", "word_bare"):
        accent = match.group("sym_accent") or match.group("word_accent")
        letter = match.group(kind)
        base = letter[1] if letter.startswith("\\") else letter  # \'\i is an accented i
        return base + _COMBINING[accent]
    if kind == "space":
        return _replace_macro(match)
    if kind == "control":
        char = match.group("control")
        return _CONTROLS[char] if char in _CONTROLS else _fallback(match.group())
    if kind == "url":
        return match.group("url").translate(_HOLD)
    label = _text_segment(match.group("label"))
    url = match.group("href").translate(_HOLD)
    return url if label.strip() in ("", url) else f"{label} ({url})"


def _tilde(match: re.Match[str]) -> str:
    # "~" is a non-breaking space, except in a URL such as "http://x.org/~me".
    return "~" if match.start() and match.string[match.start() - 1] == "/" else " "


def _dash(match: re.Match[str]) -> str:
    token, text, start = match.group(), match.string, match.start()
    if (
        len(token) > 3
        or (start and text[start - 1] == "<")
        or text[match.end() : match.end() + 1] == ">"
    ):
        return token  # a rule or an arrow ("-->"), not a dash
    return "—" if len(token) == 3 else "–"


def _replace_macro(match: re.Match[str]) -> str:
    name, args, space = match.group("macro", "args", "space")
    if name in _LETTERS:
        # TeX swallows the space after a control word: "Stra\ss e" is "Straße".
        return _LETTERS[name] + (_text_segment(args) + space if args else "")
    if name in _STYLES:
        return _text_segment(args) + (space if args else "")
    if name in _SYMBOLS:
        return _SYMBOLS[name] + _text_segment(args) + space
    if args and len(name) == 1 and (greek := _GREEK.get(name + args[1:-1])):
        return greek + space  # arXiv once stored a typed "β" as "\b{eta}" and "ρ" as "\r{ho}"
    if name in _DROP_ARGS:
        return _text_segment("".join(_ARG.findall(args)[_DROP_ARGS[name] :])) + space
    latex = match.group()[: match.end("args") - match.start()]
    return _fallback(latex).translate(_HOLD) + space


def _nfc(s: str) -> str:
    return s if s.isascii() else unicodedata.normalize("NFC", s)


# Characters that are plain text in arXiv metadata but special to a LaTeX parser ("50% of").
_PROTECT = re.compile(r"(?<!\\)([%&#$])")


@lru_cache(maxsize=4096)
def _fallback(latex: str) -> str:
    """pylatexenc's reading of one macro (with its arguments) the tables do not know.

    A macro pylatexenc does not know either, or one it fails on, is kept verbatim so that no
    content is lost to a macro nobody recognises.
    """
    to_text, known = _pylatexenc()
    name = _MACRO_NAME.match(latex)
    if name is None or name.group(1) not in known:
        return latex
    try:
        text = to_text(_PROTECT.sub(r"\\\1", latex))
    except Exception:  # pylatexenc raises many kinds of error on odd input
        return latex
    return text.replace("\xad", "")


_MACRO_NAME = re.compile(r"\\([A-Za-z]+|.)")


@lru_cache(maxsize=1)
def _pylatexenc() -> tuple[Callable[[str], str], frozenset[str]]:
    # Imported on first use: most runs never need it, and building its tables takes a while.
    from pylatexenc.latex2text import LatexNodes2Text, get_default_latex_context_db

    # It logs a warning for every macro it cannot render; the text keeps such macros verbatim.
    logging.getLogger("pylatexenc").setLevel(logging.ERROR)
    db = get_default_latex_context_db()
    known = frozenset(spec.macroname for spec in db.iter_macro_specs())
    converter = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=False)
    return converter.latex_to_text, known


# Affiliation markers glued to names: "A. Smith$^{1,2}$", "B. Jones\textsuperscript{*}".
_NAME_MARKERS = re.compile(r"\$\^\{?[^$]*\}?\$|\\textsuperscript\s*\{[^{}]*\}|\^\{[^{}]*\}")
_NAME_EDGES = " ,;*"


def clean_name(raw: str) -> str:
    """An author name as Unicode: "C. Bal\\'azs" becomes "C. Balázs"."""
    if "^" in raw or "\\textsuperscript" in raw:
        raw = _NAME_MARKERS.sub("", raw)
    return clean_text(raw).strip(_NAME_EDGES)


_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_NOT_NAMES = frozenset({"et al", "et al.", "others", "and others"})
_ET_AL = re.compile(r" et\.? ?al\.?$")
_INNER_PARENS = re.compile(r"\([^()]*\)")
# Applied to whitespace-normalised text; no leading "\s*", which would make the scan much slower.
_NAME_SEPARATOR = r"[,;](?: ?and )?| and | & "
_SEPARATOR = re.compile(_NAME_SEPARATOR)
_SEPARATOR_OR_GROUP = re.compile(rf"[{{}}$]|{_NAME_SEPARATOR}")


def split_authors(raw: str) -> list[str]:
    """Split an arXiv author list ("A. B, C. D and E. F") into raw names, in order.

    Parenthesised affiliations are dropped; LaTeX in the names is kept for clean_name.
    """
    if "(" in raw or ")" in raw:
        raw = _drop_parentheses(raw)
    raw = normalize_whitespace(raw)
    grouped = "{" in raw or "$" in raw
    names: list[str] = []
    for piece in _split_top_level(raw) if grouped else _SEPARATOR.split(raw):
        name = piece.strip(_NAME_EDGES)
        if " al" in name:
            name = _ET_AL.sub("", name)
        if not _is_name(name):
            continue
        if names and len(name) <= 4 and name.lower() in _SUFFIXES:
            names[-1] = f"{names[-1]} {name}"
        else:
            names.append(name)
    return names


def _is_name(text: str) -> bool:
    """False for an empty piece, "et al." or a stray marker such as "1" or ":"."""
    if len(text) <= 10 and text.lower() in _NOT_NAMES:
        return False
    return text[:1].isalpha() or any(char.isalpha() for char in text)


def _drop_parentheses(raw: str) -> str:
    previous = None
    while previous != raw:
        previous, raw = raw, _INNER_PARENS.sub(" ", raw)
    # An affiliation list that was cut off leaves an unmatched "(": drop to the end.
    return raw.split("(", 1)[0].replace(")", " ")


def _split_top_level(raw: str) -> list[str]:
    """Split on separators outside braces and math, so "{Smith, Jr.}" stays one name."""
    pieces: list[str] = []
    depth, in_math, start = 0, False, 0
    for match in _SEPARATOR_OR_GROUP.finditer(raw):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(depth - 1, 0)
        elif token == "$":
            in_math = not in_math
        elif depth == 0 and not in_math:
            pieces.append(raw[start : match.start()])
            start = match.end()
    pieces.append(raw[start:])
    return pieces
