"""Files and folders the app writes (instance folder, mails, SQLite, keys, backups): readable by
the app's own user only (SPEC §14). Folders 0700, files 0600.

Modes are set where each file is made (os.open with 0600) rather than by a process-wide umask,
which would also change what other code and libraries create. A folder or file left from an
older version with a looser mode is tightened when the app next uses it.
"""

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

DIR_MODE = 0o700
FILE_MODE = 0o600


def _tighten(path: Path) -> None:
    """Take away what group and others may do (never add anything: a 0400 file stays 0400)."""
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        try:
            os.chmod(path, mode & 0o700)
        except PermissionError:  # not ours (e.g. an instance folder an administrator made)
            log.warning("cannot restrict %s to its owner: not owned by this user", path)


def private_dir(path: str | os.PathLike) -> Path:
    """The folder, made if missing (with its parents), with mode 0700 (an existing one: no
    access for group and others)."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    _tighten(path)
    return path


def open_private(path: str | os.PathLike, *, exclusive: bool = True) -> int:
    """A file descriptor for writing a new file with mode 0600 (exclusive: it must not exist)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, FILE_MODE)
    if not exclusive:  # an existing file keeps its mode on open: set it
        os.fchmod(fd, FILE_MODE)
    return fd


def write_private(path: str | os.PathLike, data: bytes, *, exclusive: bool = True) -> None:
    """Write a file with mode 0600 (exclusive: it must not exist yet)."""
    with os.fdopen(open_private(path, exclusive=exclusive), "wb") as fh:
        fh.write(data)


def private_sqlite(database: str) -> None:
    """Make an SQLite database file private before SQLite opens it.

    A missing file is created empty with mode 0600 (SQLite takes an empty file as a new
    database), and SQLite gives its -wal and -shm files the mode of the database file; an
    existing file and its -wal/-shm lose any access for group and others.
    """
    path = Path(database)
    try:
        os.close(open_private(path))
    except FileExistsError:
        pass
    except (FileNotFoundError, PermissionError):  # no such folder, or not ours: SQLite says so
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            _tighten(Path(f"{path}{suffix}"))
        except FileNotFoundError:
            pass
