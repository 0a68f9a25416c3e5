"""Read a file the bounded way: regular files only, at most a size cap, never a hang.

A schema file may be anything a careless user or a hostile pull request put under
`schemas/`: a FIFO (opening it for reading would block forever), a symlink to `/dev/zero`
(reading it never ends), a directory named `x.json`, or a 2 GB file. `read_regular` opens
without blocking, checks what the descriptor really is (after symlinks), and reads at most
the cap, so every such case becomes a clear `UnreadableFileError` instead of a hang.

The cap is 5 MiB by default (a large event schema is a few KB); set
`REFLEKT_MAX_SCHEMA_BYTES` (a number of bytes) to change it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from reflekt.core.errors import ConfigError, SchemaFileError

DEFAULT_MAX_SCHEMA_BYTES = 5 * 1024 * 1024
MAX_SCHEMA_BYTES_ENV = "REFLEKT_MAX_SCHEMA_BYTES"

_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once instead of waiting for a writer
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnreadableFileError(SchemaFileError):
    """The path exists but is not a regular file, or is larger than the cap."""


def max_schema_bytes() -> int:
    """The size cap for schema files: `REFLEKT_MAX_SCHEMA_BYTES`, else 5 MiB.

    ConfigError (exit 2) when the variable is set to something that is not a positive
    whole number of bytes.
    """
    raw = os.environ.get(MAX_SCHEMA_BYTES_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_MAX_SCHEMA_BYTES
    text = raw.strip().replace("_", "")
    if not text.isdigit() or int(text) <= 0:
        raise ConfigError(
            f"{MAX_SCHEMA_BYTES_ENV}={raw!r} is not a size in bytes",
            hint=f"set it to a positive whole number of bytes, e.g. {DEFAULT_MAX_SCHEMA_BYTES}",
        )
    return int(text)


def kind_of(mode: int) -> str:
    """What a non-regular file is, as a user reads it (`a FIFO (named pipe)`, ...)."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: Path | str, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (default: `max_schema_bytes()`).

    Raises OSError as `open` does (FileNotFoundError, PermissionError, ...), and
    UnreadableFileError for a directory, FIFO, device or socket, or a file over the cap.
    """
    cap = max_schema_bytes() if limit is None else limit
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFileError(
                f"not a regular file: it is {kind_of(info.st_mode)}{_link_note(path)}; "
                "only regular files are read",
                file=path,
                hint="remove it from schemas/, or replace it with the schema file itself",
            )
        if info.st_size > cap:
            raise _too_large(path, info.st_size, cap)
        chunks: list[bytes] = []
        total = 0
        # The first read asks for the whole file and a byte more (a 41 MB lint index in
        # one read, not 42 and a join); the next ones find its end, or that it grew.
        want = min(info.st_size + 1, cap + 1)
        while True:
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > cap:  # the file grew while we read it
                raise _too_large(path, total, cap)
            want = min(1 << 20, cap + 1 - total)
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)
    finally:
        os.close(fd)


def _link_note(path: Path | str) -> str:
    """` (a symlink to /dev/zero)` when the path is a symlink, else ``."""
    try:
        target = os.readlink(path)
    except (OSError, ValueError):
        return ""
    shown = os.fsencode(target).decode("utf-8", "backslashreplace")
    return f" (a symlink to {shown})"


def _too_large(path: Path | str, size: int, cap: int) -> UnreadableFileError:
    more = "over" if size > cap else "at"
    return UnreadableFileError(
        f"file is too large to read: {size:,} bytes, {more} the limit of {cap:,} bytes",
        file=path,
        hint=f"an event schema is a few KB; if this one is right, raise the limit with "
        f"{MAX_SCHEMA_BYTES_ENV}=<bytes>",
    )
