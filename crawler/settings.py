"""Crawl defaults in one place. Every NOTICES_* setting is documented in the README."""

BOT_NAME = "jiwei-notices"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# Adds one spider per registry site (`scrapy list` shows them).
SPIDER_LOADER_CLASS = "crawler.spiderloader.RegistrySpiderLoader"
# Project commands (`scrapy check-sites` …), one module each in crawler/commands/.
COMMANDS_MODULE = "crawler.commands"

# --- Politeness -----------------------------------------------------------------------------


def user_agent(contact_url: str) -> str:
    """The User-Agent naming the project and where to reach its operator."""
    return f"jiwei-notices/0.1 (+{contact_url})"


NOTICES_CONTACT_URL = "https://github.com/jiwei-notices/jiwei-notices"
# Set NOTICES_CONTACT_URL to name your own contact; USER_AGENT set by hand wins over it.
USER_AGENT = user_agent(NOTICES_CONTACT_URL)
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_DELAY = 1.0
# Requests waiting out a site's delay count against this global cap: it must leave room for
# many sites at once (politeness is the per-site delay and concurrency).
CONCURRENT_REQUESTS = 100
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False

# --- Output -----------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {"jsonl": "scrapy.exporters.JsonLinesItemExporter"}
ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.parse.NoticeParsePipeline": 200,
    "pipelines.validate.ValidatePipeline": 900,
}

# --- Project settings -------------------------------------------------------------------------
# Site registry file (TOML); see crawler/sites.toml.
NOTICES_REGISTRY_PATH = None
# {site_id: base_url} replacing the scheme and host of a registry site (fixtures, mirrors).
NOTICES_BASE_URLS = {}
# Follow a page's hit-counter request (some counters count every request: switch off there).
NOTICES_HIT_COUNTS = True
# Write `field_rules` (which extraction rule chose each field) into every record (debugging).
NOTICES_FIELD_RULES = False
# Default cap on list pages walked per column (the spider argument max_pages overrides it).
NOTICES_MAX_PAGES = 200
# Refuse requests to any host but loopback (tests and demos against the fixture sites).
NOTICES_LOOPBACK_ONLY = False

# --- Broken and hostile input -----------------------------------------------------------
# Limits that keep one bad server from holding a worker: a whole download (headers and
# body) within DOWNLOAD_TIMEOUT seconds (above), at most DOWNLOAD_MAXSIZE bytes (also after
# gzip/deflate/br decompression), a warning above DOWNLOAD_WARNSIZE, a short redirect chain.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
# Re-decode pages whose header and <meta> charsets disagree; drop bodies no charset reads.
NOTICES_CHARSET_CHECK = True
# Drop HTTP 200 "page not found" answers (soft 404s) with their reason.
NOTICES_SOFT404_CHECK = True
# Refuse redirect loops and redirects to another host.
NOTICES_REDIRECT_GUARD = True

ADDONS = {"crawler.browser.BrowserAddon": 0}
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = "INFO"

# --- Scheduled and long crawls (README: "Running on a schedule") ------------------------------
# Crawl state, one SQLite file per site; None switches incremental re-crawls off.
# e.g. "state/{site_id}.sqlite"
NOTICES_STATE_PATH = None
# A re-crawl stops walking a column's list after this many already-exported notices in a row.
NOTICES_SEEN_RUN = 10
# Back-off before the n-th retry: NOTICES_RETRY_BACKOFF * 2**(n-1) seconds, capped.
NOTICES_RETRY_BACKOFF = 2.0
NOTICES_RETRY_BACKOFF_MAX = 60.0
# Seconds between progress lines (0: none).
NOTICES_PROGRESS_INTERVAL = 60
# End-of-crawl report: logged, written next to each file feed and to NOTICES_REPORT_PATH.
NOTICES_REPORT_ENABLED = True
NOTICES_REPORT_PATH = None
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"  # the failure itself is reported once, as an ERROR
ROBOTSTXT_PARSER = "crawler.middlewares.robots.LegacyEncodingRobotParser"
FEED_STORAGES = {"": "crawler.feeds.AtomicFileFeedStorage",
                 "file": "crawler.feeds.AtomicFileFeedStorage"}
