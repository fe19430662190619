"""The one XML reader for files a researcher hands kodebok (.qdc, .qdpx's project.qde, XSDs).

lxml's defaults resolve internal entities (a "billion laughs" expands to gigabytes) and
external ones (``<!ENTITY x SYSTEM "file:///etc/passwd">`` reads local files), may load a DTD
and follow URLs. This parser has entities, DTD loading and network access off, refuses any
DOCTYPE (REFI-QDA files never have one: it is where entities are declared), keeps lxml's
limits on depth and text size (``huge_tree`` off), and refuses documents over a byte limit
before parsing. Comments and processing instructions are dropped.

Callers turn :class:`XmlRefused` into their own error naming the file; ``line`` is 1-based.
"""

from __future__ import annotations

from lxml import etree

MAX_XML_BYTES = 64 * 2**20  # a large real project.qde is a few MB; a codebook a few KB


class XmlRefused(ValueError):
    """The XML is malformed, too large or uses something kodebok refuses (DOCTYPE, entities)."""

    def __init__(self, problem: str, line: int = 1) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse(data: bytes, *, max_bytes: int = MAX_XML_BYTES) -> etree._Element:
    """Parse ``data`` safely and return its root element, or raise :class:`XmlRefused`."""
    if not data.strip():
        raise XmlRefused("the file is empty")
    if len(data) > max_bytes:
        mb = max_bytes / 2**20
        raise XmlRefused(f"the XML is {len(data) / 2**20:.1f} MB; kodebok reads up to {mb:.0f} MB")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else 1
        raise XmlRefused(f"not valid XML ({exc.msg})", line) from None
    except (ValueError, etree.LxmlError) as exc:
        raise XmlRefused(f"not valid XML ({exc})") from None
    if root is None:
        raise XmlRefused("the file has no XML element")
    if root.getroottree().docinfo.doctype:
        raise XmlRefused("a DOCTYPE is not allowed (it can declare entities)")
    for el in root.iter():
        if isinstance(el, etree._Entity):
            line = el.sourceline if isinstance(el.sourceline, int) else 1
            raise XmlRefused("entities are not allowed", line)
    return root


def schema(data: bytes) -> etree.XMLSchema:
    """An XML Schema read with the same parser (the schema itself is parsed safely)."""
    return etree.XMLSchema(parse(data))
