"""``silkroad check``: every file the catalog lists is verified; a damaged store exits 2 with the
report on stdout and one line on stderr."""

from __future__ import annotations

import json

import pytest

from silkroad.store.store import Store


def _data_files(home):
    return sorted(p for p in (home / "data").rglob("*.parquet"))


def test_an_intact_store_is_ok_and_every_file_is_counted(world_home, invoke):
    code, stdout, stderr = invoke("check", "--home", world_home)
    assert (code, stderr) == (0, "")
    # two years, each with its flows, pair totals and product totals, and the quarantine file
    assert len(_data_files(world_home)) == 7
    assert f"OK: {len(_data_files(world_home))} files verified" in stdout


@pytest.mark.parametrize("damage", ["deleted", "altered"])
def test_a_damaged_file_is_named_exit_2_one_line(world_home, invoke, damage):
    victim = next(p for p in _data_files(world_home) if "year=2015" in str(p))
    rel = victim.relative_to(world_home).as_posix()
    if damage == "deleted":
        victim.unlink()
    else:
        victim.write_bytes(victim.read_bytes() + b"x")
    code, stdout, stderr = invoke("check", "--home", world_home)
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and rel in lines[0]
    assert rel in stdout and ("missing" if damage == "deleted" else "checksum") in stdout

    code, stdout, _ = invoke("check", "--home", world_home, "--json")
    assert code == 2
    report = json.loads(stdout)
    assert report == json.loads(json.dumps(Store(world_home).check().to_dict()))
    assert report["ok"] is False
    assert [p["path"] for p in report["problems"]] == [rel]


def test_a_stray_file_is_listed_not_an_error(world_home, invoke):
    (world_home / "data" / ".DS_Store").write_bytes(b"\0")
    code, stdout, _ = invoke("check", "--home", world_home)
    assert code == 0
    assert "data/.DS_Store" in stdout and "stray" in stdout
    assert (world_home / "data" / ".DS_Store").exists()  # listed, never deleted
