"""The compiled-rule cache under attack: nothing it did not write is loaded, nothing outside its
own entries is touched, and no cache state changes a verdict (issue 13, item 1).

Every test runs the command in a child process with its own XDG_CACHE_HOME inside tmp_path, so
the cache folder is found afresh; links only ever point inside tmp_path.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

DRAFT = "1. The Group met in Geneva and discussed a repository of threats.\n"
RULES = ("group: g\ntitle: T\ninclude: [vocab.yaml]\nrules:\n  - id: city\n    says: S\n"
         "    check: City\n  - id: no-repository\n    says: No repository.\n"
         "    check: not \"repository\"\n")


def run(cwd: Path, cache: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    env.pop("DRAFTCHECK_NO_CACHE", None)
    return subprocess.run([sys.executable, "-m", "checker", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def statuses(result: subprocess.CompletedProcess) -> dict[str, str]:
    assert result.returncode in (0, 1), result.stderr
    rules = json.loads(result.stdout)["drafts"][0]["groups"][0]["rules"]
    return {r["id"]: r["status"] for r in rules}


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    folder = tmp_path / "checkout"
    folder.mkdir()
    (folder / "d.txt").write_text(DRAFT, "utf-8")
    (folder / "vocab.yaml").write_text('terms:\n  City: "Geneva"\n', "utf-8")
    (folder / "r.yaml").write_text(RULES, "utf-8")
    return folder


def check(checkout: Path, cache: Path, **options) -> dict[str, str]:
    return statuses(run(checkout, cache, "d.txt", "--rules", "r.yaml", "-f", "json", **options))


EXPECTED = {"city": "met", "no-repository": "unmet"}


def entries(cache: Path) -> list[Path]:
    return sorted(p for p in (cache / "draftcheck").iterdir() if p.name.startswith(("rules-",
                                                                                   "grammar-")))


class Evil:
    """A pickle that, if ever loaded, leaves a file behind: the sign that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_an_entry_the_cache_did_not_write_runs_no_code(checkout: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert check(checkout, cache) == EXPECTED  # fills the cache
    marker = tmp_path / "code-ran"
    for entry in entries(cache):
        entry.write_bytes(pickle.dumps(Evil(marker)))
    assert check(checkout, cache) == EXPECTED
    assert not marker.exists()


def test_a_flipped_byte_in_an_entry_never_changes_a_verdict(checkout: Path,
                                                            tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert check(checkout, cache) == EXPECTED
    flipped = 0
    for entry in entries(cache):
        data = entry.read_bytes()
        if b"repository" in data:  # the phrase of a check: "repositorx" matches nothing
            entry.write_bytes(data.replace(b"repository", b"repositorx"))
            flipped += 1
    assert flipped
    assert check(checkout, cache) == EXPECTED


def test_a_cache_folder_that_is_a_link_is_not_used(checkout: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    for i in range(250):
        (elsewhere / f"note-{i:03}.txt").write_text("mine", "utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "draftcheck").symlink_to(elsewhere, target_is_directory=True)
    before = sorted(p.name for p in elsewhere.iterdir())
    assert check(checkout, cache) == EXPECTED
    assert sorted(p.name for p in elsewhere.iterdir()) == before


def test_pruning_removes_only_the_caches_own_entries(checkout: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    folder = cache / "draftcheck"
    folder.mkdir(parents=True, mode=0o700)
    mine = [folder / f"keep-{i:03}.txt" for i in range(250)]
    for path in mine:
        path.write_text("not an entry", "utf-8")
    assert check(checkout, cache) == EXPECTED
    assert all(path.read_text("utf-8") == "not an entry" for path in mine)


def test_entries_that_are_fifos_or_links_neither_hang_nor_write_through(checkout: Path,
                                                                       tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert check(checkout, cache) == EXPECTED
    precious = tmp_path / "precious.txt"
    precious.write_text("precious", "utf-8")
    for i, entry in enumerate(entries(cache)):
        entry.unlink()
        if i % 2:
            os.mkfifo(entry)
        else:
            entry.symlink_to(precious)
    assert check(checkout, cache, timeout=60) == EXPECTED
    assert check(checkout, cache, timeout=60) == EXPECTED
    assert precious.read_text("utf-8") == "precious"


def test_the_same_rule_file_in_two_checkouts_reads_each_ones_vocabulary(checkout: Path,
                                                                        tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    other = tmp_path / "other"
    other.mkdir()
    for name in ("d.txt", "r.yaml"):
        (other / name).write_bytes((checkout / name).read_bytes())
    (other / "vocab.yaml").write_text('terms:\n  City: "Vienna"\n', "utf-8")
    assert check(checkout, cache) == EXPECTED
    assert check(other, cache) == {"city": "unmet", "no-repository": "unmet"}
    assert check(other, run_uncached := tmp_path / "fresh") == check(other, cache)
    assert run_uncached.exists()


def test_the_cache_is_private_and_reused(checkout: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert check(checkout, cache) == EXPECTED
    folder = cache / "draftcheck"
    assert folder.stat().st_mode & 0o077 == 0
    assert all(p.stat().st_mode & 0o077 == 0 for p in folder.iterdir())
    stamps = {p.name: p.stat().st_mtime_ns for p in entries(cache)}
    assert check(checkout, cache) == EXPECTED
    assert {p.name: p.stat().st_mtime_ns for p in entries(cache)} == stamps  # read, not rebuilt
