"""The fetcher's pure parts: which server file names may become inbox files, and what a feed address keeps secret."""

from __future__ import annotations

import pytest

from pipeline.exceptions import FeedRefused
from pipeline.fetch.address import FeedAddress
from pipeline.fetch.names import refusal


@pytest.mark.unit
@pytest.mark.parametrize(
    "name",
    [
        "../x.xml",
        "..",
        ".",
        "a/b.xml",
        "a\\b.xml",
        "bell\x07.xml",
        "new\nline.xml",
        "x" * 252 + ".xml",
        ".hidden.xml",
        ".timestamp",
        "",
        "é" * 128 + ".xml",
        "bad\udcff.xml",
    ],
)
def test_a_name_that_is_not_a_plain_base_name_is_refused(name):
    assert refusal(name) is not None


@pytest.mark.unit
@pytest.mark.parametrize(
    "name",
    [
        "General_Election_result_Norwich_North_1.xml",
        "Scottish_Parliament_Test_result_Caithness,_Sutherland_and_Ross_3.xml",
        "General_Election_SOP_102.xml",
        "x" * 251 + ".xml",
    ],
)
def test_a_plain_base_name_is_accepted(name):
    assert refusal(name) is None


@pytest.mark.unit
def test_the_address_keeps_the_password_out_of_its_label_and_repr():
    a = FeedAddress.from_url("ftp://pa%20live:p%40ss@127.0.0.1:2121/live")
    assert (a.user, a.password, a.port, a.path) == ("pa live", "p@ss", 2121, "live")
    assert "p@ss" not in a.label and "p@ss" not in repr(a)
    assert a.folder("results") == "live/results"
    assert FeedAddress.from_url("sftp://u@h//srv/feed").folder("results") == "/srv/feed/results"
    with pytest.raises(FeedRefused):
        FeedAddress.from_url("http://h/live")
