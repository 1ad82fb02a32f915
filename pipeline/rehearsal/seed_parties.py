"""The party vocabulary the seeds are derived with: canonical codes and names, every spelling
the agency feed, Democracy Club and the Commons Library use, and how the Library's party labels
map onto the codes. Read by `derive_seeds` (parties.csv, party_aliases.csv, the results files).

Contains Parliamentary information licensed under the Open Parliament Licence v3.0.
"""

from __future__ import annotations

# Commons Library party labels (as styled in GE_results.tsv) -> canonical code.
SOURCE_PARTY = {
    "Conservative Party": "CON",
    "Conservative": "CON",  # the 2010 and 2015 spelling
    "Labour": "LAB",
    "Liberal Democrats": "LD",
    "Liberal Democrat": "LD",  # 2010
    "SNP": "SNP",
    "Plaid Cymru": "PC",
    "Green": "GRN",
    "Brexit": "BRX",
    "UKIP": "UKIP",
    "DUP": "DUP",
    "Sinn Fein": "SF",
    "SDLP": "SDLP",
    "UUP": "UUP",
    "Alliance": "ALL",
    "Speaker": "SPK",
    "Other": "OTH",
}

# The Library's file folds every minor candidate of a seat into one "Other"
# row. Where that row won or came second on the strength of one independent
# candidate, the row is coded IND, so that the seat's winner or runner-up is
# the party code a feed uses for that candidate ("Ind") and the swing and the
# targets compare like with like. North Down 2017 is Lady Sylvia Hermon
# (16,148 of the 16,185 "Other" votes). East Devon is Claire Wright, second
# in 2017 and 2019; Beaconsfield 2019 Dominic Grieve and South West
# Hertfordshire 2019 David Gauke, both second. Left as OTH: rows led by a
# minor party (South West Surrey 2017, National Health Action; Ashfield
# Independents, Birkenhead Social Justice and People Before Profit in 2019).
OTHER_WAS_INDEPENDENT = {
    ("parl.2017-06-08", "N06000013"),  # North Down
    ("parl.2017-06-08", "E14000678"),  # East Devon
    ("parl.2019-12-12", "E14000678"),  # East Devon
    ("parl.2019-12-12", "E14000550"),  # Beaconsfield
    ("parl.2019-12-12", "E14000951"),  # South West Hertfordshire
    ("parl.2010-05-06", "N06000013"),  # North Down, Lady Sylvia Hermon (backtest only)
    ("parl.2015-05-07", "N06000013"),  # North Down, Lady Sylvia Hermon (backtest only)
}

PARTIES = [
    ("CON", "Conservative and Unionist Party"),
    ("LAB", "Labour Party"),
    ("LD", "Liberal Democrats"),
    ("SNP", "Scottish National Party"),
    ("PC", "Plaid Cymru"),
    ("GRN", "Green Party"),
    ("BRX", "The Brexit Party"),
    ("UKIP", "UK Independence Party"),
    ("DUP", "Democratic Unionist Party"),
    ("SF", "Sinn Féin"),
    ("SDLP", "Social Democratic and Labour Party"),
    ("UUP", "Ulster Unionist Party"),
    ("ALL", "Alliance Party of Northern Ireland"),
    ("SPK", "Speaker"),
    ("IND", "Independent"),
    ("OTH", "Other"),
    ("REF", "Reform UK"),
    ("TUV", "Traditional Unionist Voice"),
]

# Every spelling the agency feed, Democracy Club and the Library use. Matching
# is on a folded key (see pipeline.names.fold), so case and accents are free.
ALIASES = {
    "CON": [
        "C",
        "Con",
        "Conservative",
        "Conservatives",
        "Conservative Party",
        "Conservative and Unionist Party",
        "Scottish Conservative and Unionist",
        "Scottish Conservatives",
        "Welsh Conservatives",
        "Tory",
        "PP52",
    ],
    "LAB": [
        "Lab",
        "Labour",
        "Labour Party",
        "The Labour Party",
        "Lab Co-op",
        "Lab Coop",
        "Labour Co-op",
        "Labour Co-operative",
        "Labour and Co-operative",
        "Labour and Co-operative Party",
        "Labour & Co-operative",
        "Scottish Labour",
        "Welsh Labour",
        "PP53",
        "joint-party:53-119",
    ],
    "LD": [
        "LD",
        "Lib Dem",
        "Lib Dems",
        "LDem",
        "Liberal Democrat",
        "Liberal Democrats",
        "Scottish Liberal Democrats",
        "Welsh Liberal Democrats",
        "PP90",
    ],
    "SNP": ["SNP", "Scottish National Party", "Scottish National Party (SNP)", "PP102"],
    "PC": ["PC", "Plaid", "Plaid Cymru", "Plaid Cymru - The Party of Wales", "PP77"],
    "GRN": [
        "Green",
        "Grn",
        "Greens",
        "Green Party",
        "Green Party of England and Wales",
        "Scottish Green Party",
        "Scottish Greens",
        "Green Party Northern Ireland",
        "Green Party NI",
        "PP63",
        "PP130",
        "PP305",
    ],
    "BRX": ["Brexit", "BXP", "Brexit Party", "The Brexit Party", "PP7931"],
    "UKIP": ["UKIP", "UK Independence Party", "UK Independence Party (UKIP)", "PP85"],
    "DUP": ["DUP", "Democratic Unionist", "Democratic Unionist Party", "Democratic Unionist Party - D.U.P.", "PP70"],
    "SF": ["SF", "Sinn Féin", "Sinn Fein", "PP39"],
    "SDLP": ["SDLP", "Social Democratic and Labour Party", "SDLP (Social Democratic & Labour Party)", "PP55"],
    "UUP": ["UUP", "Ulster Unionist", "Ulster Unionist Party", "PP83"],
    "ALL": [
        "Alliance",
        "APNI",
        "All",
        "Alliance Party",
        "Alliance Party of Northern Ireland",
        "Alliance - Alliance Party of Northern Ireland",
        "PP103",
    ],
    "SPK": ["Speaker", "Spk", "The Speaker", "Speaker seeking re-election"],
    "IND": ["Ind", "Independent", "ind-independent"],
    "OTH": ["Oth", "Other", "Others"],
    "REF": ["RUK", "Reform", "Reform UK", "Reform UK - Reform UK", "Ref", "PP7931"],
    "TUV": ["Traditional Unionist Voice", "Traditional Unionist Voice - TUV", "PP680"],
}

# The Electoral Commission's registration PP7931 (Democracy Club's party id)
# was The Brexit Party until it was renamed Reform UK on 6 January 2021: the
# same alias means BRX for an election before that date and REF after it.
ALIAS_VALID_FROM = {("PP7931", "REF"): "2021-01-06"}
