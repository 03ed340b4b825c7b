"""A traffic command killed outright mid-swap (``kill -9``, the OOM killer, a power cut) leaves no mix of two runs.

``StagedOutputs.commit`` renames a command's output files in one by one (:func:`twin.traffic.output_files.swap_in`);
a failure or a signal rolls back, but a process killed between the k-th and the (k+1)-th rename ran
no rollback: the new files of the killed run stood beside the earlier files of the run before, and
the next writer's ``clean_stale`` deleted the earlier files kept aside (``.NAME.twin-old-PID-*``),
so the mix stayed for good. Now the swap writes a journal first (``.twin-swap-PID-RANDOM.json``) and
the next traffic command naming one of those outputs puts the earlier run's files back whole
(:func:`twin.traffic.output_files.recover_killed_swaps`). Here the kill is real: a child process
whose ``os.replace`` ends it with ``os._exit(9)`` right after its k-th rename of a staged file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pandas as pd
import pytest

from tests.cli_harness import run_twin
from tests.test_traffic_signal_split_flows_cli import crossroads_scene

REPO = Path(__file__).resolve().parents[1]

#: The child's ``os.replace``, which ends the process with ``os._exit(9)`` right after its ``k``-th
#: rename of a staged file onto its target (``k`` is set before).
_DIE = textwrap.dedent("""
    real, count = os.replace, [0]

    def replace(src, dst):
        real(src, dst)
        if ".twin-tmp-" in os.fspath(src) and ".twin-tmp-" not in os.fspath(dst):  # a staged file put in place
            count[0] += 1
            if count[0] == k:
                os._exit(9)

    os.replace = replace
    """)

#: A child that swaps ``NAMES`` of the folder argv[1] in (staged files written here) and dies after
#: its argv[2]-th rename of a staged file.
_SWAP_CHILD = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from twin.traffic import output_files

    folders, k = [Path(f) for f in sys.argv[1].split(os.pathsep)], int(sys.argv[2])
    pairs = []
    for i, name in enumerate(sys.argv[3:]):
        target = folders[i % len(folders)] / name
        tmp = target.with_name(f".{name}.twin-tmp-{os.getpid()}-x.tmp")
        tmp.write_text(f"new {name}\\n")
        pairs.append((tmp, target))
    """) + _DIE + textwrap.dedent("""
    output_files.swap_in(pairs)
    """)

#: A child that runs ``twin ARGS`` (argv[2:]) in-process and dies after its argv[1]-th rename of a staged file.
_CLI_CHILD = textwrap.dedent("""
    import os, sys
    k = int(sys.argv[1])
    """) + _DIE + textwrap.dedent("""
    from twin.cli.main import main
    main(sys.argv[2:])
    """)

NAMES = ("a.csv", "b.csv", "d.csv", "c.parquet")  # d.csv: no earlier file


def _child(script: str, *args: object) -> int:
    env = {**os.environ, "TWIN_NUMBA_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", script, *map(str, args)], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    return proc.returncode


def snapshot(*folders: Path) -> dict[str, bytes]:
    """Every file of ``folders`` (hidden ones included) and its bytes."""
    return {f"{folder.name}/{p.name}": p.read_bytes() for folder in folders for p in sorted(folder.iterdir()) if p.is_file()}


def _earlier(folders: list[Path]) -> None:
    for i, name in enumerate(NAMES):
        if name != "d.csv":
            (folders[i % len(folders)] / name).write_text(f"earlier {name}\n")


def _killed_swap(folders: list[Path], k: int) -> None:
    """The earlier files, then a child killed after its ``k``-th rename: the mix is on disk."""
    code = _child(_SWAP_CHILD, os.pathsep.join(map(str, folders)), k, *NAMES)
    assert code == 9
    targets = [folders[i % len(folders)] / n for i, n in enumerate(NAMES)]
    assert [t.name for t in targets if t.exists() and t.read_text().startswith("new")] == list(NAMES[:k])


def _recover(target: Path) -> list[str]:
    from twin.traffic.output_files import recover_killed_swaps

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        recover_killed_swaps(target)
    return [str(w.message) for w in caught]


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("n_folders", [1, 2])
def test_a_swap_killed_after_k_renames_is_put_back_to_the_earlier_files(tmp_path: Path, k: int, n_folders: int) -> None:
    folders = [tmp_path / f"f{i}" for i in range(n_folders)]
    for folder in folders:
        folder.mkdir()
    _earlier(folders)
    before = snapshot(*folders)
    _killed_swap(folders, k)
    mix = snapshot(*folders)
    assert _recover(folders[-1] / "other.csv") == [] and snapshot(*folders) == mix  # a journal not naming the output: the command that does undoes it
    said = _recover(folders[-1] / NAMES[n_folders - 1])  # from the last folder's target: both folders are put back
    assert snapshot(*folders) == before  # byte-identical, no staged file, no file aside, no journal
    assert len(said) == 1 and "\n" not in said[0]
    assert str(folders[-1]) in said[0] and "killed twin run" in said[0] and "undone" in said[0]


