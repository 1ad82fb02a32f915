"""Every failure the pipeline names. Nothing raises a bare Exception.

Two families: `RejectedFile` and its children say "this input is bad" and end
with the file quarantined, its reason stored; `PipelineError` says "the
pipeline itself cannot run" (database down, schema missing) and stops the run
with a non-zero exit so an operator looks.
"""

from __future__ import annotations

from typing import ClassVar

from pipeline.model import ReasonCode


class ResultsnightError(Exception):
    """Base of every error this package raises."""


class PipelineError(ResultsnightError):
    """The pipeline cannot run: configuration, database or schema trouble."""


class DatabaseUnavailable(PipelineError):
    """The results database cannot be reached."""


class ConfigurationError(PipelineError):
    """A setting in the environment is missing or malformed."""


class RefusedPath(ConfigurationError):
    """A path an ingest run was asked to take lies outside the inbox, or is a symbolic link."""


class UnpairedRule(ConfigurationError):
    """An expectation-suite rule has no reason writer, or a reason writer no rule."""


class FeedUnavailable(PipelineError):
    """The agency's feed server cannot be reached, dropped the connection or refused the login."""


class FeedLoginRefused(FeedUnavailable):
    """The feed server answered but refused the login (the fetcher retries it more slowly than a dead server)."""


class FeedRefused(ConfigurationError):
    """The feed server is not the one configured (unknown SSH host key) or the feed address is malformed."""


class RejectedFile(ResultsnightError):
    """An input file is not acceptable; it is quarantined with this reason (and its class's code)."""

    code: ClassVar[ReasonCode]  # stored as pipeline.receipt.reason_code; every subclass sets one

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FileTooLarge(RejectedFile):
    """The file exceeds the size bound and was not read."""

    code = ReasonCode.TOO_LARGE


class MalformedFile(RejectedFile):
    """The bytes are not a well-formed message (empty, truncated, not XML, bad CSV)."""

    code = ReasonCode.MALFORMED


class UnsafeXML(RejectedFile):
    """The XML uses entity declarations or external references (defusedxml refused it)."""

    code = ReasonCode.UNSAFE_XML


class UnsupportedMessage(RejectedFile):
    """Well-formed, but not a message kind the pipeline knows (wrong root element)."""

    code = ReasonCode.UNSUPPORTED


class InvalidDeclaration(RejectedFile):
    """The message parsed but its figures fail validation (great-expectations)."""

    code = ReasonCode.INVALID


class UnknownConstituency(RejectedFile):
    """The constituency matches no seat of the election being counted."""

    code = ReasonCode.UNKNOWN_CONSTITUENCY


class UnstorableValue(RejectedFile):
    """The file passed every check but holds a value the database cannot store (an integer beyond 32 bits, a NUL)."""

    code = ReasonCode.UNSTORABLE


class ParserFailure(RejectedFile):
    """Reading the file hit a bug of ours: quarantined so the night goes on, and worth a report."""

    code = ReasonCode.PARSER_ERROR


class NotThisElection(RejectedFile):
    """A kind of message a general election never has: TopUp* regional lists, referendum messages."""

    code = ReasonCode.NOT_THIS_ELECTION


class OtherElection(RejectedFile):
    """A message for another election: type not G, or (a live message) another date."""

    code = ReasonCode.OTHER_ELECTION


class TestMessage(RejectedFile):
    """A TEST-feed message on a live night (RESULTSNIGHT_FEED_MODE=live)."""

    __test__ = False  # not a pytest test class
    code = ReasonCode.TEST_MESSAGE


class LiveMessage(RejectedFile):
    """A live-feed message in a rehearsal (RESULTSNIGHT_FEED_MODE=test)."""

    code = ReasonCode.LIVE_MESSAGE


class IncompleteFile(MalformedFile):
    """The bytes end before the message does (truncated XML, a short last CSV row, an empty file).

    The ingest leaves such a file in the inbox while it may still be being
    written, and quarantines it only once it has stopped changing.
    """

    code = ReasonCode.INCOMPLETE


class CallRefused(ResultsnightError):
    """A desk call or withdrawal that cannot stand: unknown seat or party, a seat the feed has decided."""


class ArchiveMoveFailed(ResultsnightError):
    """A stored file could not be moved out of the inbox (permission, disk full, another filesystem)."""

    def __init__(self, target: str, reason: str) -> None:
        super().__init__(f"could not move the file to {target}: {reason}")
        self.target = target
        self.reason = reason
