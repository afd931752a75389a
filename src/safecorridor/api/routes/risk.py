"""/api/v1/risk: the threat surface as GeoJSON for a bounding box.

Every figure comes from ``risk.service``, computed from the incidents the reader may see, so
the surface never reveals a record through its contribution. Site and route risk live beside
their records (``/api/v1/sites/{id}/risk``, ``/api/v1/routes/{id}/risk``).
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Query, Response

from safecorridor.api.deps import AsOf, ClockDep, CurrentViewer, SessionDep
from safecorridor.api.geojson import BBOX_HELP, parse_bbox
from safecorridor.api.problems import ProblemError, responses
from safecorridor.api.schemas import FeatureCollection
from safecorridor.risk import service as risk

router = APIRouter(prefix="/api/v1/risk", tags=["risk"], responses=responses(401, 422))


@router.get(
    "/surface.geojson",
    response_model=FeatureCollection,
    summary="Threat surface in a box",
    responses={200: {"content": {"application/geo+json": {}}}},
)
def surface_geojson(
    session: SessionDep,
    viewer: CurrentViewer,
    clock: ClockDep,
    bbox: Annotated[str, Query(description=BBOX_HELP)],
    as_of: AsOf = None,
    min_threat: Annotated[float, Query(ge=0, le=1e9)] = 0.0,
) -> Response:
    """H3 cells with their threat and level, for the cells whose centre lies in ``bbox``."""
    box = parse_bbox(bbox)
    if box is None:
        raise ProblemError(422, "bbox is required: minLon,minLat,maxLon,maxLat, e.g. 66,24,68.5,26")
    day = risk.as_of_day(as_of, clock)
    part = risk.surface_slice(session, viewer, box=box, as_of=day, min_threat=min_threat)
    body = (
        '{"type":"FeatureCollection","features":['
        + ",".join(part.features)
        + '],"bbox":'
        + json.dumps(list(box))
        + ',"properties":'
        + json.dumps(part.properties, separators=(",", ":"), ensure_ascii=False)
        + "}"
    )
    return Response(body, media_type="application/geo+json")
