"""Cleaning text on the way in. Plain-text fields are normalised here; output is
escaped per format where it leaves (Jinja autoescape for HTML)."""

from __future__ import annotations

import re
import unicodedata

from markupsafe import Markup

# C0 controls except tab, LF and CR, plus DEL and the C1 range: they break DOCX/XLSX
# exports and have no meaning in typed text.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LONE_SURROGATES = re.compile(r"[\ud800-\udfff]")


def plain_text(value: str | None) -> str:
    """Normalise free text: drop control characters, replace lone surrogates with
    U+FFFD, normalise line endings to LF, apply NFC, and strip outer whitespace."""
    if not value:
        return ""
    text = _LONE_SURROGATES.sub("\ufffd", value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_CHARS.sub("", text)
    return unicodedata.normalize("NFC", text).strip()


def single_line(value: str | None) -> str:
    """Like ``plain_text`` for one-line fields (names, titles): whitespace runs,
    including newlines, become single spaces."""
    return " ".join(plain_text(value).split())


# The only rich text in the portal: planners' narratives, typed in a Markdown-style
# subset (portal/formatting.py) and converted to HTML that passes this allowlist
# (bold, emphasis, lists, paragraphs, links to http(s)/mailto) where it is shown.
_ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a"})
_ALLOWED_ATTRIBUTES = {"a": ["href"]}
_ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})


def clean_html(value: str | None) -> str:
    """Sanitise rich text before it is shown or exported."""
    text = plain_text(value)
    if not text:
        return ""
    import bleach  # on first use: not part of every start (a command's included)

    cleaned: str = bleach.clean(
        text,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        protocols=_ALLOWED_PROTOCOLS,
        strip=True,
    )
    return cleaned


def cleaned_markup(value: str | None) -> Markup:
    """Rich text cleaned now and marked safe for a template: the portal's only
    Markup, so nothing reaches a page unescaped without passing the allowlist."""
    return Markup(clean_html(value))  # noqa: S704 - bleach-cleaned just now
