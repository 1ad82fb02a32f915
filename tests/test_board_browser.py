"""The board in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright for Python).

Skipped only where Chromium is genuinely absent, and never under CI (CI set):
there a missing browser is a failure. `.ci/run` installs Debian's `chromium`.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from pipeline.ingest import ingest_paths
from pipeline.schema import reset_night
from tests.board_helpers import (
    HOSTILE_CANDIDATE,
    BoardServer,
    hostile_result,
    night_in_two,
    wait_for_event_id,
)
from tests.db_helpers import last_event

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
SPLIT = 500
HOSTILE_SEAT_NAME = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing: CI must install Debian's chromium (apt-get install -y chromium)")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    first, _, later = night_in_two(tmp_path_factory, SPLIT)
    return first, later


@pytest.fixture(scope="module")
def board(engine, settings, night):
    _need_chromium()
    reset_night(engine)
    ingest_paths(engine, [night[0]], settings=settings)
    server = BoardServer(settings)
    yield server
    assert server.stop() == 0


@pytest.fixture(scope="module")
def browser(board):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser, board):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.dialogs = []  # any alert() that fires is a script that ran from data
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.errors = []  # a script error, or anything the Content-Security-Policy refused
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.goto(board.base + "/")
    pg.wait_for_function("() => window.__rn && window.__rn.ready", timeout=30_000)
    yield pg
    context.close()


def api(board, path, **params):
    return httpx.get(board.base + path, params=params, timeout=30).json()


def test_mid_night_the_filled_hexes_are_the_declared_seats(board, page):
    seats = api(board, "/api/v1/seats")
    declared = sum(s["status"] == "declared" for s in seats)
    known = sum(s["winner_party"] is not None for s in seats)
    assert 0 < declared < 650
    assert page.locator("polygon.hex").count() == 650
    assert page.locator('polygon.hex[data-status="declared"]').count() == declared
    assert page.locator('polygon.hex[data-filled="true"]').count() == known
    assert page.locator("#declared").get_attribute("data-declared") == str(declared)
    assert page.locator("#tally tbody tr").count() > 3


def test_one_more_file_changes_the_page_without_a_reload(engine, settings, board, page, night, tmp_path):
    loaded = page.evaluate("window.__rn.loadedAt")
    before = int(page.locator("#declared").get_attribute("data-declared"))
    next_result = next(m for m in night[1] if m.kind == "result")
    (tmp_path / next_result.file_name).write_bytes(next_result.body)
    ingest_paths(engine, [tmp_path], settings=settings)
    page.wait_for_function(
        f"() => Number(document.querySelector('#declared').dataset.declared) > {before}", timeout=30_000
    )
    assert page.evaluate("window.__rn.loadedAt") == loaded
    gss = next_result.gss_code
    assert page.locator(f'polygon.hex[data-gss="{gss}"]').get_attribute("data-status") == "declared"


def test_the_search_opens_the_right_card(board, page):
    declared = [s for s in api(board, "/api/v1/seats") if s["status"] == "declared"]
    seat = declared[len(declared) // 2]
    page.fill("#search", seat["constituency"])
    page.press("#search", "Enter")
    page.wait_for_selector("#card[open]")
    assert page.locator("#card-title").text_content() == seat["constituency"]
    card = api(board, f"/api/v1/seats/{seat['gss_code']}")
    rows = page.locator("#card-candidates tbody tr")
    assert rows.count() == len(card["candidates"])
    assert card["candidates"][0]["candidate_name"] in rows.nth(0).text_content()
    assert page.locator("#card-revisions tbody tr").count() == len(card["revisions"])
    page.keyboard.press("Escape")
    page.wait_for_selector("#card:not([open])", state="attached")


def test_the_slider_at_an_earlier_time_shows_fewer_seats(page):
    now = int(page.locator("#declared").get_attribute("data-declared"))
    page.locator("#slider").fill("400")
    page.wait_for_function(
        f"() => Number(document.querySelector('#declared').dataset.declared) < {now}", timeout=30_000
    )
    assert page.locator("#mode").text_content() == "Replaying"
    earlier = int(page.locator("#declared").get_attribute("data-declared"))
    assert page.locator('polygon.hex[data-status="declared"]').count() == earlier
    page.click("#live-button")
    page.wait_for_function(
        f"() => Number(document.querySelector('#declared').dataset.declared) >= {now}", timeout=30_000
    )


def test_hostile_names_render_as_text(engine, settings, board, browser, tmp_path):
    gss = "E14000863"  # Norwich North
    with engine.begin() as conn:
        old = conn.execute(text("select name from pipeline.constituency where gss_code = :g"), {"g": gss}).scalar()
        conn.execute(
            text("update pipeline.constituency set name = :n where gss_code = :g"), {"n": HOSTILE_SEAT_NAME, "g": gss}
        )
    try:
        hostile_result(tmp_path, gss)
        ingest_paths(engine, [tmp_path], settings=settings)
        wait_for_event_id(board.base, last_event(engine))
        context = browser.new_context()
        pg = context.new_page()
        dialogs: list[str] = []
        pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        pg.goto(board.base + "/")
        pg.wait_for_function("() => window.__rn && window.__rn.ready", timeout=30_000)
        pg.fill("#search", gss)
        pg.press("#search", "Enter")
        pg.wait_for_selector("#card[open]")
        assert pg.locator("#card-title").text_content() == HOSTILE_SEAT_NAME
        names = pg.locator("#card-candidates tbody tr td:first-child").all_text_contents()
        assert any(" ".join(HOSTILE_CANDIDATE) in n for n in names)
        assert HOSTILE_SEAT_NAME in pg.locator(f'polygon.hex[data-gss="{gss}"] title').text_content()
        assert pg.locator("img").count() == 0
        assert pg.locator("body script").count() == 0
        assert dialogs == []
        context.close()
    finally:
        with engine.begin() as conn:
            conn.execute(text("update pipeline.constituency set name = :n where gss_code = :g"), {"n": old, "g": gss})


def test_readable_on_a_phone(browser, board):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.goto(board.base + "/")
    pg.wait_for_function("() => window.__rn && window.__rn.ready", timeout=30_000)
    # nothing wider than the screen, and the map still fits
    assert pg.evaluate("document.documentElement.scrollWidth") <= 390
    box = pg.locator("#hexmap").bounding_box()
    assert 0 < box["width"] <= 390
    context.close()


def history_counts(board) -> int:
    return len({r["declared_count"] for r in api(board, "/api/v1/projection/history")})


def test_the_projection_panel_shows_the_views_projection_and_band(engine, board, page):
    with engine.connect() as conn:
        view = [
            dict(r)
            for r in conn.execute(
                text(
                    "select party, declared_seats, projected_seats, low, high, declared_count from results.projection"
                    " order by projected_seats desc, party"
                )
            ).mappings()
        ]
    assert view and 0 < view[0]["declared_count"] < 650
    lead = view[0]
    assert lead["low"] < lead["high"]  # mid-night the band is a band, so the cells below are not trivially equal
    page.wait_for_function(
        f"() => document.querySelector('#projection-note').dataset.declaredCount == '{lead['declared_count']}'",
        timeout=30_000,
    )
    rows = page.locator("#projection tbody tr")
    assert rows.count() == len(view)
    first = rows.nth(0)
    assert first.get_attribute("data-party") == lead["party"]
    assert first.locator("td.projected").text_content() == str(lead["projected_seats"])
    assert first.locator("td.declared").text_content() == str(lead["declared_seats"])
    assert first.locator("td.band").text_content() == f"{lead['low']}–{lead['high']}"
    assert f"After {lead['declared_count']} of 650 declared" in page.locator("#projection-note").text_content()
    assert page.errors == []


def test_the_history_chart_has_one_point_per_declared_count_and_moves_live(
    engine, settings, board, page, night, tmp_path
):
    counts = history_counts(board)
    assert counts > 10
    page.wait_for_function(
        f"() => document.querySelector('#history-chart').dataset.counts == '{counts}'", timeout=30_000
    )
    lead = api(board, "/api/v1/projection")[0]["party"]
    lead_counts = len({r["declared_count"] for r in api(board, "/api/v1/projection/history") if r["party"] == lead})
    line = page.locator(f'#history-chart polyline[data-party="{lead}"]')
    assert line.get_attribute("data-points") == str(lead_counts)
    assert len(line.get_attribute("points").split()) == lead_counts
    assert page.locator("#history-chart polygon.band").count() == 2  # the two biggest parties' bands

    declared = int(page.locator("#declared").get_attribute("data-declared"))
    loaded = page.evaluate("window.__rn.loadedAt")
    stored = {r["gss_code"] for r in api(board, "/api/v1/seats") if r["status"] == "declared"}
    next_result = next(m for m in night[1] if m.kind == "result" and m.gss_code not in stored)
    (tmp_path / next_result.file_name).write_bytes(next_result.body)
    ingest_paths(engine, [tmp_path], settings=settings)
    assert history_counts(board) == counts + 1
    page.wait_for_function(
        f"() => document.querySelector('#history-chart').dataset.counts == '{counts + 1}'", timeout=30_000
    )
    page.wait_for_function(
        f"() => document.querySelector('#projection-note').dataset.declaredCount == '{declared + 1}'", timeout=30_000
    )
    assert page.evaluate("window.__rn.loadedAt") == loaded  # no reload: the events did it
    assert len(page.locator(f'#history-chart polyline[data-party="{lead}"]').get_attribute("points").split()) == (
        lead_counts + 1
    )
    assert page.errors == []


def test_the_watch_list_is_the_one_in_seeds_watch_lists_csv(engine, settings, page):
    from pipeline.watchlists import load_watch_lists

    lists = load_watch_lists(settings.seeds_dir, "parl.2019-12-12")  # the night this test replays
    assert lists
    with engine.connect() as conn:
        wanted = [[s["constituency"] for s in w.rows(conn)] for w in lists]
    assert all(wanted)
    tables = page.locator("#watch-lists table.watch")
    assert tables.count() == len(lists)
    for i, w in enumerate(lists):
        assert tables.nth(i).get_attribute("data-list") == w.list_id
        assert tables.nth(i).locator("tbody tr td:first-child").all_text_contents() == wanted[i]
    if len(lists) == 1:
        assert page.locator("#watch-title").text_content() == f"Watch list: {lists[0].title}"


def test_replaying_the_projection_shows_the_row_set_of_the_count_declared_then(board, page):
    now = int(page.locator("#declared").get_attribute("data-declared"))
    page.locator("#slider").fill("300")
    page.wait_for_function(
        f"() => Number(document.querySelector('#declared').dataset.declared) < {now}", timeout=30_000
    )
    earlier = int(page.locator("#declared").get_attribute("data-declared"))
    assert earlier > 0
    page.wait_for_function(
        f"() => document.querySelector('#projection-note').dataset.declaredCount == '{earlier}'", timeout=30_000
    )
    then = sorted(
        (
            r
            for r in api(board, "/api/v1/projection/history", after=earlier - 1)
            if r["declared_count"] == earlier and (r["declared_seats"] or r["projected_seats"])
        ),
        key=lambda r: (-r["projected_seats"], r["party"]),
    )
    rows = page.locator("#projection tbody tr")
    assert [rows.nth(i).get_attribute("data-party") for i in range(rows.count())] == [r["party"] for r in then]
    assert rows.nth(0).locator("td.band").text_content() == f"{then[0]['low']}–{then[0]['high']}"
    assert page.locator("#history-chart line.guide").count() == 1
    page.click("#live-button")
    page.wait_for_function(
        f"() => Number(document.querySelector('#declared').dataset.declared) >= {now}", timeout=30_000
    )
    assert page.locator("#history-chart line.guide").count() == 0


def test_the_board_shows_the_2024_night_on_its_own_map(engine, settings, board, browser, tmp_path):
    """Counting 2024: the 2024 hex layout, the notional baseline in the titles, a Reform gain on the map. Last: it
    switches the counted election, then switches back."""
    import shutil

    from pipeline.schema import init_db

    clacton = Path(__file__).resolve().parent / "corpus" / "ge2024" / "General_Election_2024_result_Clacton_1.xml"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        init_db(engine, settings, election_id="parl.2024-07-04")
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(board.base + "/")
        pg.wait_for_function("() => window.__rn && window.__rn.ready", timeout=30_000)
        assert pg.locator("polygon.hex").count() == 650
        assert pg.locator('polygon.hex[data-gss="E14001174"]').count() == 1  # Clacton's 2024 code
        assert pg.locator('polygon.hex[data-gss="E14000642"]').count() == 0  # ... not its 2010 one
        assert pg.locator("#tally caption").text_content() == "Seats by party, change against 2019 notional"
        assert pg.locator("#watch-lists table.watch").first.get_attribute("data-list") == "east_marginals"
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        shutil.copy(clacton, inbox / clacton.name)
        ingest_paths(engine, [inbox], settings=settings)
        pg.wait_for_function(
            "() => document.querySelector('polygon.hex[data-gss=\"E14001174\"]').dataset.status === 'declared'",
            timeout=30_000,
        )
        assert errors == []
    finally:
        context.close()
        init_db(engine, settings, election_id="parl.2019-12-12")
