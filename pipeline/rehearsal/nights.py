"""The nights the rehearsal can replay, and what tells them apart: feed, baseline block, clock, fixed times.

2019 is counted against 2017 on the same boundaries (`PreviousElection`);
2024 against the notional 2019 results on its new ones
(`PreviousNotionalElection`), at its real declaration times
(seeds/declaration_times.csv, derived by pipeline.rehearsal.derive_ge2024).
"""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipeline.exceptions import ConfigurationError
from pipeline.rehearsal.agency_format import LIVE, TEST, Feed, Previous
from pipeline.rehearsal.seats import ELECTION_ID, Seat


@dataclass(frozen=True)
class Night:
    """One replayable night: its election, its two feeds, and the times that give it its shape."""

    election_id: str
    live: Feed
    test: Feed
    midnight: datetime  # the clock model counts hours from here (local midnight, in UTC)
    nominations_at: datetime  # when the replay publishes the nominations (before polls close)
    nominations_corrected_at: datetime  # and the second revisions correcting a few
    # Declarations pinned by seat name; those seats get no correction story.
    pinned: Mapping[str, datetime] = field(default_factory=dict)
    real_recounts: tuple[str, ...] = ()  # seats (by name) that always get a recount notice
    real_times: bool = False  # declaration times from seeds/declaration_times.csv where it has them


NIGHT_2019 = Night(
    ELECTION_ID,
    LIVE,
    TEST,
    midnight=datetime(2019, 12, 13, 0, 0, tzinfo=UTC),  # UK time = UTC in December
    nominations_at=datetime(2019, 12, 12, 21, 0, tzinfo=UTC),
    nominations_corrected_at=datetime(2019, 12, 12, 21, 40, tzinfo=UTC),
    # Tyneside and Wearside race to be first, St Ives comes last. Times are approximate.
    pinned={
        "Newcastle upon Tyne Central": datetime(2019, 12, 12, 23, 27, tzinfo=UTC),
        "Houghton and Sunderland South": datetime(2019, 12, 12, 23, 30, tzinfo=UTC),
        "Blyth Valley": datetime(2019, 12, 13, 0, 5, tzinfo=UTC),
        "Sunderland Central": datetime(2019, 12, 13, 0, 11, tzinfo=UTC),
        "Washington and Sunderland West": datetime(2019, 12, 13, 0, 18, tzinfo=UTC),
        # Fog kept the Isles of Scilly ballot boxes on the islands overnight.
        "St Ives": datetime(2019, 12, 13, 11, 58, tzinfo=UTC),
    },
    real_recounts=("Kensington",),  # recounted in 2019 (and in 2017)
)

_NOTIONAL_2019 = Previous("General Election", "2019-12-12", notional=True)
PROVENANCE_2024 = (
    "Candidate names are invented; votes are the House of Commons Library's 2024 figures against "
    "Rallings and Thrasher's notional 2019 results; in each seat the leading independent stands alone "
    "and the other minor candidates are folded into one 'Other' line"
)
NIGHT_2024 = Night(
    "parl.2024-07-04",
    Feed(
        "General Election",
        "2024-07-04",
        test=False,
        previous=_NOTIONAL_2019,
        candidate_ids=240_000,
        provenance=PROVENANCE_2024,
    ),
    # The TEST feed's rehearsal a week before polling day.
    Feed(
        "Test General Election",
        "2024-06-27",
        test=True,
        previous=_NOTIONAL_2019,
        candidate_ids=240_000,
        provenance=PROVENANCE_2024,
    ),
    midnight=datetime(2024, 7, 4, 23, 0, tzinfo=UTC),  # midnight BST; polls closed at 21:00 UTC
    nominations_at=datetime(2024, 7, 4, 19, 0, tzinfo=UTC),
    nominations_corrected_at=datetime(2024, 7, 4, 19, 40, tzinfo=UTC),
    # Inverness, Skye and West Ross-shire went to a recount and declared on 6 July;
    # the times file has no time for it, so the clock model places it.
    real_recounts=("Inverness, Skye and West Ross-shire",),
    real_times=True,
)

NIGHTS: dict[str, Night] = {n.election_id: n for n in (NIGHT_2019, NIGHT_2024)}


def night_for(election_id: str = ELECTION_ID) -> Night:
    """The replayable night of an election id; ConfigurationError for any other."""
    night = NIGHTS.get(election_id)
    if night is None:
        raise ConfigurationError(f"no replay of {election_id}: the rehearsal replays {', '.join(sorted(NIGHTS))}")
    return night


def fixed_times(night: Night, seats: Sequence[Seat], seeds_dir: Path) -> dict[str, datetime]:
    """GSS code -> the declaration time that is not the clock model's: pinned, or real from the seeds."""
    out = {s.gss_code: night.pinned[s.name] for s in seats if s.name in night.pinned}
    if night.real_times:
        wanted = {s.gss_code for s in seats}
        with (seeds_dir / "declaration_times.csv").open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if row["election_id"] == night.election_id and row["gss_code"] in wanted:
                    out[row["gss_code"]] = datetime.fromisoformat(row["declared_at"].replace("Z", "+00:00"))
    return out
