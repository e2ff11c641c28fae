"""The `linli` command line as an operator meets it: help opens nothing and creates no file."""
import os
import subprocess
import tempfile

import pytest

BIN = os.environ.get("LINLI_BIN")
pytestmark = pytest.mark.skipif(not BIN, reason="LINLI_BIN is not set")


@pytest.mark.parametrize("arguments", [["--help"], ["serve", "--help"], ["demo", "--help"], ["migrate", "--help"]])
def test_help_creates_no_database_and_no_key(arguments):
    with tempfile.TemporaryDirectory() as directory:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LINLI_DATABASE", "LINLI_FACE_KEY")}
        result = subprocess.run([BIN, *arguments], cwd=directory, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        assert "Usage:" in result.stdout
        assert os.listdir(directory) == []


def _helpers():
    from test_durability import call, free_port, start
    return call, free_port, start


def test_backup_while_serving_and_restore_only_when_stopped():
    import sqlite3
    import threading

    call, free_port, start = _helpers()
    folder = tempfile.mkdtemp()
    db = os.path.join(folder, "linli.sqlite")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(LINLI_DATABASE=db)
    subprocess.run([BIN, "create-admin", "--phone", "13700000002", "--name", "admin"], input=b"admin-pass-2\n",
                   env=env, cwd=folder, check=True, stdout=subprocess.DEVNULL)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start(db, port)
    try:
        # A second server on the same file is refused.
        second = subprocess.run([BIN, "serve", "--port", str(free_port())], env=env, cwd=folder,
                                capture_output=True, text=True, timeout=60)
        assert second.returncode != 0 and "another linli server" in second.stderr
        status, token = call(base + "/api/v1/auth/token", "POST", {"phone": "13700000002", "password": "admin-pass-2"})
        assert status == 200
        token = token["token"]
        status, community = call(base + "/api/v1/communities", "POST", {"name": "备份小区", "address": "测试"}, token)
        assert status == 201
        path = f"{base}/api/v1/communities/{community['id']}/buildings"
        stop = threading.Event()

        def writer():
            n = 0
            while not stop.is_set():
                n += 1
                call(path, "POST", {"name": f"b-{n}", "floors": 3}, token, timeout=5)

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            backup = os.path.join(folder, "backup.sqlite")
            made = subprocess.run([BIN, "backup", backup], env=env, cwd=folder, capture_output=True, text=True,
                                  timeout=120)
            assert made.returncode == 0, made.stdout + made.stderr
            assert "face key" in made.stdout + made.stderr
            again = subprocess.run([BIN, "backup", backup], env=env, cwd=folder, capture_output=True, text=True,
                                   timeout=120)
            assert again.returncode != 0, "a backup never overwrites a file"
        finally:
            stop.set()
            thread.join()
        with sqlite3.connect(backup) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert copy.execute("SELECT count(*) FROM communities WHERE name = '备份小区'").fetchone()[0] == 1
            in_backup = copy.execute("SELECT count(*) FROM buildings").fetchone()[0]
        # Restoring under a running server is refused and changes nothing.
        refused = subprocess.run([BIN, "restore", backup], env=env, cwd=folder, capture_output=True, text=True,
                                 timeout=60)
        assert refused.returncode != 0 and "stop it first" in refused.stdout + refused.stderr
        status, _ = call(path + "?per=1", token=token)
        assert status == 200
    finally:
        server.kill()
        server.wait()
    restored = subprocess.run([BIN, "restore", backup], env=env, cwd=folder, capture_output=True, text=True,
                              timeout=60)
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert any(name.startswith("linli.sqlite.before-restore-") for name in os.listdir(folder))
    server = start(db, port)
    try:
        status, body = call(path + "?per=1", token=token)
        assert status == 200 and body["metadata"]["total"] == in_backup
    finally:
        server.kill()
        server.wait()


def test_create_admin_again_ends_the_old_sign_ins():
    """Running create-admin for a person who exists sets a new password and ends their tokens."""
    call, free_port, start = _helpers()
    folder = tempfile.mkdtemp()
    db = os.path.join(folder, "linli.sqlite")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(LINLI_DATABASE=db)

    def create_admin(password):
        subprocess.run([BIN, "create-admin", "--phone", "13700000003", "--name", "admin"], input=password,
                       env=env, cwd=folder, check=True, stdout=subprocess.DEVNULL)

    create_admin(b"admin-pass-3a\n")
    port = free_port()
    server = start(db, port)
    try:
        status, token = call(f"http://127.0.0.1:{port}/api/v1/auth/token", "POST",
                             {"phone": "13700000003", "password": "admin-pass-3a"})
        assert status == 200
        token = token["token"]
        assert call(f"http://127.0.0.1:{port}/api/v1/me", token=token)[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
    create_admin(b"admin-pass-3b\n")
    port = free_port()
    server = start(db, port)
    try:
        base = f"http://127.0.0.1:{port}"
        assert call(base + "/api/v1/me", token=token)[0] == 401
        assert call(base + "/api/v1/auth/token", "POST", {"phone": "13700000003", "password": "admin-pass-3a"})[0] == 401
        assert call(base + "/api/v1/auth/token", "POST", {"phone": "13700000003", "password": "admin-pass-3b"})[0] == 200
    finally:
        server.kill()
