"""The agency XML writer: the mirror of pipeline.parse, writing what the agency writes (one import for its callers).

Each function writes one message as the agency's live (or TEST) feed does
(docs: the spec's "Agency XML" section, checked by eye against the agency's
own TEST-programme files): no `gssCode`, `Constituency@number` the agency's
seat number (alphabetical here), two-decimal percentages, signed change
fields, absent attributes rather than zeros, `declarationTime` on results
only, the baseline's block in every result and nominations file
(`PreviousElection` from 2017 on the 2019 night, `PreviousNotionalElection`
from the notionals on the 2024 night), rushes naming
`winningPartyAbbreviation` with every candidate.
tests/unit/test_agency_xml.py checks that pipeline.parse reads back exactly
what was written. The agency's own figures (`sittingParty`, `gainOrHold`,
swing, its state-of-the-parties gains) compare with the party holding the
seat at dissolution, not with 2017: the pipeline must not trust them, and
this writer makes sure it cannot. After a boundary change that party is the
notional winner, and the agency's gains are ours.

The work is split by job: agency_format (feeds, parties, file names,
numbers), agency_people (invented names), agency_previous (the baseline's
block), agency_messages (result, rush, recount, nominations), agency_sop
(the state of the parties), agency_nights (which feed each night is).
"""

from __future__ import annotations

from pipeline.rehearsal.agency_format import (
    AGENCY_PARTY,
    ELECTION_TYPE,
    LIVE,
    OTHERS,
    PROVENANCE,
    REHEARSAL_DATE,
    TEST,
    TEST_ID_OFFSET,
    Feed,
    Previous,
    file_name,
    slug,
    sop_file_name,
)
from pipeline.rehearsal.agency_messages import (
    candidate_id,
    nominations_xml,
    recount_xml,
    result_xml,
    rush_text,
    rush_xml,
)
from pipeline.rehearsal.agency_people import FIRST_NAMES, SURNAMES
from pipeline.rehearsal.agency_previous import previous_election_xml, previous_names
from pipeline.rehearsal.agency_sop import Declared, state_of_parties_xml

__all__ = [
    "AGENCY_PARTY",
    "ELECTION_TYPE",
    "FIRST_NAMES",
    "LIVE",
    "OTHERS",
    "PROVENANCE",
    "REHEARSAL_DATE",
    "SURNAMES",
    "TEST",
    "TEST_ID_OFFSET",
    "Declared",
    "Feed",
    "Previous",
    "candidate_id",
    "file_name",
    "nominations_xml",
    "previous_election_xml",
    "previous_names",
    "recount_xml",
    "result_xml",
    "rush_text",
    "rush_xml",
    "slug",
    "sop_file_name",
    "state_of_parties_xml",
]
