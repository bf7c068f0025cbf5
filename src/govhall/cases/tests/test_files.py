"""Uploads of application materials: type by content, size limit, digests, content-addressed storage."""

import hashlib
import io
import shutil
import struct
import subprocess
import time
import zipfile
import zlib

import gmssl_pyx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile

from govhall.cases import files
from govhall.cases.models import StoredFile
from govhall.core.errors import DomainError

# --- tiny valid files, built by bytes -------------------------------------------------------------


def make_pdf(text: str = "GovHall") -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
    ]
    stream = f"BT /F1 12 Tf 20 100 Td ({text}) Tj ET".encode()
    objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def make_png(grey: int = 0x80) -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1×1, 8-bit greyscale
    pixels = zlib.compress(bytes([0, grey]))  # filter byte 0, one pixel
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", pixels)
            + _png_chunk(b"IEND", b""))


def make_jpeg() -> bytes:
    """A 1×1 grey baseline JPEG: one Huffman code for DC category 0 and one for end-of-block."""
    soi = b"\xff\xd8"
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    dqt = b"\xff\xdb\x00\x43\x00" + b"\x01" * 64
    sof0 = b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"
    dht_dc = b"\xff\xc4\x00\x14\x00" + b"\x01" + b"\x00" * 15 + b"\x00"
    dht_ac = b"\xff\xc4\x00\x14\x10" + b"\x01" + b"\x00" * 15 + b"\x00"
    sos = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
    scan = b"\x3f"  # bits 0 (DC diff 0) 0 (EOB), padded with ones
    return soi + app0 + dqt + sof0 + dht_dc + dht_ac + sos + scan + b"\xff\xd9"


def make_tiff() -> bytes:
    """A 1×1 8-bit greyscale baseline TIFF, little-endian."""
    entries = [(256, 3, 1, 1), (257, 3, 1, 1), (258, 3, 1, 8), (259, 3, 1, 1), (262, 3, 1, 1),
               (273, 4, 1, 0), (277, 3, 1, 1), (278, 3, 1, 1), (279, 4, 1, 1), (282, 5, 1, 0),
               (283, 5, 1, 0), (296, 3, 1, 2)]
    ifd_size = 2 + 12 * len(entries) + 4
    rational_at = 8 + ifd_size
    pixel_at = rational_at + 8
    out = bytearray(b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", len(entries)))
    for tag, kind, count, value in entries:
        if tag == 273:
            value = pixel_at
        elif tag in (282, 283):
            value = rational_at
        packed = struct.pack("<HH", value, 0) if kind == 3 else struct.pack("<I", value)
        out += struct.pack("<HHI", tag, kind, count) + packed
    out += struct.pack("<I", 0)
    out += struct.pack("<II", 72, 1) + b"\x80"
    return bytes(out)


def make_zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def make_ofd() -> bytes:
    return make_zip({
        "OFD.xml": b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" '
                   b'Version="1.0" DocType="OFD"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
                   b"</ofd:DocBody></ofd:OFD>",
        "Doc_0/Document.xml": b'<?xml version="1.0" encoding="UTF-8"?><ofd:Document '
                              b'xmlns:ofd="http://www.ofdspec.org/2016"/>',
    })


HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def stored_paths(media):
    return sorted(p for p in media.rglob("*") if p.is_file())


def refused(code, upload, filename):
    with pytest.raises(DomainError) as caught:
        files.check_and_store(upload, filename=filename)
    problem = caught.value.problems[0]
    assert problem.code == code
    return problem


# --- sniffing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "expected"), [
    (make_pdf(), files.PDF),
    (make_png(), files.PNG),
    (make_jpeg(), files.JPEG),
    (make_tiff(), files.TIFF),
    (b"MM\x00*\x00\x00\x00\x08", files.TIFF),
    (HTML, files.HTML),
    (b"\xef\xbb\xbf  <html><body>x</body></html>", files.HTML),
    (b"GIF89a\x01\x00", "image/gif"),
    (b"MZ\x90\x00", "application/x-msdownload"),
    (b"just some text", None),
    (b"", None),
])
def test_sniff_decides_by_magic_bytes(content, expected):
    assert files.sniff(content[:files.HEAD_BYTES]) == expected


