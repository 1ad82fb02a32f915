"""The live board (`resultsnight serve`): the page at / and the JSON API under /api/v1/ (contract, second wave).

Modules: `db` (the read-only connection and the queries), `events` (one
LISTEN connection fanned out to every Server-Sent Events client), `app` (the
FastAPI routes, ETags), `run` (uvicorn, clean stop on SIGINT/SIGTERM),
`hexmap` (the hex layout in seeds/hexmap.csv and the script deriving it).
"""
