"""alerts.decide as a table: what each declaration raises given what was known before and after it."""

from __future__ import annotations

import pytest

from pipeline.alerts import FlipFigures, decide, decide_call
from pipeline.model import AlertKind, AlertSource, Declaration, MessageKind, SourceFormat
from pipeline.resolve import Baseline

# Blyth Valley at the baseline: LAB held it from CON by 18.6% of the votes.
BLYTH = Baseline(winner="LAB", runner_up="CON", majority_pct=18.6, label="2017")
RESULT_FIGURES = FlipFigures(swing_pct=10.2, swing_needed_pct=9.3)
RUSH_FIGURES = FlipFigures(swing_pct=None, swing_needed_pct=9.3)
BREXIT_FIGURES = FlipFigures(swing_pct=12.0, swing_needed_pct=27.1)

FLIP, RETRACTION, RECOUNT = AlertKind.FLIP, AlertKind.RETRACTION, AlertKind.RECOUNT
RUSH, RESULT, DESK = AlertSource.RUSH, AlertSource.RESULT, AlertSource.DESK


def decl(kind: MessageKind, revision: int = 1) -> Declaration:
    return Declaration(
        kind=kind,
        source_format=SourceFormat.AGENCY_XML,
        revision=revision,
        constituency_name="Blyth Valley",
        gss_code_given="E14000575",
    )


