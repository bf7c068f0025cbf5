"""PDF rendering with reportlab: A4, an embedded TrueType Chinese font, the organ's seal picture.

Chinese text needs a font *embedded* in the file: reportlab's built-in CID fonts are only named,
and render blank on machines without the language pack. We embed a subset of WenQuanYi Micro Hei
(Debian ``fonts-wqy-microhei``; ``GOVHALL_PDF_FONT`` names another TrueType/TrueType-collection
file). The subset is written as ``FontFile2`` with a ToUnicode map, so text can be searched, copied
and extracted (``pdftotext``).

``render(content)`` is pure: bytes in, bytes out, no database. The layout: title, document number,
addressee, sections (paragraphs and label/value rows), then the issuing organ and the date, right
aligned, with the seal picture over them; optionally a QR code (``segno.make_qr``, drawn as vector
squares) with its caption.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
from dataclasses import dataclass, field
from functools import lru_cache, partial
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from govhall.core.errors import DomainError

rl_config.useA85 = 0  # binary image streams: ASCII85 only makes files larger and slower to write
DEFAULT_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
FONT_NAME = "GovHallCJK"
_lock = threading.Lock()


def font_path() -> str:
    return getattr(settings, "GOVHALL_PDF_FONT", "") or DEFAULT_FONT


def font_missing(path: str) -> DomainError:
    return DomainError.single(
        "documents.font.missing",
        f"找不到用于生成 PDF 的中文字体文件：{path}。请安装 Debian 软件包 fonts-wqy-microhei，"
        "或用 GOVHALL_PDF_FONT 设置指向一个 TrueType 字体文件（.ttf/.ttc）。",
        f"The Chinese font for PDF documents was not found: {path}. Install the Debian package "
        "fonts-wqy-microhei, or point the GOVHALL_PDF_FONT setting at a TrueType font file (.ttf/.ttc).",
        "font")


@lru_cache(maxsize=4)
def _registered(path: str) -> str:
    """Register the font file once per process under a name derived from its path."""
    if not os.path.isfile(path):
        raise font_missing(path)
    name = f"{FONT_NAME}{abs(hash(path)) % 10**8}"
    try:
        kwargs = {"subfontIndex": 0} if path.lower().endswith(".ttc") else {}
        pdfmetrics.registerFont(TTFont(name, path, **kwargs))
    except Exception as exc:  # reportlab raises TTFError and others for unreadable files
        raise DomainError.single(
            "documents.font.unreadable", f"PDF 字体文件无法读取（须为 TrueType 字体）：{path}",
            f"the PDF font file cannot be read (it must be a TrueType font): {path}", "font") from exc
    return name


def font() -> str:
    with _lock:
        return _registered(font_path())


# --- content ---------------------------------------------------------------------------------------


@dataclass
class Section:
    heading: str = ""
    paragraphs: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)  # label, value


@dataclass
class Content:
    title: str
    organ_name: str
    date: dt.date
    number: str = ""
    addressee: str = ""
    sections: list[Section] = field(default_factory=list)
    seal_png: bytes = b""
    seal_mm: int = 40
    qr_url: str = ""
    qr_caption: str = ""
    footer: str = ""
    subject: str = ""
    keywords: str = ""


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- drawing ---------------------------------------------------------------------------------------


class SealBlock(Flowable):
    """The organ's name and the date, right aligned, with the seal picture centred over them (as a
    seal is stamped over the signature block of a paper document)."""

    def __init__(self, font_name: str, organ: str, date_text: str, seal_png: bytes, seal_mm: int, qr=None):
        super().__init__()
        self.font_name, self.organ, self.date_text, self.qr = font_name, organ, date_text, qr
        self.seal = ImageReader(io.BytesIO(seal_png)) if seal_png else None
        self.seal_size = seal_mm * mm
        self.height = max(self.seal_size, 30 * mm, qr.height if qr else 0) + 4 * mm

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        if self.qr is not None:
            self.qr.wrap(avail_width / 2, self.height)
        return avail_width, self.height

    def draw(self):
        c = self.canv
        if self.qr is not None:  # the verification QR code on the left, the seal on the right
            self.qr.drawOn(c, 0, (self.height - self.qr.height) / 2)
        size = 12
        organ_w = pdfmetrics.stringWidth(self.organ, self.font_name, size)
        date_w = pdfmetrics.stringWidth(self.date_text, self.font_name, size)
        block_w = max(organ_w, date_w)
        right = self.width - 8 * mm
        centre_x = right - block_w / 2
        centre_y = self.height / 2
        c.setFont(self.font_name, size)
        c.drawCentredString(centre_x, centre_y + 2 * mm, self.organ)
        c.drawCentredString(centre_x, centre_y - 6 * mm, self.date_text)
        if self.seal is not None:
            s = self.seal_size
            c.drawImage(self.seal, centre_x - s / 2, centre_y - s / 2, width=s, height=s, mask="auto")


class QRBlock(Flowable):
    """A QR code (``segno.make_qr``, never Micro QR) drawn as vector squares, with a caption."""

    def __init__(self, font_name: str, url: str, caption: str, side_mm: int = 30):
        super().__init__()
        import segno

        self.qr = segno.make_qr(url, error="m")
        self.font_name, self.caption, self.url = font_name, caption, url
        self.side = side_mm * mm
        self.height = self.side + 4 * mm

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        return avail_width, self.height

    def draw(self):
        c = self.canv
        matrix = [list(row) for row in self.qr.matrix]
        n = len(matrix) + 8  # 4 modules of quiet zone on each side
        module = self.side / n
        x0, y0 = 0, 2 * mm
        c.setFillColorRGB(1, 1, 1)
        c.rect(x0, y0, self.side, self.side, stroke=0, fill=1)
        c.setFillColorRGB(0, 0, 0)
        path = c.beginPath()
        for r, row in enumerate(matrix):  # one rectangle per horizontal run of dark modules
            col = 0
            while col < len(row):
                if not row[col]:
                    col += 1
                    continue
                end = col
                while end < len(row) and row[end]:
                    end += 1
                path.rect(x0 + (col + 4) * module, y0 + self.side - (r + 5) * module, (end - col) * module, module)
                col = end
        c.drawPath(path, stroke=0, fill=1)
        c.setFont(self.font_name, 9)
        text = c.beginText(self.side + 4 * mm, y0 + self.side - 6 * mm)
        text.setLeading(13)
        for line in self.caption.split("\n"):
            text.textLine(line)
        c.drawText(text)


def _styles(name: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=name, fontSize=12, leading=20, wordWrap="CJK", firstLineIndent=24)
    return {
        "title": ParagraphStyle("title", fontName=name, fontSize=22, leading=32, alignment=1, spaceAfter=4 * mm),
        "number": ParagraphStyle("number", fontName=name, fontSize=11, leading=16, alignment=1, spaceAfter=6 * mm),
        "addressee": ParagraphStyle("addressee", parent=base, firstLineIndent=0, spaceAfter=2 * mm),
        "heading": ParagraphStyle("heading", fontName=name, fontSize=13, leading=22, spaceBefore=3 * mm,
                                  spaceAfter=1 * mm, wordWrap="CJK"),
        "body": base,
        "cell": ParagraphStyle("cell", fontName=name, fontSize=11, leading=16, wordWrap="CJK"),
        "footer": ParagraphStyle("footer", fontName=name, fontSize=9, leading=13, wordWrap="CJK",
                                 textColor="#444444"),
    }


def _p(text: str, style) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def render(content: Content) -> bytes:
    """The PDF bytes of ``content`` (A4 portrait, 25/20 mm margins, fonts embedded)."""
    name = font()
    styles = _styles(name)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=25 * mm, rightMargin=20 * mm, topMargin=25 * mm,
                            bottomMargin=20 * mm, title=content.title, author=content.organ_name,
                            subject=content.subject or content.title, creator="GovHall", producer="GovHall",
                            keywords=content.keywords, lang="zh-CN")
    story: list = [_p(content.title, styles["title"])]
    if content.number:
        style = styles["number"] if len(content.number) <= 40 else ParagraphStyle(
            "long_number", parent=styles["number"], fontSize=9, leading=13)  # licence identifiers: one line
        story.append(_p(content.number, style))
    if content.addressee:
        story.append(_p(content.addressee, styles["addressee"]))
    width = A4[0] - 45 * mm
    for section in content.sections:
        if section.heading:
            story.append(_p(section.heading, styles["heading"]))
        for paragraph in section.paragraphs:
            story.append(_p(paragraph, styles["body"]))
        if section.rows:
            table = Table([[_p(label, styles["cell"]), _p(value, styles["cell"])] for label, value in section.rows],
                          colWidths=[40 * mm, width - 40 * mm])
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.5, "#666666"),
                ("BACKGROUND", (0, 0), (0, -1), "#f2f2f2"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]))
            story += [Spacer(1, 2 * mm), table, Spacer(1, 2 * mm)]
    qr = QRBlock(name, content.qr_url, content.qr_caption) if content.qr_url else None
    story.append(KeepTogether([Spacer(1, 8 * mm), SealBlock(name, content.organ_name, chinese_date(content.date),
                                                            content.seal_png, content.seal_mm, qr=qr)]))
    if content.footer:
        story += [Spacer(1, 6 * mm), _p(content.footer, styles["footer"])]
    doc.build(story, canvasmaker=partial(Canvas, initialFontName=name, initialFontSize=12))
    return buffer.getvalue()
