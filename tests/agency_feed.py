"""Builders of agency messages in the real format (feed-formats.md section 1), written by hand for the tests.

Names, ids and figures are illustrative; the layout (attributes only, two
decimals, signed changes, absent attributes for nothing to say) is the agency's.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

ELECTION = 'name="General Election" date="2019-12-12" type="G"'
TEST_ELECTION = 'name="Test General Election" date="2019-11-20" type="G"'
PARTY = {  # abbreviation -> (paId, name)
    "C": ("10", "Conservative"),
    "Lab": ("11", "Labour"),
    "LD": ("12", "Liberal Democrat"),
    "Green": ("13", "Green"),
    "Brexit": ("14", "The Brexit Party"),
    "Ind": ("15", "Independent"),
}


def _attrs(**kw) -> str:
    return " ".join(f"{k}={quoteattr(str(v))}" for k, v in kw.items() if v is not None)


def _party(abbr: str, **extra) -> str:
    pa_id, name = PARTY.get(abbr, ("99", abbr))
    return f"<Party {_attrs(paId=pa_id, name=name, abbreviation=abbr, **extra)} />"


def nominations(
    seat: str,
    revision: int,
    candidates: list[tuple[str, str, str, str | None]],
    election: str = ELECTION,
    electorate: int = 67172,
) -> bytes:
    """A FirstPastThePostNominations file: candidates as (first name, surname, party, previousSittingMember)."""
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<FirstPastThePostNominations revision="{revision}">',
        f"  <Election {election}>",
        f"    <Constituency {_attrs(number='464', name=seat, electorate=electorate)}>",
    ]
    for i, (first, surname, abbr, sitting) in enumerate(candidates, start=1):
        lines += [
            "      <Candidate "
            f"{_attrs(paId=1000 + i, previousSittingMember=sitting, sex='F', firstName=first, surname=surname)}>",
            f"        {_party(abbr)}",
            "      </Candidate>",
        ]
    lines += [
        "    </Constituency>",
        "  </Election>",
        '  <PreviousElection name="General Election" date="2017-06-08" type="G">',
        "    <Constituency "
        f"{_attrs(number='464', name=seat, turnout=45286, percentageTurnout='67.32', winningParty='C')}>",
        '      <Candidate paId="90" firstName="" surname="Past" sex="F">',
        f"        {_party('C', votes=21900, percentageShare='47.28')}",
        "      </Candidate>",
        "    </Constituency>",
        "  </PreviousElection>",
        "</FirstPastThePostNominations>",
    ]
    return ("\n".join(lines) + "\n").encode()


def result(
    seat: str, revision: int, votes: dict[str, int], at: str = "2019-12-13T01:14:00+00:00", electorate: int = 70000
) -> bytes:
    """A FirstPastThePostResult file: votes by party abbreviation, the most votes elected."""
    winner = max(votes, key=votes.get)
    total = sum(votes.values())
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<FirstPastThePostResult revision="{revision}" declarationTime="{at}">',
        f"  <Election {ELECTION}>",
        "    <Constituency "
        f"{_attrs(number='1', name=seat, electorate=electorate, turnout=total, winningParty=winner)}>",
    ]
    for i, (abbr, n) in enumerate(sorted(votes.items(), key=lambda kv: -kv[1]), start=1):
        lines += [
            "      <Candidate "
            + _attrs(
                elected="*" if abbr == winner else None,
                paId=2000 + i,
                sex="M",
                firstName="Sam",
                surname=f"{abbr} Example",
            )
            + ">",
            f"        {_party(abbr, votes=n, percentageShare=f'{100 * n / total:.2f}', percentageShareChange='+0.00')}",
            "      </Candidate>",
        ]
    lines += ["    </Constituency>", "  </Election>", "</FirstPastThePostResult>"]
    return ("\n".join(lines) + "\n").encode()


def rush(seat: str, revision: int, winner: str) -> bytes:
    """A FirstPastThePostRush file naming its winner by winningPartyAbbreviation, with the elected candidate."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<FirstPastThePostRush revision="{revision}">\n'
        f"  <Election {ELECTION}>\n"
        "    <Constituency "
        f"{_attrs(number='2', name=seat, winningPartyAbbreviation=winner, winningPartyName=PARTY[winner][1])}>\n"
        f"      <Candidate {_attrs(paId=3001, sex='F', firstName='Ivy', surname='Example', elected='*')}>\n"
        f"        {_party(winner)}\n"
        "      </Candidate>\n"
        "    </Constituency>\n"
        "  </Election>\n"
        "</FirstPastThePostRush>\n"
    ).encode()


def recount(seat: str, revision: int = 1) -> bytes:
    """A Recount notice."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Recount revision="{revision}">\n  <Election {ELECTION}>\n'
        f"    <Constituency {_attrs(number='3', name=seat, recount=1)} />\n  </Election>\n</Recount>\n"
    ).encode()


def state_of_parties(n: int, parties: list[dict], seats: list[str], election: str = ELECTION) -> bytes:
    """A FirstPastThePostStateOfParties file: parties as dicts of abbreviation and totals (absent: 0), seats counted."""
    total = sum(p.get("votes", 0) for p in parties)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<FirstPastThePostStateOfParties numberOfResults="{n}" totalNumberOfConstituencies="650" '
        f'totalVotes="{total}" forecastWinningParty="No overall majority">',
        f"  <Election {election} />",
        "  <Parties>",
    ]
    for p in parties:
        abbr = p["abbreviation"]
        pa_id, name = ("-9999", "Others") if abbr == "Others" else PARTY.get(abbr, ("98", abbr))
        extra = {k: p.get(k) or None for k in ("totalSeats", "gains", "losses")}
        share = f"{100 * p.get('votes', 0) / total:.2f}" if total else "0.00"
        lines.append(
            "    <Party "
            + _attrs(
                paId=pa_id,
                name=name,
                abbreviation=abbr,
                **extra,
                totalVotes=p.get("votes", 0),
                percentageShare=share,
                percentageChange="+1.90",
            )
            + " />"
        )
    lines += ["  </Parties>", "  <ConstituenciesIncluded>"]
    lines += [f"    <Constituency {_attrs(number=i, name=s)} />" for i, s in enumerate(seats, start=1)]
    lines += ["  </ConstituenciesIncluded>", "</FirstPastThePostStateOfParties>"]
    return ("\n".join(lines) + "\n").encode()
