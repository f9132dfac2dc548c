"""Shared parsing pipeline: normalization, notice parsing, validation.

Nothing here imports `crawler`: the pipeline runs on records without a crawl.
"""
