"""Resolve parsed declarations against the reference data: seat, parties, election."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection

from pipeline.db import sql
from pipeline.exceptions import LiveMessage, OtherElection, PipelineError, TestMessage, UnknownConstituency
from pipeline.model import Candidate, Declaration, Message, MessageKind, Nominations, SourceFormat, StateOfParties
from pipeline.names import fold


@dataclass(frozen=True)
class Baseline:
    """A seat's baseline result: who won, who came second, by how much, and which election that was."""

    winner: str
    runner_up: str | None
    majority_pct: float
    label: str  # the baseline election as alerts name it: "2017", "2019 notional"


@dataclass
class Reference:
    """Reference data for one counted election, loaded once per process."""

    counting_election_id: str
    baseline_election_id: str
    names: dict[str, str]  # gss -> official name
    by_key: dict[str, str]  # folded name -> gss
    electorate: dict[str, int | None]  # gss -> registered electorate in the counted election
    aliases: dict[str, str]  # folded alias -> party code
    baseline: dict[str, Baseline] = field(default_factory=dict)
    feed_mode: str = "live"  # RESULTSNIGHT_FEED_MODE: which of the agency's feeds counts tonight
    # Its polling day (ISO) from its elections row; None while it is not known (parl.next).
    election_date: str | None = None

    def party(self, *labels: str | None) -> str | None:
        """The canonical code for the first label that is a known alias."""
        for label in labels:
            if label:
                code = self.aliases.get(fold(label))
                if code:
                    return code
        return None


def load_reference(conn: Connection, feed_mode: str = "live") -> Reference:
    """Read the counted election's seats, parties and baseline from the database."""
    setting = conn.execute(sql("queries/ingest/count_setting")).one_or_none()
    if setting is None:
        raise PipelineError("no election is set to be counted: run `resultsnight db init`")
    counting, baseline_id = setting
    names, by_key, electorate = {}, {}, {}
    for gss, name, name_key, elect in conn.execute(sql("queries/ingest/reference_seats"), {"election_id": counting}):
        names[gss] = name
        by_key[name_key] = gss
        electorate[gss] = elect
    aliases = {k: v for k, v in conn.execute(sql("queries/ingest/reference_aliases"))}
    polling_day = conn.execute(sql("queries/ingest/counting_election_date")).scalar()
    ref = Reference(
        counting,
        baseline_id,
        names,
        by_key,
        electorate,
        aliases,
        feed_mode=feed_mode,
        election_date=polling_day.isoformat() if polling_day is not None else None,
    )
    label = conn.execute(sql("queries/ingest/baseline_label"), {"election_id": baseline_id}).scalar_one()
    for gss, winner, runner_up, majority_pct in conn.execute(
        sql("queries/ingest/reference_baseline_seats"), {"election_id": baseline_id}
    ):
        ref.baseline[gss] = Baseline(winner, runner_up, float(majority_pct), label)
    return ref


_TEST_FEED = re.compile(r"\btest\b", re.IGNORECASE)


def check_election(name: str | None, date: str | None, election_type: str | None, ref: Reference) -> str:
    """The counted election's id if an agency message's <Election> belongs to tonight's feed; else raise why not.

    Live mode: a TEST-feed message (the word "Test" in its election name) is
    refused; anything else must be a general election (type G) on the counted
    election's date (its elections row). While that date is not known (the
    next general election, `parl.next`), any live general election counts:
    there is no other general election for the agency to send. Test mode:
    live messages are refused, and TEST messages of a general election count
    whatever their (rehearsal) date.
    """
    label = f"{name or '(no name)'} of {date or '(no date)'}, type {election_type or '(none)'}"
    is_test = bool(name and _TEST_FEED.search(name))
    if ref.feed_mode == "test" and not is_test:
        raise LiveMessage(
            f"a live-feed message ({label}) during a rehearsal on the TEST feed "
            "(RESULTSNIGHT_FEED_MODE=test): kept out of the rehearsal's results"
        )
    if ref.feed_mode != "test" and is_test:
        raise TestMessage(
            f"a TEST-feed message ({label}) on a live night: kept out of the results; "
            "for a rehearsal set RESULTSNIGHT_FEED_MODE=test"
        )
    counted_date = ref.election_date
    if (election_type or "").strip().upper() != "G" or (
        not is_test and counted_date is not None and date != counted_date
    ):
        raise OtherElection(
            f"a message for another election ({label}); tonight counts the general election of "
            f"{counted_date or 'a date not yet known'}"
        )
    return ref.counting_election_id


