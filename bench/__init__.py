"""Benchmarks (not tests): `python -m bench [names…]`; see bench/README.md."""
