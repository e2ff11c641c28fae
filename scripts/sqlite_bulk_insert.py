#!/usr/bin/env python3
"""The baseline for the telemetry load figures: a plain SQLite bulk insert of the same rows into the
same table shape Linli uses (WITHOUT ROWID, primary key device/name/ts), WAL, synchronous FULL, one
transaction per batch. Prints rows/s.

    python3 scripts/sqlite_bulk_insert.py [--rows 200000] [--batch 100]
"""
import argparse
import os
import sqlite3
import tempfile
import time
import uuid


def run(rows, batch, devices=200):
    folder = tempfile.mkdtemp(prefix="linli-sqlite-bulk-")
    db = sqlite3.connect(os.path.join(folder, "bulk.sqlite"), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("CREATE TABLE telemetry (device_id TEXT NOT NULL, name TEXT NOT NULL, ts INTEGER NOT NULL, kind TEXT NOT NULL,"
               " num REAL, str TEXT, PRIMARY KEY (device_id, name, ts)) WITHOUT ROWID")
    ids = [str(uuid.uuid4()).upper() for _ in range(devices)]
    base = 1_790_000_000_000
    data = [(ids[i % devices], "value", base + i, "n", float(i % 100), None) for i in range(rows)]
    started = time.perf_counter()
    for start in range(0, rows, batch):
        db.execute("BEGIN")
        db.executemany("INSERT INTO telemetry VALUES (?, ?, ?, ?, ?, ?)", data[start:start + batch])
        db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return rows / seconds


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    print(f"plain SQLite bulk insert: {run(args.rows, args.batch):.0f} rows/s (batches of {args.batch}, WAL, synchronous FULL)")
