"""Rehearsal tooling: the replayed 2019 night, the local Airflow stack, `make demo`, the seed derivation.

Nothing here runs on the night itself; pipeline/ proper never imports it.

- `seats`: the 2019 seats from the committed seeds
- `agency_xml`: the agency XML writer, the mirror of pipeline.parse
- `stories`: the night's messages (rushes, recounts, results, corrections) and when they land
- `bad_files`: the broken files a real night also brings
- `pacing`: writing messages into an inbox at a chosen pace
- `stack`, `demo`, `derive_seeds`: a local Airflow, `make demo`, `make seeds`

Contains Parliamentary information licensed under the Open Parliament Licence v3.0.
"""
