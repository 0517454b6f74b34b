"""The baseline server of ``bench/reads.py``: FastAPI answering fixed bytes, under uvicorn.

``python bench/_trivial.py BODIES.json PORT LOG_LEVEL`` serves, at each path named in
BODIES.json (``{path: body text}``), that body as ``application/json`` — one trivial
endpoint, no database, no authentication — with the very ``uvicorn.run`` call ``hub
serve`` makes (host, port, log level; everything else uvicorn's defaults).
"""

from __future__ import annotations

import json
import sys

import uvicorn
from fastapi import FastAPI, Request, Response


def app_for(bodies: dict[str, bytes]) -> FastAPI:
    app = FastAPI()

    @app.get("/{path:path}")
    async def body(request: Request) -> Response:
        body = bodies.get(request.url.path)
        if body is None:
            return Response(status_code=404)
        return Response(content=body, media_type="application/json")

    return app


def main() -> None:
    bodies_file, port, log_level = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(bodies_file, encoding="utf-8") as source:
        bodies = {path: text.encode() for path, text in json.load(source).items()}
    uvicorn.run(app_for(bodies), host="127.0.0.1", port=port, log_level=log_level)


if __name__ == "__main__":
    main()
