"""A letter as blocks (paragraphs, bullets, label–value facts, tables), drawn twice: as plain
text and as HTML. Every value is data: escaped in the HTML, stripped of control characters in
both, so that a name can neither inject markup nor a header line."""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass, field

WIDTH = 72


def clean(text: str) -> str:
    """One line of data: control characters (a CR/LF in a name…) become spaces."""
    return "".join(" " if ord(c) < 32 or 127 <= ord(c) < 160 else c for c in str(text)).strip()


@dataclass(frozen=True)
class P:
    text: str
    strong: bool = False


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Facts:
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = P | Bullets | Facts | Table


@dataclass(frozen=True)
class Part:
    """The letter in one language: a heading (the language's name, when there are two)."""

    blocks: tuple[Block, ...]
    heading: str = ""
    lang: str = "fr"


@dataclass(frozen=True)
class Attachment:
    filename: str
    maintype: str
    subtype: str
    data: bytes
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Letter:
    subject: str
    parts: tuple[Part, ...]
    attachments: tuple[Attachment, ...] = ()

    @property
    def text(self) -> str:
        return render_text(self.parts)

    @property
    def html(self) -> str:
        return render_html(self.subject, self.parts)


def _wrap(text: str, indent: str = "", first: str | None = None) -> list[str]:
    return textwrap.wrap(
        clean(text),
        WIDTH,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [first or indent]


def _text_block(block: Block) -> list[str]:
    if isinstance(block, P):
        return _wrap(block.text)
    if isinstance(block, Bullets):
        return [line for item in block.items for line in _wrap(item, "    ", "  • ")]
    if isinstance(block, Facts):
        width = max((len(clean(label)) for label, _v in block.pairs), default=0)
        lines = []
        for label, value in block.pairs:
            lead = f"  {clean(label):<{width}} : "
            lines.extend(_wrap(value, " " * len(lead), lead))
        return lines
    rows = [
        tuple(clean(c) for c in block.header),
        *(tuple(clean(c) for c in r) for r in block.rows),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(block.header))]
    lines = [
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  " + "  ".join("-" * w for w in widths))
    return lines


def render_text(parts: tuple[Part, ...]) -> str:
    out: list[str] = []
    for n, part in enumerate(parts):
        if n:
            out += ["", "-" * WIDTH, ""]
        if part.heading:
            out += [f"[{part.heading}]", ""]
        for block in part.blocks:
            out += [*_text_block(block), ""]
    return "\n".join(out).rstrip() + "\n"


def _e(text: str) -> str:
    return html.escape(clean(text), quote=True)


def _html_block(block: Block) -> str:
    if isinstance(block, P):
        inner = f"<strong>{_e(block.text)}</strong>" if block.strong else _e(block.text)
        return f"<p>{inner}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{_e(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Facts):
        rows = "".join(
            f'<tr><th align="left" style="padding-right:1em">{_e(label)}</th>'
            f"<td>{_e(value)}</td></tr>"
            for label, value in block.pairs
        )
        return f"<table>{rows}</table>"
    head = "".join(f'<th align="left">{_e(c)}</th>' for c in block.header)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in block.rows
    )
    style = 'border="1" cellpadding="4" style="border-collapse:collapse"'
    return f"<table {style}><tr>{head}</tr>{body}</table>"


def render_html(subject: str, parts: tuple[Part, ...]) -> str:
    sections = []
    for n, part in enumerate(parts):
        heading = f"<h2>{_e(part.heading)}</h2>" if part.heading else ""
        rule = "<hr>" if n else ""
        body = "\n".join(_html_block(b) for b in part.blocks)
        sections.append(f'{rule}<div lang="{_e(part.lang)}">{heading}\n{body}\n</div>')
    lang = parts[0].lang if len(parts) == 1 else "fr"
    return (
        f'<!DOCTYPE html>\n<html lang="{_e(lang)}"><head><meta charset="utf-8">'
        f'<title>{_e(subject)}</title></head>\n<body style="font-family:sans-serif">\n'
        + "\n".join(sections)
        + "\n</body></html>\n"
    )