def test_sniff_tells_ofd_from_other_zips_by_its_member_names():
    head = make_ofd()[:16]
    assert files.sniff(head, ["OFD.xml", "Doc_0/Document.xml"]) == files.OFD
    assert files.sniff(head, ["word/document.xml", "[Content_Types].xml"]) == files.ZIP
    assert files.sniff(head, ["Doc_0/OFD.xml"]) == files.ZIP  # OFD.xml must be at the root
    assert files.sniff(head) == files.ZIP


def test_zip_names_are_read_without_extracting_and_huge_directories_are_not_read():
    assert files.zip_names_of(io.BytesIO(make_ofd())) == ["OFD.xml", "Doc_0/Document.xml"]
    assert files.zip_names_of(io.BytesIO(b"PK\x03\x04 not really a zip")) is None
    # an end record announcing 65535 entries (or ZIP64) is not looked into
    fake = bytearray(make_zip({"OFD.xml": b"<x/>"}))
    at = fake.rfind(b"PK\x05\x06")
    fake[at + 8:at + 12] = struct.pack("<HH", 0xFFFF, 0xFFFF)
    assert files.zip_names_of(io.BytesIO(bytes(fake))) is None


def test_the_test_files_are_well_formed():
    png = make_png()
    at = 8
    while at < len(png):  # every PNG chunk's CRC is right, and the image data inflates
        (length,) = struct.unpack(">I", png[at:at + 4])
        kind, data = png[at + 4:at + 8], png[at + 8:at + 8 + length]
        assert struct.unpack(">I", png[at + 8 + length:at + 12 + length])[0] == zlib.crc32(kind + data)
        if kind == b"IDAT":
            assert zlib.decompress(data) == b"\x00\x80"
        at += 12 + length
    pdf = make_pdf()
    xref = int(pdf.rsplit(b"startxref", 1)[1].split()[0])
    assert pdf[xref:xref + 4] == b"xref"
    offsets = [int(line.split()[0]) for line in pdf[xref:].split(b"\n")[3:7]]
    assert [pdf[o:o + 7] for o in offsets] == [b"%d 0 obj" % n for n in range(1, 5)]
    jpeg = make_jpeg()
    assert jpeg.startswith(b"\xff\xd8\xff\xe0") and jpeg.endswith(b"\xff\xd9")


# --- accepting and storing ------------------------------------------------------------------------


@pytest.mark.parametrize(("maker", "filename", "ctype"), [
    (make_pdf, "申请书.pdf", files.PDF),
    (make_png, "身份证正面.PNG", files.PNG),
    (make_jpeg, "photo.jpeg", files.JPEG),
    (make_jpeg, "photo.jpg", files.JPEG),
    (make_ofd, "营业执照.ofd", files.OFD),
    (make_tiff, "scan.tif", files.TIFF),
    (make_pdf, "no-extension", files.PDF),
])
def test_accepted_types_are_stored_by_content(db, media, maker, filename, ctype):
    content = maker()
    stored = files.check_and_store(content, filename=filename)
    sha = hashlib.sha256(content).hexdigest()
    assert stored.pk is not None
    assert stored.content_type == ctype
    assert stored.size == len(content)
    assert stored.sha256 == sha
    assert stored.storage_name == f"cas/{sha[:2]}/{sha[2:4]}/{sha}"
    assert (media / "cas" / sha[:2] / sha[2:4] / sha).read_bytes() == content
    assert files.read_bytes(stored) == content
    with files.open_stored(stored) as fh:
        assert fh.read(5) == content[:5]
    assert files.verify_fixity(stored)


