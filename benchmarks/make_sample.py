"""Write a sample import file: N rows of which exactly B are bad, each in a different way.

    python benchmarks/make_sample.py --rows 10000 --bad 50 --output samples/accounts-10000.csv
    python benchmarks/make_sample.py --kind contacts --rows 1000000 --bad 0 --output samples/contacts-1m.csv

Accounts: the bad rows cycle through missing name, invalid country, unknown tier, invalid domain, duplicate
external id, unknown owner, bad currency, unknown parent. Contacts (for the accounts `tandem demo` makes,
external ids demo-000001 … demo-100000): invalid email, invalid phone, unknown account, unknown buying role,
duplicate email, unknown time zone, bad yes/no. The bad rows' line numbers go to standard error, one per line."""

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


CONTACT_PROBLEMS = ["email", "phone", "account", "buying_role", "duplicate", "time_zone", "opt_out"]
CONTACT_HEADERS = ["First name", "Last name", "Email", "Phone", "Job title", "Buying role", "Account external id",
                   "Preferred language", "Time zone", "Opted out of email"]
FIRST = ["Lena", "Jonas", "Mina", "Jae-won", "Wei", "Li", "Anna", "Lukas", "Seo-yeon", "Hao", "Emma", "Felix"]
LAST = ["Vogel", "Kim", "Park", "Wang", "Zhang", "Müller", "Schmidt", "Lee", "Chen", "Becker", "Choi", "Liu"]
PLACES = [("DE", "+49 30 %07d", "de", "Europe/Berlin"), ("KR", "+82 2 %08d", "ko", "Asia/Seoul"),
          ("CN", "+86 10 %08d", "zh-Hans", "Asia/Shanghai"), ("US", "+1 415 555 %04d", "en", "America/Los_Angeles")]
ROLES = ["champion", "decision_maker", "executive_sponsor", "user", "billing"]


def contact_rows(count: int, bad: int, seed: int, accounts: int) -> tuple[list[list[str]], list[int]]:
    rng = random.Random(seed)
    bad_indexes = sorted(rng.sample(range(1, count), bad))
    problems = {index: CONTACT_PROBLEMS[position % len(CONTACT_PROBLEMS)] for position, index in enumerate(bad_indexes)}
    table = []
    for index in range(count):
        country, phone, language, zone = PLACES[index % len(PLACES)]
        number = phone % (1000 + index % 9000 if country == "US" else (2000000 if country == "DE" else 30000000) + index)
        row = [rng.choice(FIRST), rng.choice(LAST), f"person{index:07d}@sample-contacts.example", number,
               rng.choice(["CTO", "Head of Operations", "Analyst", "VP Sales", "Controller"]), rng.choice(ROLES),
               f"demo-{rng.randrange(accounts) + 1:06d}", language, zone, rng.choice(["no", "no", "no", "yes"])]
        problem = problems.get(index)
        if problem == "email":
            row[2] = f"person{index:07d}-at-sample.example"
        elif problem == "phone":
            row[3] = "12"
        elif problem == "account":
            row[6] = "no-such-account"
        elif problem == "buying_role":
            row[5] = "kingmaker"
        elif problem == "duplicate":
            row[2] = "person0000000@sample-contacts.example"
        elif problem == "time_zone":
            row[8] = "Mars/Olympus"
        elif problem == "opt_out":
            row[9] = "perhaps"
        table.append(row)
    return table, [index + 2 for index in bad_indexes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--bad", type=int, default=50)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--output", required=True)
    parser.add_argument("--kind", choices=["accounts", "contacts"], default="accounts")
    parser.add_argument("--accounts", type=int, default=100_000, help="contacts: how many demo accounts exist")
    args = parser.parse_args()
    if args.kind == "contacts":
        table, bad_lines = contact_rows(args.rows, args.bad, args.seed, args.accounts)
        headers = CONTACT_HEADERS
    else:
        table, bad_lines = rows(args.rows, args.bad, args.seed)
        headers = HEADERS
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(table)
    print("\n".join(map(str, bad_lines)), file=sys.stderr)


if __name__ == "__main__":
    main()
