"""Benchmarks (`make bench`): each module prints its figures side by side with alternatives."""
