"""The browsable API docs: Swagger UI from drf-spectacular-sidecar's installed files.

The split view serves its start-up script as a file of its own, so script-src stays
'self'. Swagger UI styles its widgets with inline style attributes, so this one page,
and only it, also allows inline styles (tests/api/test_docs_page.py).
"""

from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView

DOCS_PAGE_CSP = {"style-src": ["'self'", "'unsafe-inline'"]}


@method_decorator(csp_update(DOCS_PAGE_CSP), name="dispatch")
class SwaggerDocs(SpectacularSwaggerSplitView):
    title = "ImproveWell API"