ITEM_PIPELINES = {**ITEM_PIPELINES, "crawler.state.CrawlStatePipeline": 950}
SPIDER_MIDDLEWARES = {"crawler.middlewares.incremental.IncrementalMiddleware": 950}
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.loopback.LoopbackOnlyMiddleware": 50,
    "crawler.middlewares.robots.RobotsTxtSlotMiddleware": 90,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    "crawler.middlewares.blocking.BlockingMiddleware": 540,
    # robots.txt also for the requests that wait for it (Scrapy's own lets them through)
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.WaitingRobotsTxtMiddleware": 100,
    # the public suffix list from the installed copy, never downloaded
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware": None,
    "crawler.middlewares.cookies.OfflineCookiesMiddleware": 700,
    # before RedirectMiddleware (600) sees a 3xx answer
    "crawler.middlewares.redirects.RedirectGuardMiddleware": 610,
    # after HttpCompressionMiddleware (590), before MetaRefreshMiddleware (580)
    "crawler.middlewares.charset.CharsetMiddleware": 588,
    "crawler.middlewares.soft404.Soft404Middleware": 585,
}
EXTENSIONS = {
    "crawler.extensions.jobdir.JobDirGuard": 0,
    "crawler.extensions.report.CrawlReport": 500,
    "crawler.extensions.progress.ProgressLine": 500,
}

# --- Attachments and the raw archive ----------------------------------------------------------
# Folder where attachments are stored by content hash (`<sha1[:2]>/<sha1>.<ext>`); unset,
# attachments are listed but not downloaded.
NOTICES_ATTACHMENTS_DIR = None
# Files larger than this are not downloaded (the download is cancelled at the cap).
NOTICES_ATTACHMENT_MAX_SIZE = 20 * 1024 * 1024
# Types stored, as sniffed from the content (sites send application/octet-stream).
NOTICES_ATTACHMENT_TYPES = [
    "application/pdf", "application/msword", "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/ofd", "application/zip", "application/vnd.rar", "application/x-ole-storage",
    "image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp", "image/tiff",
]
# Archives (zip, docx, xlsx, ofd) that would unpack to more, or nest zips deeper, are refused.
NOTICES_ATTACHMENT_MAX_UNPACKED = 100 * 1024 * 1024
NOTICES_ATTACHMENT_MAX_NESTING = 2
# Seconds the text of one attachment may take; past it the attachment keeps `text: null` and
# the reason in `error` (the reading thread finishes in the background).
NOTICES_ATTACHMENT_TEXT_TIMEOUT = 60.0
MEDIA_ALLOW_REDIRECTS = True
ITEM_PIPELINES = {
    **ITEM_PIPELINES,
    "crawler.attachments.AttachmentsPipeline": 50,
    "pipelines.attachment_text.AttachmentTextPipeline": 150,
}
# Folder of the raw archive: every request and response as rotating gzip WARC files; unset, off.
WARC_DIR = None
# A WARC file is closed and the next one started past this size (bytes).
WARC_MAX_FILE_SIZE = 1024 * 1024 * 1024
DOWNLOADER_MIDDLEWARES = {**DOWNLOADER_MIDDLEWARES, "crawler.warc.WarcWriterMiddleware": 950}
# `scrapy reparse WARC... -o out.jsonl`
COMMANDS_MODULE = "crawler.commands"

# --- Sites behind a JS challenge (README: "Sites behind a JS challenge") ----------------------
# Fetch the pages of `browser = true` registry sites through headless Chromium (a site spider
# of such a site switches it on by itself).
NOTICES_BROWSER = False
NOTICES_BROWSER_EXECUTABLE = "/usr/bin/chromium"
# Seconds a page's challenge script gets to set its cookie and reload to the real page.
NOTICES_BROWSER_CHALLENGE_TIMEOUT = 15.0

# --- Distributed crawling on Redis (README: "Distributed crawling") ---------------------------
# Set (e.g. "redis://127.0.0.1:6379/0") to make this crawl a worker of a shared crawl.
NOTICES_REDIS_URL = None
# First part of every Redis key of the distributed crawl.
NOTICES_REDIS_PREFIX = "notices"
# A worker closes after its spider's queue has been empty, and no worker busy, this long.
NOTICES_REDIS_IDLE_CLOSE = 30
# Seconds between a worker's heartbeats; a worker not heard of for NOTICES_REDIS_WORKER_TTL
# seconds is dead (its claimed notices go to whichever worker meets them next).
NOTICES_REDIS_HEARTBEAT = 5
NOTICES_REDIS_WORKER_TTL = 30
# The seen-request set (and a dead run's leftovers) expire this long after their last use.
NOTICES_REDIS_SEEN_TTL = 7 * 24 * 3600
# A worker takes a request from the shared queue only while fewer than this many of its own
# wait for that request's download slot (0: take all it can hold, as scrapy-redis does).
NOTICES_REDIS_PREFETCH = 8
ADDONS = {**ADDONS, "crawler.distributed.DistributedAddon": 100}
