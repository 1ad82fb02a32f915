"""The live board (`resultsnight serve`): the page at / and the JSON API under /api/v1/ (contract, second wave).

Modules: `app` (create_app: the lifespan, the error handlers, the routers),
its routers `api` (seats, tally and the rest of /api/v1/), `stream` (the
Server-Sent Events route), `health` (/healthz) and `pages` (the page and the
data only it reads); `responses` (JSON bodies, ETags, the per-URL cache), `db`
(the read-only connection and the queries), `events` (one LISTEN connection
fanned out to every stream), `run` (uvicorn, clean stop on SIGINT/SIGTERM),
`hexmap` (the hex layout in seeds/hexmap.csv and the script deriving it).
"""
