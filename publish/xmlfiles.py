"""XML a book supplies (SVG figures, CSL styles): parsed without DTDs, entities or the network, and an
SVG cleaned down to drawing: no script, no event handler, no foreignObject, no reference to any file
but itself. The cleaned file is the one every edition ships and the PDF engine draws."""

from __future__ import annotations

import re

from lxml import etree

from publish.resources import Refused

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"
DRAWING = {
    "svg", "g", "defs", "symbol", "use", "switch", "title", "desc", "style",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textPath",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
    "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix",
    "feDiffuseLighting", "feDisplacementMap", "feDistantLight", "feFlood", "feFuncA", "feFuncB",
    "feFuncG", "feFuncR", "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset",
    "fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence", "feDropShadow",
}
KEPT_FOREIGN_ATTRIBUTES = {f"{{{XML}}}space", f"{{{XML}}}lang"}
URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
IMPORT = re.compile(r"@import[^;]*;?", re.IGNORECASE)


def parse_xml(data: bytes, what: str) -> etree._Element:
    """A document's root, parsed with no DTD loaded, no entity expanded and nothing fetched; one that
    declares entities, or is not well-formed, is refused."""
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        tree = etree.ElementTree(etree.fromstring(data, parser))
    except etree.XMLSyntaxError as error:
        raise Refused(f"{what} is not well-formed XML: {error}") from None
    dtd = tree.docinfo.internalDTD
    if dtd is not None and (list(dtd.iterentities()) or list(dtd.iterelements())):
        raise Refused(f"{what} declares a DTD with entities or elements, which a book's files may not")
    if any(isinstance(node, etree._Entity) for node in tree.iter()):
        raise Refused(f"{what} uses an entity it does not declare")
    return tree.getroot()


def clean_svg(data: bytes, what: str) -> bytes:
    """The SVG with everything but drawing removed; references to its own ids stay."""
    root = parse_xml(data, what)
    if root.tag != f"{{{SVG}}}svg":
        raise Refused(f"{what} is not an SVG image (its root element is not <svg>)")
    for element in list(root.iter()):
        if element is not root and element.getparent() is None:
            continue  # already removed with an ancestor
        svg = isinstance(element.tag, str) and element.tag.startswith(f"{{{SVG}}}")
        name = etree.QName(element).localname if svg else None
        if name == "a":
            _unwrap(element)  # a link's drawing stays, the link goes
            continue
        if name not in DRAWING:
            element.getparent().remove(element)  # script, foreignObject, image, metadata, other vocabularies
            continue
        _clean_attributes(element)
        if name == "style":
            element.text = _clean_css(element.text or "")
    return etree.tostring(root, encoding="utf-8", xml_declaration=True)


def _unwrap(element: etree._Element) -> None:
    """Replace an element by its children (its text and tail are whitespace or text, kept in place)."""
    parent, index = element.getparent(), element.getparent().index(element)
    previous = element.getprevious()
    loose = (element.text or "") + (element.tail or "")
    if previous is not None:
        previous.tail = (previous.tail or "") + loose
    else:
        parent.text = (parent.text or "") + loose
    parent[index:index + 1] = list(element)


def _clean_attributes(element: etree._Element) -> None:
    for attribute, value in list(element.attrib.items()):
        local = etree.QName(attribute).localname.lower()
        foreign = attribute.startswith("{") and attribute not in KEPT_FOREIGN_ATTRIBUTES
        if local == "href" and value.strip().startswith("#") and attribute in ("href", f"{{{XLINK}}}href"):
            continue
        if local == "style" and not foreign:
            element.set(attribute, _clean_css(value))
        elif (foreign or local.startswith("on") or local in ("href", "src", "base")
                or any(not url.strip().startswith("#") for _, url in URL.findall(value))):
            del element.attrib[attribute]


def _clean_css(css: str) -> str:
    """Inline CSS with no import and no url() but to the file's own ids."""
    css = IMPORT.sub("", css.replace("\\", ""))  # no escapes, which could spell url( another way
    return URL.sub(lambda m: m[0] if m[2].strip().startswith("#") else "none", css)
