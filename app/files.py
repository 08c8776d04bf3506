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


def _chmod(path: Path, mode: int) -> None:
    try:
        os.chmod(path, mode)
    except PermissionError:  # not ours (e.g. an instance folder an administrator made)
        log.warning("cannot restrict %s to mode %o: not owned by this user", path, mode)


def private_dir(path: str | os.PathLike) -> Path:
    """The folder, made if missing (with its parents), with mode 0700."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o777 != DIR_MODE:
        _chmod(path, DIR_MODE)
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
    existing file and its -wal/-shm are set to 0600.
    """
    path = Path(database)
    try:
        os.close(open_private(path))
    except FileExistsError:
        pass
    except FileNotFoundError:  # no such folder: SQLite reports it when it connects
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        extra = Path(f"{path}{suffix}")
        try:
            if extra.stat().st_mode & 0o777 != FILE_MODE:
                _chmod(extra, FILE_MODE)
        except FileNotFoundError:
            pass