def test_django_uploaded_files_and_file_objects_are_accepted(db, media):
    pdf = make_pdf("uploaded")
    stored = files.check_and_store(SimpleUploadedFile("a.pdf", pdf, content_type="text/html"), filename="a.pdf")
    assert stored.content_type == files.PDF  # the browser's Content-Type is ignored
    temp = TemporaryUploadedFile("b.png", "image/png", 0, None)
    temp.write(make_png())
    temp.flush()
    stored = files.check_and_store(temp, filename="b.png")
    temp.close()
    assert stored.content_type == files.PNG and stored.size == len(make_png())
    stream = io.BytesIO(make_jpeg())
    stream.read(2)  # a stream already read from is read from the start again
    assert files.check_and_store(stream, filename="c.jpg").size == len(make_jpeg())


def test_a_non_seekable_stream_is_read_once(db, media):
    class Pipe(io.RawIOBase):
        def __init__(self, data):
            self.data = io.BytesIO(data)

        def readable(self):
            return True

        def read(self, n=-1):
            return self.data.read(n)

    content = make_pdf("pipe")
    stored = files.check_and_store(Pipe(content), filename="pipe.pdf")
    assert files.read_bytes(stored) == content


def test_digests_match_hashlib_openssl_and_gmssl(db, media):
    content = make_pdf("digests") + b"\n% padding\n" * 200_000  # ~2.2 MB: several chunks
    stored = files.check_and_store(content, filename="big.pdf")
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.sm3 == gmssl_pyx.sm3_hash(content).hex()
    if shutil.which("openssl"):
        result = subprocess.run(["openssl", "dgst", "-sm3", "-r"], input=content, capture_output=True, timeout=30)
        if result.returncode == 0:
            assert result.stdout.split()[0].decode() == stored.sm3


def test_sm3_reference_vector_from_gbt_32905():
    assert files.hashlib.new("sm3", b"abc").hexdigest() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")


def test_the_same_content_is_stored_once(db, media):
    content = make_png()
    first = files.check_and_store(content, filename="a.png")
    second = files.check_and_store(io.BytesIO(content), filename="other-name.png")
    assert first.pk == second.pk
    assert StoredFile.objects.count() == 1
    assert len(stored_paths(media)) == 1


def test_a_concurrent_insert_of_the_same_content_is_caught(db, media, monkeypatch):
    content = make_jpeg()
    winner = files.check_and_store(content, filename="a.jpg")
    monkeypatch.setattr(files, "_existing", lambda sha256: None)  # we did not see the other request's row
    again = files.check_and_store(content, filename="b.jpg")
    assert again.pk == winner.pk
    assert StoredFile.objects.count() == 1
    assert len(stored_paths(media)) == 1
    StoredFile.objects.get(pk=winner.pk)  # the transaction is still usable after the IntegrityError


def test_a_missing_or_damaged_stored_file_is_written_again(db, media):
    content = make_pdf("repair")
    stored = files.check_and_store(content, filename="a.pdf")
    path = media / stored.storage_name
    path.write_bytes(b"half a file")
    assert not files.verify_fixity(stored)
    files.check_and_store(content, filename="a.pdf")
    assert path.read_bytes() == content
    assert len(stored_paths(media)) == 1
    path.unlink()
    files.check_and_store(content, filename="a.pdf")
    assert files.verify_fixity(stored)


def test_fixity_detects_a_changed_or_missing_file(db, media):
    content = make_pdf("fixity")
    stored = files.check_and_store(content, filename="a.pdf")
    assert files.verify_fixity(stored)
    path = media / stored.storage_name
    path.write_bytes(content.replace(b"fixity", b"FIXITY"))  # same size, other bytes
    assert not files.verify_fixity(stored)
    path.write_bytes(content + b"\n")
    assert not files.verify_fixity(stored)
    path.unlink()
    assert not files.verify_fixity(stored)


# --- refusals -------------------------------------------------------------------------------------


def test_a_png_named_pdf_is_refused(db, media):
    problem = refused("cases.upload.type_mismatch", make_png(), "申请书.pdf")
    assert "申请书.pdf" in problem.message_zh and "PNG" in problem.message_zh
    assert "申请书.pdf" in problem.message_en and ".pdf" in problem.message_en
    assert problem.field == "file"
    assert not StoredFile.objects.exists() and not stored_paths(media)


