#!/usr/bin/env python3
"""The structure of a Graphviz SVG figure, for scripts/gen-figures.sh --check: does a committed figure still show
what the code draws today?

Graphviz writes every node, cluster and edge of the DOT source as an SVG group <g class="node|cluster|edge"> whose
<title> is the DOT name (v3, m5, cluster_step_0, v0->v3) and whose <text> elements are the lines of its label
(a record's fields: "v3 = linear(v0, v2, v1)", "2×3", …). The structure of a figure is the multiset of
  (class, title, its text lines)
with runs of white space collapsed and decimal numbers masked as '#' (statistics and heat values change with the
last bits of a kernel; op names, node and cluster names, shapes and edges do not). Coordinates, colours and the
layout are left out: they change between Graphviz versions, the structure does not. Invisible DOT elements
(style=invis) are not drawn at all, so they are not part of it either.

Usage: svg_structure.py COMMITTED.svg FRESH.svg   exit 0 if both have the same structure; otherwise exit 1 and list
                                                  what only one of them has
       svg_structure.py FIGURE.svg                print the structure, one element per line
Standard library only.
"""
import collections
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
DECIMAL = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+(?=e))(?:e[-+]?\d+)?(?![\w.])")


def normalise(text):
    text = " ".join(text.split())
    return DECIMAL.sub("#", text)


def structure(path):
    """A Counter of (class, title, (text lines…)) tuples, one per node, cluster and edge of the figure."""
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        sys.exit(f"svg_structure: {path}: not a readable SVG file ({e})")
    if not root.tag.startswith(SVG):
        sys.exit(f"svg_structure: {path}: not an SVG file (root element {root.tag})")
    elements = collections.Counter()
    for g in root.iter(SVG + "g"):
        kind = g.get("class")
        if kind not in ("node", "cluster", "edge"):
            continue
        title = g.find(SVG + "title")
        name = title.text if title is not None and title.text else ""
        # An element's own texts: a cluster's label is a direct child; nodes and edges keep their texts inside
        # (directly, or in <a> links when a tooltip is set).
        texts = tuple(normalise("".join(t.itertext())) for t in g.iter(SVG + "text"))
        elements[(kind, name, texts)] += 1
    if not elements:
        sys.exit(f"svg_structure: {path}: no Graphviz nodes, clusters or edges in it (not a Graphviz figure?)")
    return elements


def order(element):
    """Nodes first (their labels name the ops), then clusters, then edges."""
    return (("node", "cluster", "edge").index(element[0]), element)


def show(element):
    kind, name, texts = element
    return f"{kind} {name}: " + " | ".join(texts)


def main(argv):
    if len(argv) == 2:
        for element, count in sorted(structure(argv[1]).items(), key=lambda item: order(item[0])):
            print(show(element) + (f"  (×{count})" if count > 1 else ""))
        return 0
    if len(argv) != 3:
        print(__doc__.split("Usage: ")[1].split("Standard")[0], file=sys.stderr)
        return 2
    committed, fresh = structure(argv[1]), structure(argv[2])
    if committed == fresh:
        return 0
    only_committed = committed - fresh
    only_fresh = fresh - committed
    print(f"{argv[1]}: {sum(only_committed.values())} elements the code no longer draws, "
          f"{sum(only_fresh.values())} it draws that the figure lacks")
    shown = 0
    for label, diff in (("-", only_committed), ("+", only_fresh)):
        for element in sorted(diff.elements(), key=order):
            if shown == 12:
                print("  …")
                return 1
            print(f"  {label} {show(element)}")
            shown += 1
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
