"""API.md is a contract: ``shared/contract_smoke.py`` walks one case from intake to payment against a
live server, as an outside system would. Run here so the contract never drifts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

SMOKE = Path(
    os.environ.get(
        "LEGALAID_CONTRACT_SMOKE", Path(__file__).resolve().parents[3] / "shared" / "contract_smoke.py"
    )
)


@pytest.mark.skipif(not SMOKE.exists(), reason=f"{SMOKE} not found (it lives in the shared folder)")
def test_contract_smoke_walks_one_case_from_intake_to_payment(live_server, make_user, centre_clock):
    # The outside script dates its requests by the machine's calendar: the server keeps real time too.
    centre_clock.reset()
    make_user(roles=("admin",), username="smoke_admin")
    result = subprocess.run(
        [sys.executable, str(SMOKE), live_server, "smoke_admin", PASSWORD],
        capture_output=True,
        text=True,
        timeout=240,
    )
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert result.returncode == 0, "\n".join(failed) or result.stdout[-3000:] + result.stderr[-3000:]
