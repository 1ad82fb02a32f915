"""When the agency's state of the parties is checked against our own figures, and what its alert says.

The agency issues a state of the parties after the results it lists, but its
files can reach us in another order: the results of the last few seats may
still be on their way (or in another worker's transaction) when the message
is ingested. Comparing then would raise a `disagreement` that is only our
lag. So a message is checked once we hold a result for every constituency
it lists: when it is stored if we already do, else when the last of those
results is stored. One that has waited longer than the grace
(RESULTSNIGHT_AGENCY_CHECK_GRACE_SECONDS) is checked with what we hold, and
its alert names the seats we have no result for: that is a disagreement the
desk must see. `results.agency_check` itself is always current; only the
alert waits.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from pipeline.alerts import PlannedAlert
from pipeline.db import sql
from pipeline.model import AlertKind, AlertSource


def take_turns(conn: Connection) -> None:
    """Serialise checks with the storing of results until this transaction ends."""
    conn.execute(sql("queries/agency_check/lock"))


def check(conn: Connection, party_state_id: int, *, waited_enough: bool = False) -> list[PlannedAlert]:
    """Check one message if every seat it lists has a result (or it has waited enough); its alert, if it raised one."""
    message = conn.execute(sql("queries/agency_check/message"), {"party_state_id": party_state_id}).one()
    if message.checked_at is not None:
        return []
    unresulted = (
        conn.execute(sql("queries/agency_check/unresulted"), {"party_state_id": party_state_id}).scalars().all()
    )
    if unresulted and not waited_enough:
        return []  # its seats' results are still on their way: checked when the last one is stored
    conn.execute(sql("queries/agency_check/mark_checked"), {"party_state_id": party_state_id})
    text = disagreement(conn, party_state_id, message.number_of_results, message.listed, unresulted)
    if text is None:
        return []
    inserted = conn.execute(
        sql("queries/agency_check/insert_alert"),
        {
            "election_id": message.election_id,
            "kind": AlertKind.DISAGREEMENT,
            "source": AlertSource.STATE_OF_PARTIES,
            "party_state_id": party_state_id,
            "message": text,
        },
    ).first()
    if inserted is None:
        return []
    return [PlannedAlert(AlertKind.DISAGREEMENT, None, None, AlertSource.STATE_OF_PARTIES, text)]


def check_waiting(conn: Connection, gss_codes: Sequence[str]) -> list[PlannedAlert]:
    """After results are stored for these seats: check each waiting message that lists one of them."""
    if not gss_codes:
        return []
    rows = conn.execute(sql("queries/agency_check/waiting"), {"gss_codes": list(gss_codes)}).all()
    return [a for r in rows for a in check(conn, r.party_state_id)]


def check_overdue(conn: Connection, grace_seconds: float) -> list[PlannedAlert]:
    """Check every message that has waited longer than the grace, with the results we hold."""
    take_turns(conn)
    rows = conn.execute(sql("queries/agency_check/overdue"), {"grace_seconds": grace_seconds}).all()
    return [a for r in rows for a in check(conn, r.party_state_id, waited_enough=True)]


def disagreement(
    conn: Connection, party_state_id: int, number_of_results: int, listed: int, unresulted: Sequence[str]
) -> str | None:
    """The alert's text if the message's seat totals (or shared-baseline gains) disagree with ours, else None."""
    rows = conn.execute(sql("queries/agency_check/check"), {"party_state_id": party_state_id}).all()
    ours_total = listed - len(unresulted)
    agency_total = sum(r.agency_seats for r in rows)
    differ = [r for r in rows if r.agency_seats != r.our_seats]
    # Gains only where both count them against the same (notional) baseline: on other nights the
    # agency's are against the party holding the seat at dissolution, and differ by design.
    moved = [r for r in rows if r.baseline_shared and (r.agency_gains, r.agency_losses) != (r.our_gains, r.our_losses)]
    # Our seats for parties the message lists nowhere (not even under Others) fall outside every row.
    if not differ and not moved and ours_total == agency_total:
        return None
    parts = [f"{r.party} agency {r.agency_seats}, ours {r.our_seats}" for r in differ]
    if ours_total != agency_total:
        parts.append(f"all parties agency {agency_total}, ours {ours_total}")
    sections = ["seats " + "; ".join(parts)] if parts else []
    if moved:
        sections.append(
            "gains and losses against the notional results "
            + "; ".join(
                f"{r.party} agency +{r.agency_gains}/-{r.agency_losses}, ours +{r.our_gains}/-{r.our_losses}"
                for r in moved
            )
        )
    text = (
        f"The agency's state of the parties after {number_of_results} results disagrees with ours "
        f"over the same {listed} constituencies: " + "; ".join(sections)
    )
    if unresulted:
        shown = ", ".join(unresulted[:10]) + (f" and {len(unresulted) - 10} more" if len(unresulted) > 10 else "")
        text += f". We hold no result for {shown}"
    return text + "."
