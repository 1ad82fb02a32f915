"""Every failure the pipeline names. Nothing raises a bare Exception.

Two families: `RejectedFile` and its children say "this input is bad" and end
with the file quarantined, its reason stored; `PipelineError` says "the
pipeline itself cannot run" (database down, schema missing) and stops the run
with a non-zero exit so an operator looks.
"""

from __future__ import annotations


class ResultsnightError(Exception):
    """Base of every error this package raises."""


class PipelineError(ResultsnightError):
    """The pipeline cannot run: configuration, database or schema trouble."""


class DatabaseUnavailable(PipelineError):
    """The results database cannot be reached."""


class ConfigurationError(PipelineError):
    """A setting in the environment is missing or malformed."""


class UnpairedRule(ConfigurationError):
    """An expectation-suite rule has no reason writer, or a reason writer no rule."""


class RejectedFile(ResultsnightError):
    """An input file is not acceptable; it is quarantined with this reason."""

    code = "rejected"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FileTooLarge(RejectedFile):
    """The file exceeds the size bound and was not read."""

    code = "too_large"


class MalformedFile(RejectedFile):
    """The bytes are not a well-formed message (empty, truncated, not XML, bad CSV)."""

    code = "malformed"


class UnsafeXML(RejectedFile):
    """The XML uses entity declarations or external references (defusedxml refused it)."""

    code = "unsafe_xml"


class UnsupportedMessage(RejectedFile):
    """Well-formed, but not a message kind the pipeline knows (wrong root element)."""

    code = "unsupported"


class InvalidDeclaration(RejectedFile):
    """The message parsed but its figures fail validation (great-expectations)."""

    code = "invalid"


class UnknownConstituency(RejectedFile):
    """The constituency matches no seat of the election being counted."""

    code = "unknown_constituency"


class IncompleteFile(MalformedFile):
    """The bytes end before the message does (truncated XML, a short last CSV row, an empty file).

    The ingest leaves such a file in the inbox while it may still be being
    written, and quarantines it only once it has stopped changing.
    """

    code = "incomplete"