CASES = [
    # (case, message kind, revision, baseline, winner known before, after, first recount, figures, alerts raised)
    (
        "a rush flip",
        MessageKind.RUSH,
        1,
        BLYTH,
        None,
        "CON",
        False,
        RUSH_FIGURES,
        [(FLIP, "LAB", "CON", RUSH, "CON GAIN FROM LAB: Blyth Valley (rush; needed 9.3%)")],
    ),
    (
        "a result flip",
        MessageKind.RESULT,
        1,
        BLYTH,
        None,
        "CON",
        False,
        RESULT_FIGURES,
        [(FLIP, "LAB", "CON", RESULT, "CON GAIN FROM LAB: Blyth Valley (swing 10.2%, needed 9.3%)")],
    ),
    ("the result confirms the rush's flip", MessageKind.RESULT, 1, BLYTH, "CON", "CON", False, RESULT_FIGURES, []),
    ("a hold", MessageKind.RESULT, 1, BLYTH, None, "LAB", False, None, []),
    ("a rush hold confirmed", MessageKind.RESULT, 1, BLYTH, "LAB", "LAB", False, None, []),
    (
        "a correction reverses the flip",
        MessageKind.RESULT,
        2,
        BLYTH,
        "CON",
        "LAB",
        False,
        None,
        [
            (
                RETRACTION,
                "LAB",
                "CON",
                RESULT,
                "RETRACTION: Blyth Valley is not a CON gain from LAB; result revision 2 shows LAB HOLD",
            )
        ],
    ),
    (
        "a result reverses the rush, to a third party",
        MessageKind.RESULT,
        1,
        BLYTH,
        "CON",
        "BRX",
        False,
        BREXIT_FIGURES,
        [
            (
                RETRACTION,
                "LAB",
                "CON",
                RESULT,
                "RETRACTION: Blyth Valley is not a CON gain from LAB; result revision 1 shows BRX GAIN FROM LAB",
            ),
            (
                FLIP,
                "LAB",
                "BRX",
                RESULT,
                "BRX GAIN FROM LAB: Blyth Valley (swing 12.0%, needed 27.1%; BRX was not second in 2017)",
            ),
        ],
    ),
    (
        "the winner was not second in 2017",
        MessageKind.RUSH,
        1,
        BLYTH,
        None,
        "BRX",
        False,
        FlipFigures(None, 27.1),
        [
            (
                FLIP,
                "LAB",
                "BRX",
                RUSH,
                "BRX GAIN FROM LAB: Blyth Valley (rush; needed 27.1%; BRX was not second in 2017)",
            )
        ],
    ),
    (
        "on a notional baseline the alert names it (the 2024 night's)",
        MessageKind.RUSH,
        1,
        Baseline(winner="LAB", runner_up="CON", majority_pct=18.6, label="2019 notional"),
        None,
        "REF",
        False,
        FlipFigures(None, 27.1),
        [
            (
                FLIP,
                "LAB",
                "REF",
                RUSH,
                "REF GAIN FROM LAB: Blyth Valley (rush; needed 27.1%; REF was not second in 2019 notional)",
            )
        ],
    ),
    (
        "the first recount",
        MessageKind.RECOUNT,
        1,
        BLYTH,
        None,
        None,
        True,
        None,
        [(RECOUNT, None, None, AlertSource.RECOUNT, "RECOUNT: Blyth Valley (LAB majority 18.6% at the baseline)")],
    ),
    ("a second recount", MessageKind.RECOUNT, 2, BLYTH, None, None, False, None, []),
    (
        "a recount after the rush's flip",
        MessageKind.RECOUNT,
        1,
        BLYTH,
        "CON",
        "CON",
        True,
        None,
        [(RECOUNT, None, None, AlertSource.RECOUNT, "RECOUNT: Blyth Valley (LAB majority 18.6% at the baseline)")],
    ),
    (
        "no baseline: a recount is still news",
        MessageKind.RECOUNT,
        1,
        None,
        None,
        None,
        True,
        None,
        [(RECOUNT, None, None, AlertSource.RECOUNT, "RECOUNT: Blyth Valley (no baseline)")],
    ),
    ("no baseline: no flip to speak of", MessageKind.RESULT, 1, None, None, "CON", False, None, []),
    # the winner known before may be the desk's call: the feed is compared with it like with a rush
    ("a rush agrees with the desk's gain call", MessageKind.RUSH, 1, BLYTH, "CON", "CON", False, RUSH_FIGURES, []),
    (
        "a rush disagrees with the desk's gain call",
        MessageKind.RUSH,
        1,
        BLYTH,
        "CON",
        "LAB",
        False,
        None,
        [
            (
                RETRACTION,
                "LAB",
                "CON",
                RUSH,
                "RETRACTION: Blyth Valley is not a CON gain from LAB; rush revision 1 shows LAB HOLD",
            )
        ],
    ),
    (
        "a result shows a gain the desk called a hold",
        MessageKind.RESULT,
        1,
        BLYTH,
        "LAB",
        "CON",
        False,
        RESULT_FIGURES,
        [(FLIP, "LAB", "CON", RESULT, "CON GAIN FROM LAB: Blyth Valley (swing 10.2%, needed 9.3%)")],
    ),
]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("case", "kind", "revision", "base", "before", "after", "first_recount", "figures", "raised"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_decide(case, kind, revision, base, before, after, first_recount, figures, raised):
    alerts = decide(decl(kind, revision), "Blyth Valley", base, before, after, first_recount, figures)
    assert [(a.kind, a.from_party, a.to_party, a.source, a.message) for a in alerts] == raised


@pytest.mark.unit
def test_a_flip_without_its_figures_is_a_bug_not_a_silent_alert():
    with pytest.raises(ValueError):
        decide(decl(MessageKind.RESULT), "Blyth Valley", BLYTH, None, "CON", False, None)


CALL_CASES = [
    # (case, known before, after (None: withdrawn), figures, alerts raised)
    (
        "a gain call",
        None,
        "CON",
        RUSH_FIGURES,
        [(FLIP, "LAB", "CON", DESK, "CON GAIN FROM LAB: Blyth Valley (the desk's call by ann; needed 9.3%)")],
    ),
    ("a hold call", None, "LAB", None, []),
    ("the same call again", "CON", "CON", RUSH_FIGURES, []),
    (
        "withdrawing a gain call",
        "CON",
        None,
        None,
        [
            (
                RETRACTION,
                "LAB",
                "CON",
                DESK,
                "RETRACTION: Blyth Valley is not a CON gain from LAB; "
                "the desk's call, withdrawn by ann: no winner known",
            )
        ],
    ),
    ("withdrawing a hold call", "LAB", None, None, []),
    (
        "a gain call for a party from further back",
        None,
        "BRX",
        FlipFigures(None, 27.1),
        [
            (
                FLIP,
                "LAB",
                "BRX",
                DESK,
                "BRX GAIN FROM LAB: Blyth Valley (the desk's call by ann; needed 27.1%; BRX was not second in 2017)",
            )
        ],
    ),
]


@pytest.mark.unit
@pytest.mark.parametrize(("case", "before", "after", "figures", "raised"), CALL_CASES, ids=[c[0] for c in CALL_CASES])
def test_decide_call(case, before, after, figures, raised):
    alerts = decide_call("Blyth Valley", BLYTH, before, after, "ann", figures)
    assert [(a.kind, a.from_party, a.to_party, a.source, a.message) for a in alerts] == raised
