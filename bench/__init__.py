"""Benchmarks: ``make bench`` (= ``python -m bench``) and the 60-second load test
(``python -m bench.load``). Everything runs against 127.0.0.1 only, bounded in time, on a
throw-away demo database; nothing here runs in CI (timings belong here, not in tests)."""
