"""`reflekt migrate` as a real subprocess: interrupted (paused by the writer's testing hook,
`tests/pause_support.py`, then signalled) it leaves the project as it was or completable; in a
terminal it asks the registry of the folders it cannot infer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from migrate_support import FOLDERS, git, lay_out, snapshot

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from pause_support import Pause


def reflekt(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "reflekt", *args, "--project-dir", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )


def _pair(tmp_path: Path, servers) -> tuple[Path, Path]:
    """Two identical 0.6 projects: one to interrupt, one migrated in one go (the reference)."""
    segment, avo = servers
    victim, reference = tmp_path / "a" / "shop", tmp_path / "b" / "shop"
    for root in (victim, reference):
        lay_out(root, segment.url, avo.url)
    done = reflekt(reference, "migrate", *FOLDERS)
    _, err = done.communicate()
    assert done.returncode == 0, err
    return victim, reference


def test_a_migrate_terminated_while_staging_changes_nothing(tmp_path, servers) -> None:
    victim, _ = _pair(tmp_path, servers)
    before = snapshot(victim)
    pause = Pause(tmp_path / "pause", "staging")
    proc = reflekt(victim, "migrate", *FOLDERS, env=pause.env)
    pause.wait(proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate()
    pause.close()
    assert proc.returncode == 143, err
    assert snapshot(victim) == before
    assert git(victim, "status", "--porcelain") == ""


def test_a_migrate_killed_while_applying_is_completed_by_the_next_run(tmp_path, servers) -> None:
    victim, reference = _pair(tmp_path, servers)
    before = snapshot(victim)
    pause = Pause(tmp_path / "pause", "apply")
    proc = reflekt(victim, "migrate", *FOLDERS, env=pause.env)
    pause.wait(proc)
    proc.kill()  # SIGKILL: half the files are in place, the journal says "committing"
    proc.communicate()
    pause.close()
    assert snapshot(victim) not in (before, snapshot(reference))

    again = reflekt(victim, "migrate", *FOLDERS)
    out, err = again.communicate()
    assert again.returncode == 0, err
    assert "Nothing to migrate" in out
    assert "interrupted reflekt migrate" in out  # and its git step was done now
    assert _same_place(snapshot(victim), victim) == _same_place(snapshot(reference), reference)
    assert git(victim, "diff", "--cached", "--name-status", "-M") == git(
        reference, "diff", "--cached", "--name-status", "-M"
    )


def _same_place(files: dict[str, bytes | None], root: Path) -> dict[str, bytes | None]:
    """The snapshot with the project's own folder (in the profile's DuckDB path) left out."""
    here = str(root.parent).encode()
    return {k: v.replace(here, b"<here>") if v else v for k, v in files.items()}


def test_in_a_terminal_migrate_asks_the_registry_of_each_unknown_folder(tmp_path, servers) -> None:
    """Standard input a terminal (a pty): the two unknown folders are asked, in order."""
    import pty

    segment, avo = servers
    root = tmp_path / "shop"
    lay_out(root, segment.url, avo.url)
    controller, terminal = pty.openpty()
    os.write(controller, b"segment\navo\n")  # typed ahead: ecommerce, then marketing
    proc = subprocess.Popen(
        [sys.executable, "-m", "reflekt", "migrate", "--project-dir", str(root)],
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = proc.communicate(timeout=120)
    os.close(terminal)
    assert "Migrated from reflekt 0.6" in out
    os.close(controller)
    assert proc.returncode == 0, err
    assert "Registry of schemas/ecommerce/" in err and "Registry of schemas/marketing/" in err
    assert (root / "schemas/segment/ecommerce/Cart_Viewed/1-0.json").is_file()
    assert (root / "schemas/avo/marketing/Promo_Clicked/1-0.json").is_file()
