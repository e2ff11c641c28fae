"""The device hub's durability: kill -9 while the simulator sends telemetry loses no acknowledged reading.

Runs scripts/telemetry_durability.py (LINLI_BIN names the binary)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
import telemetry_durability  # noqa: E402

BIN = os.environ.get("LINLI_BIN")
pytestmark = pytest.mark.skipif(not BIN, reason="LINLI_BIN is not set")


def test_no_acknowledged_reading_is_lost_on_kill_9():
    result = telemetry_durability.run(BIN, seconds=4)
    print(result)
    assert result["messages_acknowledged"] > 100
    assert result["readings_missing"] == 0
    assert result["readings_stored"] >= result["readings_acknowledged"]
