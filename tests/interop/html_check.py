#!/usr/bin/env python3
"""Checks one example's HTML export as Chromium rendered it (called by tests/interop/html.sh).

    html_check.py TEMPLATE.note SCREENSHOT.png WIDTH HEIGHT DOM.html

The screenshot must be a PNG of WIDTH x HEIGHT that is not one colour. The DOM (Chromium's
--dump-dom) must hold every section heading of the template as an h2-h6 element and every field's
label (its name in words: `date_of_service` is "Date of service") as a label element, and no
script element. The expectations come from the .note text, read here with a few regular
expressions: front matter and comments skipped, `{#kind}` attributes dropped. Standard library only.
"""

import html.parser
import re
import struct
import sys
import zlib


def fail(name, message):
    print(f"FAIL {name}: {message}")
    sys.exit(1)


def png_pixels(path):
    """(width, height, rows of raw pixel bytes, bytes per pixel) of an 8-bit PNG."""
    with open(path, "rb") as file:
        data = file.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    at, idat, header = 8, b"", None
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        body = data[at + 8 : at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        at += 12 + length
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace:
        raise ValueError(f"unexpected PNG format (depth {depth}, colour type {colour})")
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[x] = (line[x] + predictor) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, rows, channels


def expected(note_text):
    """The headings and field labels a template should show."""
    text = re.sub(r"<!--.*?(-->|\Z)", "", note_text, flags=re.S)
    lines = text.splitlines()
    if lines and lines[0].strip() == "---":
        for end in range(1, len(lines)):
            if lines[end].strip() == "---":
                lines = lines[end + 1 :]
                break
    headings, labels = [], []
    for line in lines:
        heading = re.match(r"^#{1,6}(?:[ \t]+(.*))?$", line)
        if heading:
            title = re.sub(r"\{#[^}]*\}\s*$", "", heading.group(1) or "").strip()
            if title:
                headings.append(unescape_note(title))
            continue
        for name in re.findall(r"\{\{\s*([A-Za-z][A-Za-z0-9_-]*)\s*(?::[^}]*)?\}\}", line):
            words = " ".join(name.replace("_", " ").replace("-", " ").split())
            labels.append(words[:1].upper() + words[1:])
    return headings, labels


def unescape_note(text):
    return re.sub(r"\\([{}*|\\])", r"\1", text)


class Dom(html.parser.HTMLParser):
    """Text of the headings and labels, and the tags seen."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings, self.labels, self.tags, self.open = [], [], set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        if tag in ("h2", "h3", "h4", "h5", "h6", "label"):
            self.open.append([tag, ""])

    def handle_endtag(self, tag):
        if self.open and self.open[-1][0] == tag:
            kind, text = self.open.pop()
            text = " ".join(text.split())
            (self.labels if kind == "label" else self.headings).append(text)

    def handle_data(self, data):
        for item in self.open:
            item[1] += data


def main():
    note, png, width, height, dom_path = sys.argv[1:6]
    name = note.rsplit("/", 1)[-1]
    try:
        got_width, got_height, rows, channels = png_pixels(png)
    except (OSError, ValueError, zlib.error, TypeError) as error:
        fail(name, f"no usable screenshot at {png}: {error}")
    if (got_width, got_height) != (int(width), int(height)):
        fail(name, f"screenshot is {got_width}x{got_height}, expected {width}x{height}")
    colours = set()
    for row in rows[:: max(1, len(rows) // 200)]:
        for x in range(0, len(row), channels * 7):
            colours.add(row[x : x + channels])
    if len(colours) < 8:
        fail(name, f"screenshot looks blank: {len(colours)} colour(s)")
    with open(note, encoding="utf-8") as file:
        headings, labels = expected(file.read())
    with open(dom_path, encoding="utf-8") as file:
        dom_text = file.read()
    dom = Dom()
    dom.feed(dom_text)
    if "script" in dom.tags:
        fail(name, "the DOM has a <script> element")
    heading_texts = [re.sub(r"\s*required$", "", text) for text in dom.headings]
    missing = [h for h in headings if " ".join(h.split()) not in heading_texts]
    if missing:
        fail(name, f"headings not in the DOM: {missing} (DOM headings: {heading_texts})")
    label_texts = [re.sub(r" \((minutes|date)\)$", "", text) for text in dom.labels]
    missing = [label for label in labels if label not in label_texts]
    if missing:
        fail(name, f"field labels not in the DOM: {missing}")
    if not headings:
        fail(name, "the template has no headings to look for")
    print(
        f"ok   {name}: {got_width}x{got_height} PNG, {len(colours)} colours sampled, "
        f"{len(headings)} headings and {len(labels)} field labels in the DOM"
    )


if __name__ == "__main__":
    main()
