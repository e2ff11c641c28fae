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
