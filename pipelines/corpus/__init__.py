"""The corpus for researchers: crawl outputs (JSON Lines) in, tables, duplicate clusters and an
overview report out.

    jiwei-export      crawl outputs -> Parquet and CSV tables  (python -m pipelines.corpus export)
    jiwei-duplicates  crawl outputs -> one row per copy with its cluster_id  (… duplicates)
    jiwei-overview    crawl outputs -> HTML or Markdown report with charts  (… overview)
"""
