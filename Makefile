.PHONY: run test lint typecheck bench openapi messages

run:  ## install and run Tandem with the embedded defaults, demo data and printed logins
	bash scripts/run.sh

test:  ## install test dependencies and run the whole suite (SQLite, then PostgreSQL + Redis)
	bash scripts/test.sh

lint:
	.venv/bin/ruff check src tests

typecheck:
	.venv/bin/mypy src

bench:  ## run the benchmarks (see benchmarks/README.md)
	@if .venv/bin/tandem bench --help >/dev/null 2>&1; then .venv/bin/tandem bench; \
	else echo "Nothing is benchmarked yet: this Tandem has no 'tandem bench' command (run make run first to install)."; fi

openapi:  ## regenerate the committed OpenAPI document
	TANDEM_DATA_DIR=$$(mktemp -d) .venv/bin/tandem manage export_openapi --output docs/api/openapi.json

messages:  ## extract and compile the translation catalogs
	cd src/tandem && TANDEM_DATA_DIR=$$(mktemp -d) ../../.venv/bin/python -m django makemessages -l zh_Hans -l ko -l de --no-obsolete --no-location -i "tests/*" -i "*/tests/*" --settings=tandem.conf.settings
	cd src/tandem && TANDEM_DATA_DIR=$$(mktemp -d) ../../.venv/bin/python -m django compilemessages -l zh_Hans -l ko -l de --settings=tandem.conf.settings
	@echo "New messages are untranslated until filled in (scripts/translate.py TABLE.json fills and compiles them)."
