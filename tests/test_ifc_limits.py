"""Limits of the IFC child process: memory, mesh size, captured output; truncated files; placement.

The memory tests run the real worker in a real child process under the real address-space
limit (``TWIN_IFC_MEMORY_MB``): a crafted model whose geometry the kernel meshes into hundreds of
megabytes, and a worker whose extraction step is replaced by an allocation without end.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import DATA_SAMPLES
from twin.errors import InputError, ParseError, ResourceLimitError, SubprocessCrash, TwinWarning
from twin.ingest import ifc

pytest.importorskip("ifcopenshell")

FZK = DATA_SAMPLES / "permit_AC20-FZK-Haus.ifc"
BRUSSELS = (148_500.0, 168_700.0)


# --------------------------------------------------------------------------- a crafted model
def crafted_ifc(*, radius_m: float = 1.0, levels: int = 0, fanout: int = 1) -> str:
    """A minimal IFC4 model: one proxy whose body is a cylinder of ``radius_m`` (1 m high),
    repeated ``fanout ** levels`` times through nested mapped items.

    The geometry kernel meshes a circle to a fixed chord deviation (1 mm), so a cylinder of
    5 km radius has ~14,000 vertices and costs the kernel ~250 MB above its start; nested mapped
    items multiply any body without making the file larger.
    """
    lines: list[str] = []

    def e(text: str) -> int:
        lines.append(f"#{len(lines) + 1}={text};")
        return len(lines)

    origin = e("IFCCARTESIANPOINT((0.,0.,0.))")
    z = e("IFCDIRECTION((0.,0.,1.))")
    x = e("IFCDIRECTION((1.,0.,0.))")
    axes = e(f"IFCAXIS2PLACEMENT3D(#{origin},#{z},#{x})")
    ctx = e(f"IFCGEOMETRICREPRESENTATIONCONTEXT($,'Model',3,1.E-05,#{axes},$)")
    body = e(f"IFCGEOMETRICREPRESENTATIONSUBCONTEXT('Body','Model',*,*,*,*,#{ctx},$,.MODEL_VIEW.,$)")
    metre = e("IFCSIUNIT(*,.LENGTHUNIT.,$,.METRE.)")
    units = e(f"IFCUNITASSIGNMENT((#{metre}))")
    project = e(f"IFCPROJECT('0YvctVUKr0kugbFTf53O9L',$,'crafted',$,$,$,$,(#{ctx}),#{units})")
    place = e(f"IFCLOCALPLACEMENT($,#{axes})")
    site = e(f"IFCSITE('1YvctVUKr0kugbFTf53O9L',$,'site',$,$,#{place},$,$,.ELEMENT.,$,$,$,$,$)")
    building = e(f"IFCBUILDING('2YvctVUKr0kugbFTf53O9L',$,'b',$,$,#{place},$,$,.ELEMENT.,$,$,$)")
    storey = e(f"IFCBUILDINGSTOREY('3YvctVUKr0kugbFTf53O9L',$,'s',$,$,#{place},$,$,.ELEMENT.,0.)")
    e(f"IFCRELAGGREGATES('4YvctVUKr0kugbFTf53O9L',$,$,$,#{project},(#{site}))")
    e(f"IFCRELAGGREGATES('5YvctVUKr0kugbFTf53O9L',$,$,$,#{site},(#{building}))")
    e(f"IFCRELAGGREGATES('6YvctVUKr0kugbFTf53O9L',$,$,$,#{building},(#{storey}))")
    p2 = e(f"IFCAXIS2PLACEMENT2D(#{e('IFCCARTESIANPOINT((0.,0.))')},$)")
    profile = e(f"IFCCIRCLEPROFILEDEF(.AREA.,$,#{p2},{radius_m!r})")
    solid = e(f"IFCEXTRUDEDAREASOLID(#{profile},#{axes},#{z},1.)")
    rep = e(f"IFCSHAPEREPRESENTATION(#{body},'Body','SweptSolid',(#{solid}))")
    for level in range(levels):
        rmap = e(f"IFCREPRESENTATIONMAP(#{axes},#{rep})")
        items = []
        for k in range(fanout):
            point = e(f"IFCCARTESIANPOINT(({float(3 * radius_m * k)},{float(level)},0.))")
            op = e(f"IFCCARTESIANTRANSFORMATIONOPERATOR3D($,$,#{point},1.,$)")
            items.append(e(f"IFCMAPPEDITEM(#{rmap},#{op})"))
        rep = e(f"IFCSHAPEREPRESENTATION(#{body},'Body','MappedRepresentation',({','.join(f'#{i}' for i in items)}))")
    shape = e(f"IFCPRODUCTDEFINITIONSHAPE($,$,(#{rep}))")
    proxy = e(f"IFCBUILDINGELEMENTPROXY('7YvctVUKr0kugbFTf53O9L',$,'crafted',$,$,#{place},#{shape},$,$)")
    e(f"IFCRELCONTAINEDINSPATIALSTRUCTURE('8YvctVUKr0kugbFTf53O9L',$,$,$,(#{proxy}),#{storey})")
    head = (
        "ISO-10303-21;\nHEADER;\nFILE_DESCRIPTION(('ViewDefinition [CoordinationView]'),'2;1');\n"
        "FILE_NAME('crafted.ifc','2024-01-01T00:00:00',(''),(''),'','','');\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n"
    )
    return head + "\n".join(lines) + "\nENDSEC;\nEND-ISO-10303-21;\n"


MEMORY_MB = 400
"""Limit for the memory tests: above what the child needs to start and read a small model
(~310 MB of address space), below what the 5 km cylinder needs (~550 MB)."""


def test_small_crafted_model_fits_the_test_limit(tmp_path, monkeypatch):
    """The control: under the same limit, a small model is read (the limit is not hit at start)."""
    path = tmp_path / "small.ifc"
    path.write_text(crafted_ifc(radius_m=1.0, levels=2, fanout=4))
    monkeypatch.setenv(ifc.MEMORY_ENV, str(MEMORY_MB))
    result = ifc.read_ifc(path, origin=BRUSSELS, crs="EPSG:31370")
    assert len(result.layers["buildings"]) == 1


def test_geometry_that_needs_more_memory_is_stopped_by_the_limit(tmp_path, monkeypatch):
    path = tmp_path / "big.ifc"
    path.write_text(crafted_ifc(radius_m=5000.0))
    monkeypatch.setenv(ifc.MEMORY_ENV, str(MEMORY_MB))
    with pytest.raises(ResourceLimitError) as info:
        ifc.read_ifc(path, origin=BRUSSELS, crs="EPSG:31370")
    message = str(info.value)
    assert "big.ifc" in message and f"{MEMORY_MB} MB" in message and ifc.MEMORY_ENV in message


def _hog_worker(tmp_path: Path, body: str) -> Path:
    """A worker script that runs the real worker's main() with ``body`` in place of its
    semantics extraction (so the real limit and the real error report are used)."""
    script = tmp_path / "hog_worker.py"
    hog = textwrap.indent(textwrap.dedent(body).strip(), "    ")
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(ifc.WORKER).parent)!r})\n"
        "import ifc_worker\n\n\n"
        f"def hog(model):\n{hog}\n\n\n"
        "ifc_worker.extract.extract_semantics = hog\n"
        "sys.exit(ifc_worker.main(sys.argv[1:]))\n"
    )
    return script


def test_worker_that_allocates_without_bound_is_stopped(tmp_path, monkeypatch):
    """Allocation without end in the child: a MemoryError under the limit, reported as such.

    The blocks are not touched (calloc maps zero pages), so even if the limit failed the test
    would not take the machine's memory; it stops itself at 64 GB of address space."""
    script = _hog_worker(
        tmp_path,
        """
        blocks = []
        for _ in range(1024):
            blocks.append(bytearray(64 * 1024 * 1024))
        raise SystemExit(99)
        """,
    )
    monkeypatch.setattr(ifc, "WORKER", script)
    monkeypatch.setenv(ifc.MEMORY_ENV, "600")
    with pytest.raises(ResourceLimitError) as info:
        ifc.read_ifc(FZK, origin=BRUSSELS, crs="EPSG:31370")
    message = str(info.value)
    assert "permit_AC20-FZK-Haus.ifc" in message and "600 MB" in message
    assert "reading properties" in message  # the stage the child was in


