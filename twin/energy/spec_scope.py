"""Which keys of a single-zone spec a zone model does not read.

A spec (:mod:`twin.energy.spec`) holds keys that only the finer model
(:mod:`twin.energy.iso52016`, ``--model iso52016``) reads: ``simulation.interior_convection``,
``simulation.exterior_convection``, ``simulation.control_temperature``, ``site.terrain``, each construction's ``roughness`` and
``interior_solar_absorptance`` and each window's ``glazing_gap``. The 5R1C model
(:func:`twin.energy.spec.simulate_spec`) runs without them. The BESTEST specs carry them on
purpose (one file for both models), so they are not an error; but a result that did not read a
key the user set must say so. :func:`ignored_inputs` lists, for a parsed spec and a model, the
keys set away from their defaults that the model does not read; the 5R1C spec result carries the
list (``ignored_inputs``) and ``twin energy simulate`` prints it as one ``twin: note:`` line and
in its ``--json`` output (``ignored_by_model``).

A key is listed only where the finer model reads it: a construction's ``roughness`` only for the
wall and the roof with a wind-exposed (``exterior``) surface (the floor has none), and with
``simulation.exterior_convection: fixed`` the ``site.terrain`` and ``roughness`` keys are
listed with the condition under which the finer model reads them. Defaults are those of the
spec's schema (:class:`twin.energy.spec.ZoneSpec`), never copies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from twin.energy.stock_iso52016 import check_model

if TYPE_CHECKING:
    from twin.energy.spec import ZoneSpec

FINER_MODEL = "iso52016"
"""The zone model that reads every key listed here."""
READ_BY_FINER = f"read by the finer model only: --model {FINER_MODEL}"
"""Why a key is listed: the finer model reads it."""
READ_BY_FINER_WITH_WIND = f"read by the finer model only with simulation.exterior_convection: doe2: --model {FINER_MODEL}"
"""Why ``site.terrain`` or a ``roughness`` is listed when the spec's exterior convection is ``fixed``."""
SURFACE_KEYS = {"north": "wall", "east": "wall", "south": "wall", "west": "wall", "roof": "roof"}
"""Envelope construction of each wind-exposed surface of :meth:`twin.energy.spec.ZoneSpec.surfaces`."""


@dataclass(frozen=True)
class IgnoredInput:
    """One spec key set away from its default that a zone model does not read.

    Attributes
    ----------
    field : str
        Key path in the spec, e.g. ``simulation.exterior_convection`` or ``windows.0.glazing_gap``.
    value : Any
        The spec's value (a mapping for a block such as ``glazing_gap``).
    reason : str
        Why the model does not read it, e.g. :data:`READ_BY_FINER`.
    """

    field: str
    value: Any
    reason: str

    def as_dict(self) -> dict[str, Any]:
        """``{"field", "value", "reason"}`` for JSON output."""
        return {"field": self.field, "value": self.value, "reason": self.reason}

    def label(self) -> str:
        """``field=value`` for a single value, the key path alone for a block (a mapping)."""
        return self.field if isinstance(self.value, dict) else f"{self.field}={self.value}"


def _changed(obj: BaseModel, path: str, name: str, reason: str) -> list[IgnoredInput]:
    """``[IgnoredInput]`` when ``obj.name`` differs from the schema's default, else ``[]``."""
    value = getattr(obj, name)
    default = type(obj).model_fields[name].get_default(call_default_factory=True)
    if value == default:
        return []
    shown = value.model_dump() if isinstance(value, BaseModel) else value
    return [IgnoredInput(f"{path}.{name}", shown, reason)]


def ignored_inputs(spec: ZoneSpec, model: str) -> list[IgnoredInput]:
    """The keys of ``spec`` set away from their defaults that ``model`` does not read.

    Parameters
    ----------
    spec : ZoneSpec
        A parsed single-zone spec (:func:`twin.energy.spec.load_spec`).
    model : str
        A zone model (:data:`twin.energy.stock_iso52016.MODELS`): ``5r1c`` or ``iso52016``.

    Returns
    -------
    list of IgnoredInput
        In the spec's key order (envelope, windows, internal masses, site, simulation); empty for
        the finer model, which reads every key of the spec, and for a spec that leaves the
        finer-only keys at their defaults.

    Raises
    ------
    InputError
        ``model`` is not a zone model.
    """
    check_model(model, field_name="model")
    if model == FINER_MODEL:
        return []
    wind = READ_BY_FINER if spec.simulation.exterior_convection == "doe2" else READ_BY_FINER_WITH_WIND
    exposed = {SURFACE_KEYS[s["name"]] for s in spec.surfaces() if s["boundary"] == "exterior" and s["name"] in SURFACE_KEYS}
    out: list[IgnoredInput] = []
    for key in ("wall", "roof", "floor"):
        con = getattr(spec.envelope, key)
        if key in exposed:
            out += _changed(con, f"envelope.{key}", "roughness", wind)
        out += _changed(con, f"envelope.{key}", "interior_solar_absorptance", READ_BY_FINER)
    for k, window in enumerate(spec.windows):
        out += _changed(window, f"windows.{k}", "glazing_gap", READ_BY_FINER)
    for k, mass in enumerate(spec.internal_mass):
        out += _changed(mass.construction, f"internal_mass.{k}.construction", "interior_solar_absorptance", READ_BY_FINER)
    out += _changed(spec.site, "site", "terrain", wind)
    out += _changed(spec.simulation, "simulation", "interior_convection", READ_BY_FINER)
    out += _changed(spec.simulation, "simulation", "exterior_convection", READ_BY_FINER)
    out += _changed(spec.simulation, "simulation", "control_temperature", READ_BY_FINER)  # 5R1C controls its air node
    return out


def ignored_note(model: str, ignored: Sequence[IgnoredInput]) -> str | None:
    """One line saying which keys ``model`` ignored, grouped by reason; None when there are none.

    E.g. ``the 5r1c model ignores simulation.exterior_convection=doe2, site.terrain=country
    (read by the finer model only: --model iso52016)``.
    """
    if not ignored:
        return None
    groups: dict[str, list[str]] = {}
    for item in ignored:
        groups.setdefault(item.reason, []).append(item.label())
    return f"the {model} model ignores " + "; ".join(f"{', '.join(labels)} ({reason})" for reason, labels in groups.items())
