"""Fixtures of the cases tests (an item with steps, staff, a submitted application, frozen time) and
helpers to read PDFs back."""

import shutil
import subprocess

import pytest

from govhall.cases.tests.conftest import *  # noqa: F403 - reuse the case fixtures as they are


def pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


needs_poppler = pytest.mark.skipif(shutil.which("pdfsig") is None or shutil.which("pdftotext") is None,
                                   reason="poppler-utils (pdfsig, pdftotext) is not installed")