def test_a_limit_too_small_to_start_is_reported_as_the_limit(monkeypatch):
    monkeypatch.setenv(ifc.MEMORY_ENV, "64")
    with pytest.raises(ResourceLimitError, match="64 MB"):
        ifc.read_ifc(FZK, origin=BRUSSELS, crs="EPSG:31370")


def test_child_output_is_kept_bounded(tmp_path):
    """A child that writes 40 MB to stderr: the parent keeps the last 64 KB only."""
    cmd = [sys.executable, "-c", "import sys\nfor i in range(640): sys.stderr.write('x' * 65535 + '\\n')\nsys.stderr.write('THE END')"]
    done = ifc._run_bounded(cmd, timeout_s=60.0)
    assert done.returncode == 0
    assert len(done.stderr) <= ifc.MAX_CHILD_OUTPUT_BYTES
    assert done.stderr.endswith(b"THE END")


def test_crash_message_of_a_chatty_child_is_one_short_line(tmp_path, monkeypatch):
    script = _hog_worker(
        tmp_path,
        """
        import os
        for _ in range(200):
            sys.stderr.write("noise " * 10000 + "\\n")
        sys.stderr.flush()
        os._exit(5)
        """,
    )
    monkeypatch.setattr(ifc, "WORKER", script)
    with pytest.raises(SubprocessCrash) as info:
        ifc.read_ifc(FZK, origin=BRUSSELS, crs="EPSG:31370")
    message = str(info.value)
    assert "status 5" in message and len(message) < 3 * ifc.MAX_CHILD_OUTPUT_BYTES // 16


