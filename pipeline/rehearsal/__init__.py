"""Rehearsal tooling: the replayed nights (2019, 2024), the local Airflow stack, `make demo`, the seed derivation.

Nothing here runs on the night itself; pipeline/ proper never imports it.

- `seats`: a night's seats and their baseline from the committed seeds
- `nights`: which nights replay, with their feeds, baseline block and fixed times
- `agency_xml`: the agency XML writer, the mirror of pipeline.parse (split into
  `agency_format`, `agency_people`, `agency_previous`, `agency_messages`, `agency_sop`)
- `stories`: the night's feed (nominations, states of the parties) from each seat's story
  (`seat_story`), the corrections chosen (`corrections`) and the clock (`clock`), as `message`s
- `bad_files`: the broken files a real night also brings
- `pacing`: writing messages into an inbox at a chosen pace
- `stack`, `demo`, `derive_seeds`, `derive_ge2024`: a local Airflow, `make demo`, `make seeds`

Contains Parliamentary information licensed under the Open Parliament Licence v3.0.
"""
