"""The broken files a real night also brings, for rehearsing the quarantine (`replay --bad-files`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from xml.sax.saxutils import quoteattr

from pipeline.rehearsal.agency_xml import result_xml, slug
from pipeline.rehearsal.message import Message
from pipeline.rehearsal.nights import night_for
from pipeline.rehearsal.seat_story import candidate_names
from pipeline.rehearsal.seats import ELECTION_ID, load_seats


def bad_files(
    messages: Sequence[Message], seeds_dir: Path | None = None, election_id: str = ELECTION_ID
) -> list[Message]:
    """Three files a real night also brings, for rehearsing the quarantine (`replay --bad-files`).

    A resend cut off in transfer, an agency test message for a constituency
    that does not exist, and a test message with more votes than electors.
    Each has a name of its own (never a real declaration's, which it would
    overwrite in the inbox) and lands a quarter, half and three quarters of
    the way through the given messages. They carry kind "bad".
    """
    night = night_for(election_id)
    results = [m for m in messages if m.kind == "result"]
    # The TEST feed's prefix, on a rehearsal.
    prefix = results[0].file_name.split("_result_")[0] if results else night.live.prefix
    if len(results) < 3:
        return []
    seats = {s.gss_code: s for s in load_seats(seeds_dir, election_id)}
    picks = [results[len(results) * i // 4] for i in (1, 2, 3)]
    out = []

    first = picks[0]
    seat = seats[first.gss_code]
    out.append(
        Message(
            first.at + timedelta(seconds=7),
            f"{prefix}_result_{slug(seat.name)}_1_resend.xml",
            first.body[: len(first.body) * 3 // 5],
            "bad",
            seat.gss_code,
            1,
        )
    )

    second = picks[1]
    seat = seats[second.gss_code]
    # The agency's files carry no gssCode; this one does, and it wins over the name when present.
    body = second.body.replace(f"name={quoteattr(seat.name)}".encode(), b'name="Atlantis North" gssCode="E14099999"')
    out.append(
        Message(second.at + timedelta(seconds=7), f"{prefix}_result_Atlantis_North_1.xml", body, "bad", "E14099999", 1)
    )

    third = picks[2]
    seat = seats[third.gss_code]
    inflated = dict(seat.votes)
    inflated[seat.winner] += seat.electorate
    names = candidate_names(seat, 0)
    feed = night.test if prefix == night.test.prefix else night.live
    body = result_xml(seat, inflated, revision=1, declared_at=third.at, names=names, feed=feed)
    out.append(
        Message(
            third.at + timedelta(seconds=7),
            f"{prefix}_result_{slug(seat.name)}_1_test.xml",
            body,
            "bad",
            seat.gss_code,
            1,
        )
    )
    return out


def with_bad_files(
    messages: Sequence[Message], seeds_dir: Path | None = None, election_id: str = ELECTION_ID
) -> list[Message]:
    """The messages with `bad_files` slotted in, still in landing order."""
    return sorted(
        [*messages, *bad_files(messages, seeds_dir, election_id)], key=lambda m: m.at
    )  # stable: ties keep their order