def test_asides_gone_the_swap_is_finished_with_the_new_files(tmp_path: Path) -> None:
    _earlier([tmp_path])
    _killed_swap([tmp_path], 2)
    for keep in tmp_path.glob(".a.csv.twin-old-*"):  # the earlier a.csv is lost (e.g. removed by an older twin)
        keep.unlink()
    said = _recover(tmp_path / "b.csv")
    assert snapshot(tmp_path) == {f"{tmp_path.name}/{n}": f"new {n}\n".encode() for n in sorted(NAMES)}
    assert len(said) == 1 and "finished instead" in said[0]


def test_a_journal_of_a_live_process_is_left_alone(tmp_path: Path) -> None:
    live, dead = tmp_path / "live", tmp_path / "dead"
    live.mkdir()
    dead.mkdir()
    _earlier([live])
    _killed_swap([live], 2)
    _earlier([dead])
    before_dead = snapshot(dead)
    _killed_swap([dead], 2)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        (journal,) = live.glob(".twin-swap-*.json")
        data = json.loads(journal.read_text())
        name = f".twin-swap-{sleeper.pid}-{journal.name.split('-')[3]}"  # the same swap, as if its process were alive
        data["pid"], data["journals"] = sleeper.pid, [name]
        for entry in data["files"]:
            if entry["aside"]:
                old = entry["aside"]
                entry["aside"] = old.replace(f"twin-old-{old.split('twin-old-')[1].split('-')[0]}-", f"twin-old-{sleeper.pid}-")
                os.rename(live / old, live / entry["aside"])
        (live / name).write_text(json.dumps(data))
        journal.unlink()
        held = snapshot(live)
        assert _recover(live / "a.csv") == []
        assert snapshot(live) == held  # the live swap's files untouched, its journal kept
        said = _recover(dead / "a.csv")  # the dead one beside: undone
        assert snapshot(dead) == before_dead and len(said) == 1
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.parametrize("kind", ["corrupt", "foreign"])
def test_a_corrupt_or_foreign_journal_is_reported_once_and_not_followed(tmp_path: Path, kind: str) -> None:
    (tmp_path / "a.csv").write_text("earlier a.csv\n")
    (tmp_path / "notes.txt").write_text("mine\n")
    journal = tmp_path / ".twin-swap-999999999-ab12.json"  # no such process
    if kind == "corrupt":
        journal.write_text('{"twin_swap": "twin traffic", "pid": 9')
    else:  # names a file of the user's as the file to rename onto a.csv
        journal.write_text(json.dumps({"twin_swap": "twin traffic", "pid": 999999999, "host": os.uname().nodename, "started": 0.0,
                                       "journals": [journal.name], "files": [{"target": "a.csv", "staged": "notes.txt", "aside": None,
                                                                              "new_id": None, "old_id": None, "aside_id": None}]}))
    before = snapshot(tmp_path)
    said = _recover(tmp_path / "a.csv")
    assert snapshot(tmp_path) == before  # not followed, left as it is
    assert len(said) == 1 and "\n" not in said[0] and journal.name in said[0] and "not a swap journal" in said[0]
    assert _recover(tmp_path / "a.csv") == []  # once per process


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Path:
    from twin.export import write_scene

    folder = tmp_path_factory.mktemp("swap_journal") / "scene"
    write_scene(crossroads_scene(), folder)
    return folder


def _demand(path: Path, vehicles: float) -> Path:
    pd.DataFrame({"origin": ["W"], "destination": ["E"], "t_start_s": [0.0], "t_end_s": [300.0], "vehicles": [vehicles]}).to_csv(path, index=False)
    return path


def test_the_next_traffic_command_puts_back_the_earlier_outputs(scene: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()

    def simulate(demand: Path) -> list:
        return ["traffic", "simulate", scene, "--demand", demand, "--routes", "free_flow", "--output", out / "links.csv",
                "--turns", out / "turns.csv"]

    first = run_twin(simulate(_demand(tmp_path / "od1.csv", 20.0)))
    assert first.code == 0, first.stderr
    before = snapshot(out)
    assert _child(_CLI_CHILD, 1, *simulate(_demand(tmp_path / "od2.csv", 60.0))) == 9  # killed after links.csv was renamed in
    assert snapshot(out) != before
    broken = tmp_path / "broken.csv"
    broken.write_text("origin,destination\nW\n")  # refused after the output checks: nothing new written
    r = run_twin(simulate(broken))
    assert r.code == 2
    assert snapshot(out) == before  # the first run's files, byte-identical, and nothing else
    lines = r.stderr.strip().splitlines()
    warned = [line for line in lines if line.startswith("twin: warning:")]
    assert len(warned) == 1 and str(out) in warned[0] and "killed twin run" in warned[0], r.stderr
    again = run_twin(simulate(tmp_path / "od2.csv"))  # and the killed run's command now runs whole
    assert again.code == 0 and "warning" not in again.stderr, again.stderr


def test_another_writers_clean_up_keeps_the_earlier_files_a_journal_needs(tmp_path: Path) -> None:
    """``clean_stale`` (every writer's start, e.g. ``atomic_path``) must not delete the earlier files
    a killed swap set aside while its journal is there: the recovery would then only go forward."""
    from twin.io.staged import clean_stale

    folder = tmp_path / "f0"
    folder.mkdir()
    _earlier([folder])
    before = snapshot(folder)
    _killed_swap([folder], 2)
    for name in NAMES:
        clean_stale(folder / name)
    _recover(folder / NAMES[0])
    assert snapshot(folder) == before
