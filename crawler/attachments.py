"""Download stage of attachments: Scrapy's FilesPipeline, stored by content hash.

Each entry of an item's `attachments` is fetched (a size cap through `download_maxsize`),
its type sniffed from the content (sites send `application/octet-stream`) and checked against
an allow-list, and stored as `<sha1[:2]>/<sha1>.<ext>` under `NOTICES_ATTACHMENTS_DIR`: the
name never comes from the site, so `../../x.pdf` or a 300-character name cannot escape the
store, and the same file linked twice is stored once. The entry gains `sha1`, `size`,
`media_type`, `local_path` and, when it was not stored, `error`. Text extraction is the next
stage (`pipelines.attachment_text`).
"""

from __future__ import annotations

import hashlib
import logging
from io import BytesIO
from typing import Any

from scrapy import Request
from scrapy.http.request import NO_CALLBACK
from scrapy.pipelines.files import FilesPipeline
from scrapy.utils.defer import ensure_awaitable

from pipelines.attachment_text import (
    EXTENSIONS,
    attachments_dir,
    describe_content,
    sniff_media_type,
)

logger = logging.getLogger(__name__)

# Fields every downloaded-or-tried attachment gains (null until known).
ATTACHMENT_FIELDS = ("sha1", "size", "pages", "text", "needs_ocr", "local_path", "error")


class AttachmentsPipeline(FilesPipeline):
    """Item pipeline: fetch, sniff, cap and store the files a notice links to."""

    LOG_FAILED_RESULTS = False

    def __init__(self, store_uri: str, *, crawler, allowed_types: set[str], max_size: int):
        super().__init__(store_uri, crawler=crawler)
        self.allowed_types = allowed_types
        self.max_size = max_size
        self.stored: set[str] = set()
        # Why a download failed, by URL (media_failed cannot hand a value to item_completed).
        self.download_errors: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        store = attachments_dir(settings)
        allowed = set(settings.getlist("NOTICES_ATTACHMENT_TYPES"))
        unknown = allowed - set(EXTENSIONS)
        if unknown:
            raise ValueError(f"NOTICES_ATTACHMENT_TYPES: unknown type(s) {sorted(unknown)}")
        return cls(str(store), crawler=crawler, allowed_types=allowed,
                   max_size=settings.getint("NOTICES_ATTACHMENT_MAX_SIZE"))

    def get_media_requests(self, item, info) -> list[Request]:
        meta = {"download_maxsize": self.max_size, "notice_url": item.get("url")}
        slot = item.get("site_id")
        if slot:
            meta["download_slot"] = slot
        return [Request(a["url"], callback=NO_CALLBACK, meta=dict(meta))
                for a in item.get("attachments") or []]

    def media_to_download(self, request, info, *, item=None):
        return None  # the store is addressed by content: always fetch

    def media_failed(self, failure, request, info) -> None:
        reason = f"download failed: {failure.getErrorMessage()}"
        self.download_errors[request.url] = reason
        self._rejected(request, reason, "download")

    async def media_downloaded(self, response, request, info, *, item=None) -> dict[str, Any]:
        if response.status != 200:
            return self._rejected(request, f"download failed: HTTP {response.status}", "http")
        body = response.body
        media_type = sniff_media_type(body)
        if media_type not in self.allowed_types:
            found = media_type or describe_content(body)
            return self._rejected(request, f"content is {found}, not an allowed attachment type",
                                  "type")
        sha1 = hashlib.sha1(body).hexdigest()
        path = f"{sha1[:2]}/{sha1}.{EXTENSIONS[media_type]}"
        if path in self.stored:
            self.crawler.stats.inc_value("notices/attachment_duplicate_count")
        else:
            await ensure_awaitable(self.store.persist_file(path, BytesIO(body), info))
            self.stored.add(path)
        self.crawler.stats.inc_value("notices/attachment_count")
        return {"sha1": sha1, "size": len(body), "media_type": media_type, "local_path": path,
                "error": None}

    def _rejected(self, request, reason: str, kind: str) -> dict[str, Any]:
        logger.warning("attachment %s of %s not stored: %s", request.url,
                       request.meta.get("notice_url"), reason)
        self.crawler.stats.inc_value(f"notices/attachment_failed_count/{kind}")
        return {"error": reason}

    def item_completed(self, results, item, info):
        for attachment, (_, value) in zip(item.get("attachments") or [], results, strict=True):
            attachment.update(dict.fromkeys(ATTACHMENT_FIELDS))
            attachment.update(value or {"error": self.download_errors.get(attachment["url"])})
        return item