def test_an_html_file_named_pdf_is_refused(db, media):
    problem = refused("cases.upload.type_mismatch", HTML, "invoice.pdf")
    assert "invoice.pdf" in problem.message_en and "20 MB" in problem.message_en
    assert not StoredFile.objects.exists() and not stored_paths(media)


@pytest.mark.parametrize(("content", "filename"), [
    (HTML, "page.html"),
    (HTML, "page"),
    (b"plain text", "notes.txt"),
    (make_zip({"word/document.xml": b"<w/>"}), "letter.zip"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "anim.gif"),
])
def test_types_that_are_not_accepted_are_refused(db, media, content, filename):
    problem = refused("cases.upload.type_not_allowed", content, filename)
    assert filename in problem.message_zh and "PDF" in problem.message_zh and "OFD" in problem.message_en
    assert not stored_paths(media)


@pytest.mark.parametrize(("content", "filename"), [
    (make_zip({"word/document.xml": b"<w/>"}), "fake.ofd"),  # a ZIP without OFD.xml is no OFD
    (make_ofd(), "doc.pdf"),
    (make_pdf(), "scan.jpg"),
    (make_png(), "image.exe"),  # an accepted content under a name claiming something else
    (make_jpeg(), "photo.html"),
])
def test_names_that_lie_about_the_type_are_refused(db, media, content, filename):
    refused("cases.upload.type_mismatch", content, filename)
    assert not stored_paths(media)


def test_empty_files_are_refused(db, media):
    problem = refused("cases.upload.empty", b"", "blank.pdf")
    assert "blank.pdf" in problem.message_zh
    refused("cases.upload.empty", SimpleUploadedFile("blank.pdf", b""), "blank.pdf")


def test_oversize_files_are_refused_without_reading_them_all(db, media, settings):
    settings.GOVHALL_MAX_UPLOAD_BYTES = 3 * files.MiB
    content = make_pdf()
    exact = content + b"\0" * (3 * files.MiB - len(content))
    assert files.check_and_store(exact, filename="exact.pdf").size == 3 * files.MiB

    class Counting(io.BytesIO):
        bytes_read = 0

        def read(self, n=-1):
            data = super().read(n)
            self.bytes_read += len(data)
            return data

    stream = Counting(exact + b"\0" * (50 * files.MiB))
    problem = refused("cases.upload.too_large", stream, "huge.pdf")
    assert stream.bytes_read <= 4 * files.MiB
    assert "huge.pdf" in problem.message_zh and "3 MB" in problem.message_zh and "3 MB" in problem.message_en
    assert StoredFile.objects.count() == 1
    # a Django upload that declares its size is refused before reading
    refused("cases.upload.too_large", SimpleUploadedFile("big.pdf", exact + b"x"), "big.pdf")


def test_a_small_limit_is_named_in_the_message(db, media, settings):
    settings.GOVHALL_MAX_UPLOAD_BYTES = 1000
    problem = refused("cases.upload.too_large", make_pdf() + b" " * 1000, "a.pdf")
    assert "0.000954 MB" in problem.message_en


def test_the_default_limit_is_20_mib(settings):
    settings.GOVHALL_MAX_UPLOAD_BYTES = 5
    assert files.max_bytes() == 5
    del settings.GOVHALL_MAX_UPLOAD_BYTES
    assert files.max_bytes() == 20 * 1024 * 1024


def test_a_20_mb_file_is_hashed_and_stored_quickly(db, media, settings):
    settings.GOVHALL_MAX_UPLOAD_BYTES = 20 * files.MiB
    content = make_pdf("big") + bytes(range(256)) * (20 * files.MiB // 256 - 10)
    assert len(content) <= 20 * files.MiB
    started = time.perf_counter()
    stored = files.check_and_store(content, filename="big.pdf")
    elapsed = time.perf_counter() - started
    assert stored.size == len(content)
    assert elapsed < 5, f"storing 20 MB took {elapsed:.2f} s"
    started = time.perf_counter()
    assert files.verify_fixity(stored)
    assert time.perf_counter() - started < 5
