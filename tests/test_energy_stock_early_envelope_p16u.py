"""The envelope table filtered and encoded before the 5R1C kernel runs (``simulate_prepared`` with
``encode=True``, as ``twin energy run`` does for Parquet): when the kernel rejects the buildings
its input checks predict, that early table is the run's envelope and its bytes are written; when
the prediction misses, the envelope is filtered and encoded after the kernel as before. Either way
the files equal those of a run without early encoding, byte for byte."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import shared_path
from tests.test_energy_stock_bad_input import row_scene

TABLES = ("buildings", "envelope", "excluded", "monthly", "costs")
#: Two houses whose envelope passes validation but whose conductance the kernel rejects.
LEAKY = {"h1": {"u_wall_w_m2k": 60.0, "u_roof_w_m2k": 60.0}, "h3": {"u_roof_w_m2k": 60.0}}


@pytest.fixture(scope="module")
def weather():
    from twin.ingest.epw import read_epw

    return read_epw(shared_path("weather", "BEL_VLG_Uccle.064470_TMYx.2007-2021.epw"))


def _digests(folder) -> dict[str, str]:
    return {n: hashlib.sha256((folder / f"{n}.parquet").read_bytes()).hexdigest() for n in TABLES}


@pytest.mark.parametrize("predicted", [True, False])
def test_early_envelope_gives_the_files_of_a_plain_run(weather, tmp_path, monkeypatch, predicted):
    import twin.energy.simulate
    import twin.energy.stock
    from twin.energy.stock import prepare_stock, run_stock

    scene = row_scene(6)
    prep = prepare_stock(scene, weather, overrides=LEAKY)
    plain = run_stock(scene, weather, prepared=prep)
    if not predicted:  # a prediction that misses (as an overflow found only by the kernel would)
        early_envelope = twin.energy.stock._early_envelope

        def missed(*args):
            with monkeypatch.context() as m:  # the kernel's own checks stay as they are
                m.setattr(twin.energy.simulate, "input_problems", lambda *a, **k: [])
                return early_envelope(*args)

        monkeypatch.setattr(twin.energy.stock, "_early_envelope", missed)
    early = run_stock(scene, weather, prepared=prep, encode=True)
    assert list(plain.excluded["building_id"]) == list(early.excluded["building_id"]) == ["h1", "h3"]
    assert list(early.envelope["building_id"]) == ["h0", "h2", "h4", "h5"]
    assert early.encoded["envelope"][0] is early.envelope  # the bytes written are those of the run's envelope
    plain.save(tmp_path / "plain", plots=False)
    early.save(tmp_path / "early", plots=False)
    assert _digests(tmp_path / "plain") == _digests(tmp_path / "early")
