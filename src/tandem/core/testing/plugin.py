"""pytest plugin loaded before Django is configured (``-p tandem.core.testing.plugin``).

Gives each test process its own data directory, an in-memory mail backend and its own
job-queue name, so tests never touch a developer's ./tandem-data or each other's jobs.
"""

from __future__ import annotations

import os
import tempfile

if not os.environ.get("TANDEM_TEST_KEEP_ENV"):
    os.environ["TANDEM_DATA_DIR"] = tempfile.mkdtemp(prefix="tandem-test-")
    os.environ["EMAIL_URL"] = "locmem://"
    os.environ.setdefault("TANDEM_DEBUG", "0")
    os.environ["TANDEM_JOBS_NAME"] = f"tandem-test-{os.getpid()}"
    os.environ.setdefault("TANDEM_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

