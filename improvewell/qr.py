"""QR codes drawn here, as inline SVG: no image service, no request leaves the server, and
nothing for the Content-Security-Policy to allow (no script, no style attribute)."""

import segno
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


def qr_svg(address: str, *, title: str) -> SafeString:
    """An SVG QR code for `address`, to place in a page; it scales to its box (no size).

    Error correction level M (15%) survives a creased or scuffed noticeboard print.
    """
    code = segno.make(address, error="m", micro=False, boost_error=False)
    svg = code.svg_inline(
        scale=1,
        border=4,
        dark="#000",
        light="#fff",
        omitsize=True,
        svgclass="iw-qr",
        lineclass=None,
    )
    # segno writes the SVG from the code's modules alone (no text of ours in it); the
    # label is escaped by format_html.
    drawing = mark_safe(svg)  # noqa: S308
    return format_html(
        '<figure class="iw-qr-figure" role="img" aria-label="{}">{}</figure>', title, drawing
    )
