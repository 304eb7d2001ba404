"""Benchmarks for crmdesk's performance budget (docs/PERFORMANCE.md). Run: python -m bench.

Not tests: pytest collects only tests/. Every figure is set against a baseline measured in the
same run on the same machine, so a slow or busy machine moves both.
"""
