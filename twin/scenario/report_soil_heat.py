"""The report's soil-heat section (``<section id='soil-heat'>``): surface temperature change of
de-sealing what-ifs on the hottest days.

Content from :class:`twin.soil.deseal_heat.DesealHeatResult` (:func:`twin.soil.deseal_heat.deseal_heat`):
for every what-if, the change of the mid-day (11:00-16:00) ground surface temperature over the
cells whose cover changed, of the daily maximum there, and of the district mean, each with the
5-95 % band of the paired samples of the surface priors; the changed area; the central mid-day
surface temperature of each cover on those days; the engine's notes. :func:`soil_heat_lines` gives
the same as terminal lines. The lead hooks this section into the report (twin/scenario/report.py).
"""

from __future__ import annotations

import html
import math

#: KPIs shown, with their labels and units.
ROWS = (
    ("surface_temp_change_midday_c", "mid-day surface temperature, cells whose cover changed", "K"),
    ("surface_temp_change_daily_max_c", "daily maximum surface temperature, same cells", "K"),
    ("district_surface_temp_change_midday_c", "mid-day surface temperature, district mean", "K"),
    ("changed_area_m2", "ground-level area of the changed cells", "m2"),
)


def _fmt(v: float, unit: str, signed: bool = True) -> str:
    if v is None or not math.isfinite(v):
        return "n/a"
    if unit == "m2":
        return f"{v:,.0f}"
    return f"{v:+.2f}" if signed else f"{v:.2f}"


def _band(b, unit: str) -> str:
    if b is None or not all(math.isfinite(x) for x in b):
        return ""
    if unit == "m2":
        return ""
    return f"{b[0]:+.2f} to {b[1]:+.2f}"


def soil_heat_section(result) -> str:
    """The HTML section (an empty string without a result or what-ifs)."""
    if result is None or not result.kpis:
        return ""
    parts = ["<section id='soil-heat'>", "<h2>Surface temperature on the hottest days (de-sealing)</h2>",
             f"<p>Days: {html.escape(', '.join(d[:10] for d in result.days))}. Change = what-if minus baseline; "
             "band: 5-95 % of the paired samples.</p>"]
    for name, kpis in result.kpis.items():
        parts.append(f"<h3>{html.escape(name)}</h3>")
        parts.append("<table class='kpis'><tr><th>KPI</th><th>change</th><th>band</th><th>unit</th></tr>")
        for key, label, unit in ROWS:
            band = result.bands.get(name, {}).get(key)
            parts.append(f"<tr><td>{html.escape(label)}</td><td>{_fmt(kpis.get(key), unit)}</td><td>{_band(band, unit)}</td>"
                         f"<td>{unit}</td></tr>")
        parts.append("</table>")
    parts.append("<p>Mid-day mean surface temperature by cover (central): "
                 + html.escape(", ".join(f"{c} {t:.1f} degC" for c, t in sorted(result.cover_midday_c.items()))) + "</p>")
    parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in result.notes) + "</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def soil_heat_lines(result) -> list[str]:
    """Terminal lines: one per what-if and KPI (empty without a result)."""
    if result is None or not result.kpis:
        return []
    out = [f"surface temperature, hottest days {', '.join(d[:10] for d in result.days)}:"]
    for name, kpis in result.kpis.items():
        for key, label, unit in ROWS:
            band = _band(result.bands.get(name, {}).get(key), unit)
            out.append(f"  {name}: {label}: {_fmt(kpis.get(key), unit)} {unit}" + (f" (band {band})" if band else ""))
    return out
