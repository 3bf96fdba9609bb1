"""Web workers, importers and exporters load every app; none of them trains a churn model. numpy and
scikit-learn (~100 MB together) must therefore not come in with the apps — only when a model is trained."""

from __future__ import annotations

import subprocess
import sys


def test_loading_every_app_and_the_urls_does_not_import_numpy_or_scikit_learn(tmp_path):
    code = ("import sys, django; django.setup(); import tandem.conf.urls; "
            "print(sorted(m for m in ('numpy', 'sklearn', 'scipy') if m in sys.modules))")
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                               env={"DJANGO_SETTINGS_MODULE": "tandem.conf.settings", "TANDEM_DATA_DIR": str(tmp_path),
                                    "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert completed.stdout.strip().splitlines()[-1] == "[]"
