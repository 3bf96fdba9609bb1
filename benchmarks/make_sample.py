"""Write the sample import file: N account rows of which exactly B are bad, each in a different way.

    python benchmarks/make_sample.py --rows 10000 --bad 50 --output samples/accounts-10000.csv

The bad rows cycle through: missing name, invalid country, unknown tier, invalid domain, duplicate external id,
unknown owner, bad currency, unknown parent. Their line numbers are printed, one per line, to standard error."""

from __future__ import annotations

import argparse
import csv
import random
import sys
from pathlib import Path

PROBLEMS = ["missing_name", "country", "tier", "domain", "duplicate", "owner", "currency", "parent"]
HEADERS = ["Company", "External ID", "Website", "Country", "Currency", "Tier", "Stage", "Owner", "Parent ID"]


def rows(count: int, bad: int, seed: int) -> tuple[list[list[str]], list[int]]:
    rng = random.Random(seed)
    bad_indexes = sorted(rng.sample(range(1, count), bad))  # never the first row: it is a duplicate target
    problems = {index: PROBLEMS[position % len(PROBLEMS)] for position, index in enumerate(bad_indexes)}
    table = []
    for index in range(count):
        row = [f"Sample Company {index:06d} GmbH", f"sample-{index:06d}", f"sample{index}.example",
               rng.choice(["DE", "KR", "CN", "US"]), rng.choice(["EUR", "KRW", "CNY", "USD"]),
               rng.choice(["high_touch", "mid_touch", "tech_touch"]),
               rng.choice(["onboarding", "adopting", "mature"]), "", ""]
        problem = problems.get(index)
        if problem == "missing_name":
            row[0] = ""
        elif problem == "country":
            row[3] = "Germany"
        elif problem == "tier":
            row[5] = "platinum"
        elif problem == "domain":
            row[2] = "not a domain"
        elif problem == "duplicate":
            row[1] = "sample-000000"
        elif problem == "owner":
            row[7] = "nobody@nowhere.example"
        elif problem == "currency":
            row[4] = "EURO"
        elif problem == "parent":
            row[8] = "no-such-parent"
        table.append(row)
    return table, [index + 2 for index in bad_indexes]  # line numbers: header is line 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--bad", type=int, default=50)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    table, bad_lines = rows(args.rows, args.bad, args.seed)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(table)
    print("\n".join(map(str, bad_lines)), file=sys.stderr)


if __name__ == "__main__":
    main()