def admit(decl: Message, ref: Reference) -> Message:
    """The message with election_id set to the counted election's, if it is from tonight's feed; else raise why not."""
    if decl.source_format == SourceFormat.AGENCY_XML:
        decl.election_id = check_election(decl.election_name, decl.election_date, decl.election_type, ref)
    elif ref.feed_mode == "test":
        raise LiveMessage("a Democracy Club results CSV (published results) during a rehearsal on the TEST feed")
    elif decl.election_id is not None and decl.election_id != ref.counting_election_id:
        raise OtherElection(
            f"a result for {decl.election_id}; tonight counts {ref.counting_election_id} (Democracy Club election_id)"
        )
    return decl


def seat_of(ref: Reference, gss_code: str | None, name: str | None) -> str | None:
    """The seat's GSS code: the code given if it is a seat of the counted election, else by name; None if neither."""
    if gss_code and gss_code.upper() in ref.names:
        return gss_code.upper()
    if name and fold(name) in ref.by_key:
        return ref.by_key[fold(name)]
    return None


def _place(msg: Declaration | Nominations, ref: Reference, refusal: Callable[[], str]) -> None:
    """Fill a one-seat message's seat and registered electorate; raise UnknownConstituency (`refusal()`) if none."""
    msg.gss_code = seat_of(ref, msg.gss_code_given, msg.constituency_name)
    if msg.gss_code is None:
        raise UnknownConstituency(refusal())
    msg.registered_electorate = ref.electorate.get(msg.gss_code)


def _candidate_parties(candidates: list[Candidate], ref: Reference) -> list[str]:
    """Set each candidate's party code (OTH for an unheard-of party); return the labels not recognised."""
    unknown: list[str] = []
    for cand in candidates:
        code = ref.party(cand.party_label, cand.party_name)
        if code is None:
            code = "OTH"  # an unheard-of party still counts; it is reported, not rejected
            unknown.append(cand.party_label or cand.party_name or "(blank)")
        cand.party_code = code
    return unknown


def resolve_message(msg: Message, ref: Reference) -> Message:
    """Resolve any parsed message: a declaration, a seat's nominations or the state of the parties."""
    if isinstance(msg, Nominations):
        return resolve_nominations(msg, ref)
    if isinstance(msg, StateOfParties):
        return resolve_state_of_parties(msg, ref)
    return resolve(msg, ref)


def resolve_nominations(nom: Nominations, ref: Reference) -> Nominations:
    """Fill the seat (by name, as results are) and the party codes; raise UnknownConstituency if no seat matches."""
    _place(
        nom,
        ref,
        lambda: (
            f"nominations for a constituency that is not one of {ref.counting_election_id}: "
            f"GSS code {nom.gss_code_given!r}, name {nom.constituency_name!r}"
        ),
    )
    nom.unknown_parties = sorted(set(_candidate_parties(nom.candidates, ref)))
    return nom


def resolve_state_of_parties(sop: StateOfParties, ref: Reference) -> StateOfParties:
    """Resolve every constituency the message includes and each party's code.

    Raises UnknownConstituency naming the constituencies that match none.
    """
    codes, missing = [], []
    for name in sop.constituency_names:
        gss = seat_of(ref, None, name)
        (codes if gss else missing).append(gss or name)
    if missing:
        raise UnknownConstituency(
            f"the state of the parties after {sop.number_of_results} results includes "
            f"{len(missing)} constituenc{'y' if len(missing) == 1 else 'ies'} that are not of "
            f"{ref.counting_election_id}: {', '.join(repr(m) for m in missing[:10])}"
            + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        )
    sop.gss_codes = codes
    unknown = []
    for party in sop.parties:
        # "Others" is the agency's pseudo-party: everything it does not list on its own.
        code = "OTH" if party.label.casefold() == "others" else ref.party(party.label, party.name)
        if code is None:
            code = "OTH"
            unknown.append(party.label)
        party.party_code = code
    sop.unknown_parties = sorted(set(unknown))
    return sop


def resolve(decl: Declaration, ref: Reference) -> Declaration:
    """Fill gss_code, party codes, the registered electorate; raise UnknownConstituency if no seat matches."""
    _place(
        decl,
        ref,
        lambda: (
            f"no constituency of {ref.counting_election_id} matches "
            f"GSS code {decl.gss_code_given!r} or name {decl.constituency_name!r}"
        ),
    )
    unknown = _candidate_parties(decl.candidates, ref)
    if decl.kind == MessageKind.RUSH and decl.winning_party_label:
        decl.winning_party_code = ref.party(decl.winning_party_label)
        if decl.winning_party_code is None:
            decl.winning_party_code = "OTH"
            unknown.append(decl.winning_party_label)
    if decl.kind == MessageKind.RESULT:
        elected = [c for c in decl.candidates if c.elected]
        decl.winning_party_code = elected[0].party_code if len(elected) == 1 else None
    decl.unknown_parties = sorted(set(unknown))
    return decl
