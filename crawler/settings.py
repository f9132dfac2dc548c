"""Crawl defaults, one assignment per setting, grouped by concern.

Every NOTICES_* setting is described on the docs/ page of its topic.
"""


def user_agent(contact_url: str) -> str:
    """The User-Agent naming the project and where to reach its operator."""
    return f"jiwei-notices/0.1 (+{contact_url})"


# Project: one spider per registry site besides crawler/spiders/ (`scrapy list`), the project
# commands of crawler/commands/ (`scrapy check-sites`, `scrapy seed`, `scrapy reparse`), the
# asyncio reactor that Playwright and the Redis client need.
BOT_NAME = "jiwei-notices"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
SPIDER_LOADER_CLASS = "crawler.spiderloader.RegistrySpiderLoader"
COMMANDS_MODULE = "crawler.commands"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False

# What is on: every component of the crawl, in order. Downloader middlewares replace Scrapy's
# retry (back-off), robots.txt (also for requests waiting for it) and cookies (public suffix
# list from the installed copy, never downloaded); the redirect guard sits before
# RedirectMiddleware (600), the charset and soft-404 checks after HttpCompressionMiddleware
# (590) and before MetaRefreshMiddleware (580), the WARC writer next to the downloader.
# Each component of this project raises NotConfigured when its setting below is off.
ADDONS = {
    "crawler.browser.BrowserAddon": 0,
    "crawler.distributed.DistributedAddon": 100,
}
ITEM_PIPELINES = {
    "crawler.attachments.AttachmentsPipeline": 50,
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.attachment_text.AttachmentTextPipeline": 150,
    "pipelines.parse.NoticeParsePipeline": 200,
    "pipelines.validate.ValidatePipeline": 900,
    "crawler.state.CrawlStatePipeline": 950,
}
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.incremental.IncrementalMiddleware": 950,
    # before the incremental middleware: it sees every list page the spider asks for
    "crawler.middlewares.removals.RemovalsMiddleware": 960,
}
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.loopback.LoopbackOnlyMiddleware": 50,
    "crawler.middlewares.robots.RobotsTxtSlotMiddleware": 90,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.WaitingRobotsTxtMiddleware": 100,
    "crawler.middlewares.blocking.BlockingMiddleware": 540,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    "crawler.middlewares.soft404.Soft404Middleware": 585,
    "crawler.middlewares.charset.CharsetMiddleware": 588,
    "crawler.middlewares.redirects.RedirectGuardMiddleware": 610,
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "crawler.middlewares.cookies.OfflineCookiesMiddleware": 700,
    "crawler.warc.WarcWriterMiddleware": 950,
}
EXTENSIONS = {
    "crawler.extensions.jobdir.JobDirGuard": 0,
    "crawler.extensions.report.CrawlReport": 500,
    "crawler.extensions.health.SiteHealth": 500,
    "crawler.extensions.progress.ProgressLine": 500,
    # AutoThrottle keeping a site's own delay (DOWNLOAD_SLOTS) as its slot's floor
    "scrapy.extensions.throttle.AutoThrottle": None,
    "crawler.extensions.throttle.SiteAutoThrottle": 0,
}

# Which sites and how far (docs/crawling.md, docs/registry.md): the registry file (None: the
# packaged crawler/sites.toml), {site_id: base_url} to serve registry sites from another host,
# hit-counter requests, the list-page cap per column, the page cap of one multi-page article,
# loopback-only for tests and the demo.
NOTICES_REGISTRY_PATH = None
NOTICES_BASE_URLS = {}
NOTICES_HIT_COUNTS = True
NOTICES_MAX_PAGES = 200
NOTICES_MAX_ARTICLE_PAGES = 50
NOTICES_LOOPBACK_ONLY = False

# Politeness (docs/politeness.md): a User-Agent naming the project and its contact (set
# NOTICES_CONTACT_URL to name yours; USER_AGENT set by hand wins), robots.txt (GBK ones too),
# AutoThrottle, a delay and two requests at a time per site. Requests waiting out a site's
# delay count against CONCURRENT_REQUESTS, so it leaves room for many sites at once.
NOTICES_CONTACT_URL = "https://github.com/jiwei-notices/jiwei-notices"
USER_AGENT = user_agent(NOTICES_CONTACT_URL)
ROBOTSTXT_OBEY = True
ROBOTSTXT_PARSER = "crawler.middlewares.robots.LegacyEncodingRobotParser"
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
CONCURRENT_REQUESTS = 100
CONCURRENT_REQUESTS_PER_DOMAIN = 2
# A response's output is handled by this many asyncio tasks, started anew for every response:
# a notice page yields one item and a list page a few requests, so 100 only cost CPU.
CONCURRENT_ITEMS = 8
COOKIES_ENABLED = True

# Retries: 5xx, timeouts and throttling answers, after NOTICES_RETRY_BACKOFF * 2**(n-1)
# seconds before the n-th retry, capped; the final failure is reported once, as an ERROR. The
# scheduler holds a retry that waits out its back-off, outside the downloader.
SCHEDULER = "crawler.scheduler.Scheduler"
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"
NOTICES_RETRY_BACKOFF = 2.0
NOTICES_RETRY_BACKOFF_MAX = 60.0

