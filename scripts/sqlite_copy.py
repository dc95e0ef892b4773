"""Copy a SQLite database consistently while the platform may be writing to it (SQLite's online backup
API), into one self-contained file: `python3 scripts/sqlite_copy.py SOURCE TARGET`. Used by
scripts/backup.sh and scripts/restore.sh; the source must exist."""

import pathlib
import sqlite3
import sys


def copy(source_path, target_path):
    source = sqlite3.connect(pathlib.Path(source_path).resolve().as_uri() + "?mode=rw", uri=True)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
        target.execute(
            "PRAGMA journal_mode=DELETE"
        )  # one file, no -wal beside it (the platform turns WAL on again)
    finally:
        target.close()
        source.close()


if __name__ == "__main__":
    copy(sys.argv[1], sys.argv[2])