def test_memory_limit_setting(monkeypatch):
    monkeypatch.delenv(ifc.MEMORY_ENV, raising=False)
    assert ifc.memory_limit() == ifc.DEFAULT_MEMORY_LIMIT_MB == 4096
    monkeypatch.setenv(ifc.MEMORY_ENV, "1024")
    assert ifc.memory_limit() == 1024
    assert ifc.memory_limit(0) == 0  # switched off on purpose
    for bad in ("abc", "1.5", "-3"):
        monkeypatch.setenv(ifc.MEMORY_ENV, bad)
        with pytest.raises(InputError, match=ifc.MEMORY_ENV):
            ifc.memory_limit()
    for bad in (-1, 2.5, "100", True):
        with pytest.raises(InputError, match="memory limit"):
            ifc.memory_limit(bad)


def test_worker_sets_the_address_space_limit_in_the_child(tmp_path):
    """The limit is the child's own (the parent is not limited)."""
    import resource

    code = textwrap.dedent(
        f"""
        import sys, resource
        sys.path.insert(0, {str(Path(ifc.WORKER).parent)!r})
        import ifc_worker
        ifc_worker.limit_memory(777)
        print(resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_CORE)[0])
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert int(out[0]) == 777 * 1024 * 1024 and int(out[1]) == 0
    assert resource.getrlimit(resource.RLIMIT_AS)[0] != 777 * 1024 * 1024


# --------------------------------------------------------------------------- truncated files
def _truncated_fzk(tmp_path: Path, fraction: float = 0.7) -> Path:
    data = FZK.read_bytes()
    path = tmp_path / "cut.ifc"
    path.write_bytes(data[: int(len(data) * fraction)])
    return path


def test_truncated_ifc_is_an_error(tmp_path):
    """ifcopenshell reads a cut AC20-FZK-Haus without a word and keeps 24 of its 33 elements."""
    with pytest.raises(ParseError, match="truncated IFC file") as info:
        ifc.read_ifc(_truncated_fzk(tmp_path), origin=BRUSSELS, crs="EPSG:31370")
    assert "cut.ifc" in str(info.value) and "END-ISO-10303-21" in str(info.value)


def test_truncated_ifc_can_be_read_with_a_warning(tmp_path):
    full = ifc.read_ifc(FZK, origin=BRUSSELS, crs="EPSG:31370")
    with pytest.warns(TwinWarning, match="truncated IFC"):
        cut = ifc.read_ifc(_truncated_fzk(tmp_path), origin=BRUSSELS, crs="EPSG:31370", allow_truncated=True)
    assert cut.meta["truncated"] and not full.meta["truncated"]
    assert len(cut.layers["elements"]) < len(full.layers["elements"]) == 33


def test_truncated_inside_the_header_is_not_a_readable_file(tmp_path):
    path = _truncated_fzk(tmp_path, fraction=0.0001)
    with pytest.raises(ParseError, match="no DATA section"):
        ifc.read_ifc(path, origin=BRUSSELS, allow_truncated=True)


# --------------------------------------------------------------------------- placement options
@pytest.mark.parametrize(
    "options, field",
    [
        ({"origin": (float("nan"), 1.0)}, "origin"),
        ({"origin": (1.0,)}, "origin"),
        ({"origin": "here"}, "origin"),
        ({"origin": (1e12, 0.0)}, "origin"),
        ({"origin": BRUSSELS, "rotation_deg": float("inf")}, "rotation_deg"),
        ({"origin": BRUSSELS, "rotation_deg": 720.0}, "rotation_deg"),
        ({"origin": BRUSSELS, "ground_z_m": 1e6}, "ground_z_m"),
    ],
    ids=["origin-nan", "origin-one", "origin-text", "origin-huge", "rotation-inf", "rotation-720", "ground-z-huge"],
)
def test_placement_options_are_checked_before_the_child_starts(options, field, monkeypatch):
    def no_child(*args, **kwargs):  # pragma: no cover - reaching it fails the test
        raise AssertionError("the child process was started")

    monkeypatch.setattr(ifc, "extract", no_child)
    with pytest.raises(InputError) as info:
        ifc.read_ifc(FZK, crs="EPSG:31370", **options)
    assert info.value.field == field
