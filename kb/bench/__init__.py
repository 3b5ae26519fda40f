"""Benchmarks: a deterministic data generator and loader / query measurements at scale."""
