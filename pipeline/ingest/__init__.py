"""Ingest files: read, parse, resolve, validate (great-expectations), store, archive; alerts are raised in the store.

One module per job, in the order a file passes through them:

- `listing`: the files a run is given, oldest first (links refused);
  when a file is complete is pipeline.arrival's rule, applied once per file;
- `receipts`: hashing a file into its receipt; which receipts are known;
- `prepare`: a chunk of files parsed, resolved and validated, nothing written;
- `storing`: one file stored in its own transaction (an unstorable value
  quarantines it instead);
- `archive`: the move out of the inbox after the commit, and a failed move
  remembered until a later run makes it;
- `run`: the two entry points, `ingest_paths` (lists and settles) and
  `ingest_settled` (pairs already found complete), and the loop over chunks;
- `linger`: the ingest task's claim-and-linger loop over the inbox;
- `summary`, `progress`: what a run reports, and its console bar.
"""

from pipeline.ingest.listing import SYMLINK_REASON, display_name, list_files, refused_links
from pipeline.ingest.prepare import Pending, prepare, published_at
from pipeline.ingest.receipts import KEEP_IN_DATABASE_BYTES, read_received
from pipeline.ingest.run import CHUNK, ingest_paths, ingest_settled, load_run_reference
from pipeline.ingest.storing import store_one
from pipeline.ingest.summary import FileReport, IngestSummary

__all__ = [
    "CHUNK",
    "KEEP_IN_DATABASE_BYTES",
    "SYMLINK_REASON",
    "FileReport",
    "IngestSummary",
    "Pending",
    "display_name",
    "ingest_paths",
    "ingest_settled",
    "list_files",
    "load_run_reference",
    "prepare",
    "published_at",
    "read_received",
    "refused_links",
    "store_one",
]
