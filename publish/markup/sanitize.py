"""Raw HTML in a manuscript, cleaned by an allow-list (nh3, the binding of Ammonia): no script,
iframe, object, embed, form or style, no event handlers, no `javascript:` or `data:` URLs. What
survives is the markup Markdown and our extensions make, and the harmless HTML an editor may write.
"""

from __future__ import annotations

import nh3

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir", "data-cites", "data-citation", "data-speaker", "data-ix"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "li": {"value"},
    "q": {"cite"},
    "time": {"datetime"},
}
# Of data- attributes, only those our extensions write pass (the renderers add theirs, data-block,
# later). `file` passes here only so that publish.resources can refuse a file: image with a
# diagnostic; file: links are removed by the parser.
URL_SCHEMES = {"http", "https", "mailto", "file"}


def sanitize(html: str) -> str:
    """The HTML with everything outside the allow-list removed (the text of removed elements kept,
    except inside script and style)."""
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=None, strip_comments=True)
