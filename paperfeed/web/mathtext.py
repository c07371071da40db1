"""Inline math in titles and abstracts, shown legibly without a math engine.

Text outside `$…$` is escaped as usual. Inside, common macros become Unicode (\\alpha → α,
\\leq → ≤), `^{…}` and `_{…}` become <sup>/<sub>, style macros keep their argument, and the span
is marked `class="math"` (set in a serif italic by the stylesheet) with the LaTeX in its title.
Everything paper text contributes is escaped first, so no markup can come from a paper.
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_MATH = re.compile(r"\$\$(?:\\.|[^$\\])+\$\$|\$(?:\\.|[^$\\])+\$|\\\((?:\\.|[^\\])*?\\\)", re.S)
_MACROS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε",
    "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ",
    "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ", "sigma": "σ",
    "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π",
    "Sigma": "Σ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω", "leq": "≤", "le": "≤", "geq": "≥",
    "ge": "≥", "neq": "≠", "ne": "≠", "approx": "≈", "sim": "∼", "simeq": "≃", "equiv": "≡",
    "propto": "∝", "times": "×", "cdot": "·", "pm": "±", "mp": "∓", "div": "÷", "ll": "≪",
    "gg": "≫", "infty": "∞", "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏",
    "int": "∫", "sqrt": "√", "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆",
    "cup": "∪", "cap": "∩", "emptyset": "∅", "forall": "∀", "exists": "∃", "neg": "¬",
    "wedge": "∧", "vee": "∨", "to": "→", "rightarrow": "→", "leftarrow": "←",
    "Rightarrow": "⇒", "mapsto": "↦", "ell": "ℓ", "hbar": "ℏ", "circ": "∘", "dots": "…",
    "ldots": "…", "cdots": "⋯", "langle": "⟨", "rangle": "⟩", "log": "log", "exp": "exp",
    "sin": "sin", "cos": "cos", "max": "max", "min": "min", "lim": "lim", "quad": " ",
    "left": "", "right": "", ",": " ", ";": " ", "!": "", " ": " ", "%": "%", "{": "{",
    "}": "}", "_": "_", "$": "$", "&": "&",
}  # fmt: skip
_DOUBLE_STRUCK = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ"}
_MACRO = re.compile(r"\\(mathbb\s*\{(\w)\}|[A-Za-z]+|.)")
_SCRIPT = re.compile(r"([\^_])(?:\{([^{}]*)\}|(\\?\w))")


def math_html(text: str) -> SafeString:
    """`text` escaped, with each inline math span rendered as described above."""
    parts: list[str] = []
    cursor = 0
    for match in _MATH.finditer(text):
        parts.append(escape(text[cursor : match.start()]))
        parts.append(_span(match.group(0)))
        cursor = match.end()
    parts.append(escape(text[cursor:]))
    return mark_safe("".join(parts))  # noqa: S308 (every piece above is escaped)


def _span(source: str) -> str:
    inner = source.strip("$")
    if inner.startswith("\\(") and inner.endswith("\\)"):
        inner = inner[2:-2]
    body = _MACRO.sub(_macro, inner)
    # Scripts are applied after escaping so that the <sup>/<sub> tags are ours alone.
    body = _SCRIPT.sub(_script, escape(body))
    body = body.replace("{", "").replace("}", "")
    return f'<span class="math" title="{escape(source)}">{body}</span>'


def _macro(match: re.Match[str]) -> str:
    if match.group(2):
        return _DOUBLE_STRUCK.get(match.group(2), match.group(2))
    name = match.group(1)
    if name in _MACROS:
        return _MACROS[name]
    # Style macros (\mathrm, \mathcal, \text, ...) and unknown ones keep their argument only.
    return "" if name.isalpha() else name


def _script(match: re.Match[str]) -> str:
    tag = "sup" if match.group(1) == "^" else "sub"
    return f"<{tag}>{match.group(2) if match.group(2) is not None else match.group(3)}</{tag}>"
