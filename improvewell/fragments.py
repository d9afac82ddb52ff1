"""Rendered HTML that many members would see the same, kept in the cache.

A fragment is keyed by everything it shows (`varies_on`: the organisation and the
rows it lists, read afresh each time) and by the templates of this release, so a
change of data or of code is a new key, never a stale page: nothing needs to
remember to invalidate it. If the cache is down, the fragment is rendered as usual.
"""

import hashlib
import json
import logging
from functools import cache as once
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.template.utils import get_app_template_dirs
from django.utils.safestring import mark_safe

FRAGMENT_SECONDS = 60 * 60
logger = logging.getLogger(__name__)


@once
def templates_digest() -> str:
    """A digest of every template this release has (read once per process)."""
    digest = hashlib.sha256()
    folders = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    folders += [Path(d) for d in get_app_template_dirs("templates")]
    for folder in folders:
        for path in sorted(folder.rglob("*.html")):
            digest.update(str(path.relative_to(folder)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_html(name: str, varies_on: list, render) -> str:
    """`render()`'s HTML, from the cache when the same `varies_on` was rendered before."""
    payload = json.dumps([templates_digest(), varies_on], default=str, sort_keys=True)
    key = f"fragment:{name}:{hashlib.sha256(payload.encode()).hexdigest()}"
    try:
        html = cache.get(key)
    except Exception:
        logger.warning("Fragment cache unavailable; rendering %s", name)
        return render()
    if html is None:
        html = str(render())
        try:
            cache.set(key, html, FRAGMENT_SECONDS)
        except Exception:
            logger.warning("Fragment cache unavailable; not keeping %s", name)
    return mark_safe(html)  # noqa: S308 (HTML our own templates rendered)
