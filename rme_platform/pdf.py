"""The one way the platform writes a PDF (survey reports, PME plans):
WeasyPrint, tagged for assistive technology (a structure tree, PDF/UA-style
marked content), fonts embedded, and the document's title, author, subject
and creation date taken from the HTML's <title> and <meta name="author">,
<meta name="description"> and <meta name="dcterms.created"> tags."""

from django.conf import settings

_FONT_CONFIG = None


def html_to_pdf(html, *, base_url=None):
    """PDF bytes and page count of an HTML document."""
    global _FONT_CONFIG
    # Lazy: WeasyPrint (~35 MB, ~0.5 s to import) loads only in the processes
    # that write PDFs, not in every web process that imports its callers.
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    document = HTML(string=html, base_url=str(base_url or settings.BASE_DIR)).render(
        font_config=_FONT_CONFIG, pdf_tags=True
    )
    return document.write_pdf(pdf_tags=True), len(document.pages)
