"""MRR movements benchmark (issue 5): 100,000 subscriptions with 36 months of history, ``mrr_movements`` over
the 36 months. Run against PostgreSQL:

    DATABASE_URL=postgres://…/tandem_bench .venv/bin/tandem manage migrate
    DATABASE_URL=postgres://…/tandem_bench .venv/bin/python benchmarks/mrr_movements.py [SUBSCRIPTIONS] [RUNS]

(the same as ``tandem bench --mrr``). The data is built once and reused."""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.conf.settings")
    import django

    django.setup()
    from tandem.contracts import bench

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    print(bench.report(bench.run(subscriptions=count, runs=runs)))