# Broken and hostile input (docs/reliability.md): a whole download within DOWNLOAD_TIMEOUT
# seconds and DOWNLOAD_MAXSIZE bytes (also after decompression), a short redirect chain;
# pages re-decoded when their charsets disagree, soft 404s dropped, redirect loops and
# redirects to another host refused.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
NOTICES_CHARSET_CHECK = True
NOTICES_SOFT404_CHECK = True
NOTICES_REDIRECT_GUARD = True

# Output: JSON Lines in UTF-8 characters, feed files written aside and moved into place on close;
# with NOTICES_FIELD_RULES on, each record also names the extraction rule behind each field
# (`field_rules`, for debugging).
NOTICES_FIELD_RULES = False
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {"jsonl": "scrapy.exporters.JsonLinesItemExporter"}
FEED_STORAGES = {"": "crawler.feeds.AtomicFileFeedStorage",
                 "file": "crawler.feeds.AtomicFileFeedStorage"}

# Crawl state and reports (docs/state.md): one SQLite file per site (e.g.
# "state/{site_id}.sqlite"; None: no incremental re-crawls), the run of known notices that ends
# a re-crawl's list walk, the days within which known notices are fetched again for revisions,
# the age at which crashed job directories are deleted, seconds between progress lines (0: none),
# the end-of-crawl report.
NOTICES_STATE_PATH = None
NOTICES_SEEN_RUN = 10
NOTICES_RECHECK_DAYS = 7
NOTICES_JOBDIR_CRASHED_DAYS = 7
NOTICES_PROGRESS_INTERVAL = 60
NOTICES_REPORT_ENABLED = True
NOTICES_REPORT_PATH = None

# Site health across runs (docs/health.md), kept in the crawl state: the earlier runs a run is
# judged against, the checks (empty: all), their thresholds — the share of the usual first-page
# links, the fall in a field's coverage, the fewest notices to judge coverage by, the share of
# the usual body length and of the last complete walk's list pages.
NOTICES_HEALTH_ENABLED = True
NOTICES_HEALTH_HISTORY_RUNS = 5
NOTICES_HEALTH_CHECKS = []
NOTICES_HEALTH_FOUND_SHARE = 0.5
NOTICES_HEALTH_COVERAGE_DROP = 0.5
NOTICES_HEALTH_MIN_NOTICES = 2
NOTICES_HEALTH_BODY_SHARE = 0.5
NOTICES_HEALTH_WALK_SHARE = 0.5

# Health alerts (docs/health.md): the webhook (None: none) and its message format, tries and
# seconds; mail recipients (empty: no mail; MAIL_HOST and the other MAIL_* settings of Scrapy).
NOTICES_ALERT_WEBHOOK = None
NOTICES_ALERT_FORMAT = "json"
NOTICES_ALERT_RETRIES = 3
NOTICES_ALERT_RETRY_DELAY = 1.0
NOTICES_ALERT_TIMEOUT = 10.0
NOTICES_ALERT_MAIL_TO = []

# Removed notices (docs/state.md), kept in the crawl state: on with the state, and how many
# notices missing from a column's complete list walk one run probes at most.
NOTICES_REMOVALS = True
NOTICES_REMOVAL_PROBES = 100

# Attachments and the raw archive (docs/attachments.md): the store (None: attachments only
# listed), the size cap, the allow-list of sniffed types, archive limits, the time one text
# may take; the WARC folder (None: off) and the size at which a WARC file is rotated.
NOTICES_ATTACHMENTS_DIR = None
NOTICES_ATTACHMENT_MAX_SIZE = 20 * 1024 * 1024
NOTICES_ATTACHMENT_TYPES = [
    "application/pdf", "application/msword", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/ofd", "application/zip", "application/vnd.rar", "application/x-ole-storage",
    "image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp", "image/tiff",
]
NOTICES_ATTACHMENT_MAX_UNPACKED = 100 * 1024 * 1024
NOTICES_ATTACHMENT_MAX_NESTING = 2
NOTICES_ATTACHMENT_TEXT_TIMEOUT = 60.0
MEDIA_ALLOW_REDIRECTS = True
WARC_DIR = None
WARC_MAX_FILE_SIZE = 1024 * 1024 * 1024

# Sites behind a JS challenge (docs/browser.md): `browser = true` sites through headless
# Chromium (a site spider of such a site switches it on), the binary (None: the first of
# chromium, chromium-browser, google-chrome … on PATH), and the seconds a challenge script gets
# to reach the real page.
NOTICES_BROWSER = False
NOTICES_BROWSER_EXECUTABLE = None
NOTICES_BROWSER_CHALLENGE_TIMEOUT = 15.0

# Distributed crawling on Redis (docs/distributed.md): set NOTICES_REDIS_URL (e.g.
# "redis://127.0.0.1:6379/0") to make the crawl a worker of a shared crawl; key prefix, idle
# close, heartbeat and worker lifetime, seen-set expiry, and how many requests a worker holds
# per site slot (0: all it can, as scrapy-redis does).
NOTICES_REDIS_URL = None
NOTICES_REDIS_PREFIX = "notices"
NOTICES_REDIS_IDLE_CLOSE = 30
NOTICES_REDIS_HEARTBEAT = 5
NOTICES_REDIS_WORKER_TTL = 30
NOTICES_REDIS_SEEN_TTL = 7 * 24 * 3600
NOTICES_REDIS_PREFETCH = 8
