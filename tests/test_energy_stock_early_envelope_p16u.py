"""The envelope table filtered and encoded before the 5R1C kernel runs (``simulate_prepared`` with
``encode=True``, as ``twin energy run`` does for Parquet), and the kernel inputs of the prepared
envelope computed by ``prepare_stock`` before it waits for the shading: when the kernel rejects the
buildings its input checks predict, the early table is the run's envelope and its bytes are
written; when the prediction misses, the envelope is filtered and encoded after the kernel as
before. Either way the files equal those of a run without early encoding, byte for byte."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest

from tests.test_energy_stock_bad_input import row_scene

TABLES = ("buildings", "envelope", "excluded", "monthly", "costs")
#: Two houses whose envelope passes validation but whose conductance the kernel rejects.
LEAKY = {"h1": {"u_wall_w_m2k": 60.0, "u_roof_w_m2k": 60.0}, "h3": {"u_roof_w_m2k": 60.0}}


def _digests(folder) -> dict[str, str]:
    return {n: hashlib.sha256((folder / f"{n}.parquet").read_bytes()).hexdigest() for n in TABLES}


@pytest.mark.parametrize("case", ["prepared", "missed", "variant", "plain prep"])
def test_early_envelope_gives_the_files_of_a_plain_run(weather, tmp_path, case):
    from twin.energy.stock import BaselineInputs, prepare_stock, run_stock

    scene = row_scene(6)
    prep = prepare_stock(scene, weather, overrides=LEAKY)
    base = prep.baseline_inputs
    assert isinstance(base, BaselineInputs) and base.envelope is prep.envelope and base.rejected == ["h1", "h3"]
    measures = ["wall_insulation"] if case == "variant" else None  # a changed envelope: predicted in simulate_prepared
    plain = run_stock(scene, weather, prepared=dataclasses.replace(prep, baseline_inputs=None), measures=measures)
    if case == "missed":  # a prediction that misses (as an overflow found only by the kernel would)
        prep = dataclasses.replace(prep, baseline_inputs=dataclasses.replace(base, rejected=[], kept=prep.envelope))
    elif case == "plain prep":  # a prepared stock without the precomputed inputs (as built by other callers)
        prep = dataclasses.replace(prep, baseline_inputs=None)
    early = run_stock(scene, weather, prepared=prep, measures=measures, encode=True)
    assert list(plain.excluded["building_id"]) == list(early.excluded["building_id"]) == ["h1", "h3"]
    assert list(early.envelope["building_id"]) == ["h0", "h2", "h4", "h5"]
    assert early.encoded["envelope"][0] is early.envelope  # the bytes written are those of the run's envelope
    plain.save(tmp_path / "plain", plots=False)
    early.save(tmp_path / "early", plots=False)
    assert _digests(tmp_path / "plain") == _digests(tmp_path / "early")
    assert (plain.accounts["investment_eur"] > 0).any() == (case == "variant")
