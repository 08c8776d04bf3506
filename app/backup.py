"""Consistent backups: SQLite's online backup API, or pg_dump for PostgreSQL."""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from . import files
from .db import get_engine


def backup(target: str) -> Path:
    """Write a consistent copy of the database to target (a file) and return its path.

    SQLite: an online backup (readers and writers may continue). PostgreSQL: `pg_dump -Fc`
    (restore with `pg_restore -d DB FILE`). The master key is NOT in the backup: keep it apart.
    """
    path = Path(target).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    url = get_engine().url
    if url.get_backend_name() == "sqlite":
        tmp = path.with_name(path.name + ".partial")
        os.close(files.open_private(tmp, exclusive=False))  # 0600 before a byte is copied
        src = sqlite3.connect(url.database)
        dst = sqlite3.connect(tmp)
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
        os.replace(tmp, path)
        return path
    if not shutil.which("pg_dump"):
        raise RuntimeError("pg_dump is not installed (Debian package postgresql-client)")
    u = make_url(str(url))
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = u.password
    cmd = ["pg_dump", "-Fc", "--no-owner", "-f", str(path), "-h", u.host or "localhost",
           "-p", str(u.port or 5432), "-U", u.username or os.environ.get("USER", "postgres"),
           u.database]
    os.close(files.open_private(path, exclusive=False))  # pg_dump writes into it, keeping 0600
    subprocess.run(cmd, check=True, env=env, capture_output=True, timeout=3600)
    return path
