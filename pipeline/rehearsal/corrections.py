"""Which seats get which story on a replayed night, and the wrong figures each correction starts from.

Recounts (the real one, then the narrowest majorities), votes-only
corrections (`result_1` with one mistyped figure), and correction chains
across kinds (the top two swapped in `rush_1` and `result_1`), one of them
a false flip. Deterministic for a seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import NamedTuple

from pipeline.rehearsal.clock import rng as seeded
from pipeline.rehearsal.nights import NIGHT_2019, Night
from pipeline.rehearsal.seats import Seat, ranked


def _typo(value: int, rng: random.Random) -> int:
    """A plausible keying slip: two adjacent digits swapped, else one digit off by one."""
    digits = list(str(value))
    pairs = [i for i in range(len(digits) - 1) if digits[i] != digits[i + 1] and (i or digits[1] != "0")]
    if pairs and rng.random() < 0.6:
        i = rng.choice(pairs)
        digits[i], digits[i + 1] = digits[i + 1], digits[i]
        return int("".join(digits))
    place = 10 ** rng.randrange(1, max(2, len(digits) - 1))  # tens .. second digit
    return max(0, value + rng.choice((-1, 1)) * place)


def mistyped(seat: Seat, seed: int) -> dict[str, int]:
    """Revision-1 votes with one figure mistyped, the winner unchanged and the totals plausible."""
    rng = seeded(seed, seat.gss_code, "typo")
    true = dict(seat.votes)
    winner = seat.winner
    for _ in range(50):
        party = rng.choice(sorted(true))
        wrong = dict(true, **{party: _typo(true[party], rng)})
        order = ranked(wrong)
        if (
            wrong != true
            and order[0] == winner
            and wrong[order[0]] > wrong[order[1]]
            and sum(wrong.values()) <= seat.electorate
        ):
            return wrong
    # Fallback (not reached with the real figures): the last-placed candidate one vote short.
    last = ranked(true)[-1]
    return dict(true, **{last: true[last] - 1}) if true[last] > 0 else dict(true, **{winner: true[winner] + 1})


def swapped(seat: Seat) -> dict[str, int]:
    """Revision-1 votes with the top two candidates' figures swapped: a false change of winner."""
    first, second = ranked(seat.votes)[:2]
    return dict(seat.votes, **{first: seat.votes[second], second: seat.votes[first]})


class Stories(NamedTuple):
    """Which seats (GSS codes) get which story on the night."""

    recounts: list[str]
    false_flips: list[str]  # chains whose rush_2 reverses a flip that never happened
    typos: list[str]  # votes-only corrections: result_1 mistyped, result_2 right
    chains: list[str]  # every correction chain (rush_1, result_1, rush_2, result_3), false flips included


def choose_stories(
    seats: Sequence[Seat],
    *,
    seed: int = 2019,
    corrections: int = 4,
    recounts: int = 4,
    false_flips: int = 1,
    chains: int = 3,
    night: Night = NIGHT_2019,
) -> Stories:
    """Pick the recount, chain and votes-only correction seats, deterministically for a seed."""
    if min(corrections, recounts, false_flips, chains) < 0:
        raise ValueError("corrections, recounts, chains and false_flips must not be negative")
    if false_flips > chains:
        raise ValueError("false flips are correction chains too: false_flips must not exceed chains")
    by_majority = sorted(seats, key=lambda s: (s.majority, s.name))
    # Recounts: the real one (Kensington in 2019), then the narrowest majorities.
    real = [s for s in seats if s.name in night.real_recounts]
    recount = [s.gss_code for s in (real + [s for s in by_majority if s not in real])[:recounts]]
    free = [s for s in by_majority if s.gss_code not in recount and s.name not in night.pinned]
    # False flips: the narrowest holds (winner = baseline winner = sitting party), so
    # rush_1 and result_1 show a gain against the baseline and against the agency's sitting party alike.
    holds = [s for s in free if s.winner == s.winner_2017 == s.sitting]
    flips = [s.gss_code for s in holds[:false_flips]]
    taken = set(recount) | set(flips) | {s.gss_code for s in seats if s.name in night.pinned}
    pool = sorted(s.gss_code for s in seats if s.gss_code not in taken)
    typos = random.Random(f"{seed}:corrections").sample(pool, min(corrections, len(pool)))
    # The other chains: the narrowest gains whose runner-up held the seat, first
    # flashed and declared as a hold, then corrected to the gain.
    gains = [
        s
        for s in free
        if s.winner != s.winner_2017 and ranked(s.votes)[1] == s.winner_2017 == s.sitting and s.gss_code not in typos
    ]
    chain = flips + [s.gss_code for s in gains[: chains - false_flips]]
    return Stories(recount, flips, sorted(typos), chain)
