"""Copy front-end assets installed by npm into static/vendor/, ready for collectstatic.

The NHS.UK frontend stylesheet loads its Frutiger web fonts from NHS servers and
points at its images by absolute path. We serve everything ourselves (no CDN, a
strict Content-Security-Policy), so the font-face rules are dropped (browsers fall
back to Arial, as the NHS.UK frontend intends) and image paths are made relative.
"""

import re
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"

FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
SOURCE_MAP = re.compile(r"/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S+")


def _clean(text: str) -> str:
    return SOURCE_MAP.sub("", text)


class Command(BaseCommand):
    help = "Copy NHS.UK frontend and htmx from node_modules into static/vendor/."

    def handle(self, *args, **options):
        nhsuk = NODE_MODULES / "nhsuk-frontend" / "dist" / "nhsuk"
        htmx = NODE_MODULES / "htmx.org" / "dist" / "htmx.min.js"
        if not nhsuk.is_dir() or not htmx.is_file():
            raise CommandError("Front-end packages are missing: run `npm ci` first.")

        target = VENDOR / "nhsuk"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(nhsuk / "assets", target / "assets")

        css = (nhsuk / "nhsuk-frontend.min.css").read_text()
        css = FONT_FACE.sub("", css)
        css = css.replace("url(/assets/", "url(assets/")
        if "https://" in css:
            raise CommandError("nhsuk-frontend.min.css still loads something from the internet.")
        (target / "nhsuk-frontend.min.css").write_text(_clean(css))

        js = (nhsuk / "nhsuk-frontend.min.js").read_text()
        (target / "nhsuk-frontend.min.js").write_text(_clean(js))

        (VENDOR / "htmx.min.js").write_text(_clean(htmx.read_text()))
        self.stdout.write(self.style.SUCCESS(f"Front-end assets copied to {VENDOR}"))
