"""Deterministic demo data for `tandem demo` and the first-run experience."""
