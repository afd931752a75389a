"""Site risk: the probabilities and level at the site, and a score for comparing sites.

* The **level** is the band (policy ``levels``) of the probability of a fatal incident
  within the radius of the site in the policy's horizon (``risk.probability``); the result
  carries every probability (any / fatal incident, 30 / 90 days) and says the level's in
  words: "severe: 62% chance of a fatal incident within 25 km in 90 days".
* The **score** = (threat + corridor layer) at the site x vulnerability (protective posture)
  x exposure (people): a relative index to compare sites and what a change of posture or
  staffing does. A posture does not change the chance of an incident nearby, so it changes
  the score, not the level.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from safecorridor.registry.models import Site
from safecorridor.risk.policy import Policy
from safecorridor.risk.probability import Probabilities, percent
from safecorridor.risk.surface import ThreatSurface, haversine_km


@dataclass
class Contribution:
    """One incident's part of a threat value."""

    incident_id: int
    event_date: str
    event_type: str
    place: str
    fatalities: float
    distance_km: float
    severity: float
    decay: float
    contribution: float
    share: float


@dataclass
class SiteRisk:
    """A site's risk at a date, with the factors and the incidents that make it up."""

    name: str
    site_id: int | None
    as_of: str
    policy_version: str
    policy_sha256: str
    threat: float
    corridor_threat: float  # the corridor layer at the site
    vulnerability: float
    exposure: float
    score: float
    level: str
    probabilities: Probabilities
    factors: dict[str, Any] = field(default_factory=dict)
    top_incidents: list[Contribution] = field(default_factory=list)

    @property
    def sentence(self) -> str:
        return self.probabilities.sentence

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["sentence"] = self.sentence
        return out

    def explain(self) -> str:
        f = self.factors
        p = self.probabilities
        counts = p.counts.get("any", {})
        fatal = p.counts.get("fatal", {})
        seen = ", ".join(
            f"{counts[w]:.0f} ({fatal.get(w, 0):.0f} fatal) in {w} days" for w in counts
        )
        lines = [
            f"{self.name}: {self.level.upper()} as of {self.as_of}",
            f"  {self.sentence}",
            f"  chance within {p.radius_km:g} km: any incident {percent(p.any_30)} in 30 days,"
            f" {percent(p.any_90)} in 90 days; fatal {percent(p.fatal_30)} in 30 days,"
            f" {percent(p.fatal_90)} in 90 days",
            f"  incidents within {p.radius_km:g} km: {seen or 'none'}",
            f"  score {self.score:.2f} = (threat {self.threat:.3f} + corridor layer"
            f" {self.corridor_threat:.3f}) x vulnerability {self.vulnerability:.3f}"
            f" x exposure {self.exposure:.3f}",
            f"  posture: perimeter {f.get('perimeter')}, guard force {f.get('guard_force')},"
            f" hardening {f.get('hardening')}",
            f"  people: {f.get('personnel_foreign')} foreign, {f.get('personnel_local')} local",
            f"  policy {self.policy_version} ({self.policy_sha256[:12]})",
        ]
        if self.top_incidents:
            lines.append("  top contributing incidents:")
            for c in self.top_incidents:
                lines.append(
                    f"    {c.share:6.1%}  #{c.incident_id} {c.event_date} {c.event_type},"
                    f" {c.place or '?'} ({c.distance_km:.0f} km, {c.fatalities:.0f} killed)"
                )
        else:
            lines.append(
                "  no incident near enough to weigh in the threat score (the kernel's reach);"
                f" the chances above count every incident within {p.radius_km:g} km"
            )
        return "\n".join(lines)


def vulnerability(policy: Policy, *, perimeter: str, guard_force: str, hardening: str) -> float:
    table = policy.site["vulnerability"]
    out = 1.0
    for key, value in (
        ("perimeter", perimeter),
        ("guard_force", guard_force),
        ("hardening", hardening),
    ):
        options = table[key]
        if value not in options:
            raise ValueError(f"{key} {value!r} is not one of {', '.join(options)}")
        out *= float(options[value])
    return out


def exposure(policy: Policy, *, personnel_foreign: int, personnel_local: int) -> float:
    e = policy.site["exposure"]
    people = float(e["foreign_weight"]) * max(personnel_foreign, 0) + float(
        e["local_weight"]
    ) * max(personnel_local, 0)
    return float((1.0 + people / float(e["reference_people"])) ** float(e["exponent"]))


def explain_cell(
    surface: ThreatSurface, cell: int, *, lat: float, lon: float, top: int, layer: str = "both"
) -> list[Contribution]:
    idx, contrib = surface.contributions(cell, layer=layer)
    total = float(contrib.sum())
    if idx.size == 0 or total <= 0:
        return []
    best = np.argsort(-contrib, kind="stable")[:top]
    inc = surface.incidents
    out = []
    for b in best.tolist():
        i = int(idx[b])
        out.append(
            Contribution(
                incident_id=int(inc.ids[i]),
                event_date=str(inc.date[i]),
                event_type=str(inc.event_type[i]),
                place=str(inc.label[i]),
                fatalities=float(inc.fatalities[i]),
                distance_km=float(haversine_km(lat, lon, inc.lat[i], inc.lon[i])),
                severity=float(surface.severity[i]),
                decay=float(surface.decay[i]),
                contribution=float(contrib[b]),
                share=float(contrib[b]) / total,
            )
        )
    return out


def site_risk(
    surface: ThreatSurface,
    *,
    name: str,
    lat: float,
    lon: float,
    personnel_foreign: int = 0,
    personnel_local: int = 0,
    perimeter: str = "basic",
    guard_force: str = "basic",
    hardening: str = "basic",
    site_id: int | None = None,
    explain: bool = True,
) -> SiteRisk:
    policy = surface.policy
    cell = surface.cell_of(lat, lon)
    cells = np.array([cell], dtype=np.int64)
    threat = float(surface.values_at_cells(cells)[0])
    corridor = float(surface.corridor_at_cells(cells)[0])
    vul = vulnerability(policy, perimeter=perimeter, guard_force=guard_force, hardening=hardening)
    exp = exposure(policy, personnel_foreign=personnel_foreign, personnel_local=personnel_local)
    score = (threat + corridor) * vul * exp
    probs = surface.probabilities(cell)
    top = int(policy.site.get("explain_top", 5))
    return SiteRisk(
        name=name,
        site_id=site_id,
        as_of=str(surface.as_of),
        policy_version=policy.version,
        policy_sha256=policy.sha256,
        threat=threat,
        corridor_threat=corridor,
        vulnerability=vul,
        exposure=exp,
        score=score,
        level=probs.level,
        probabilities=probs,
        factors={
            "h3_cell": f"{cell:x}",
            "perimeter": perimeter,
            "guard_force": guard_force,
            "hardening": hardening,
            "personnel_foreign": personnel_foreign,
            "personnel_local": personnel_local,
        },
        top_incidents=explain_cell(surface, cell, lat=lat, lon=lon, top=top) if explain else [],
    )


def score_site(surface: ThreatSurface, site: Site, *, explain: bool = True) -> SiteRisk:
    return site_risk(
        surface,
        name=site.name,
        site_id=site.id,
        lat=site.latitude,
        lon=site.longitude,
        personnel_foreign=site.personnel_foreign or 0,
        personnel_local=site.personnel_local or 0,
        perimeter=site.perimeter,
        guard_force=site.guard_force,
        hardening=site.hardening,
        explain=explain,
    )
