"""resultsnight: a results-night pipeline for UK general elections."""

__version__ = "0.1.0"
