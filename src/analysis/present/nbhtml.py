"""The nbconvert exporter of the analysts' notebook pages: offline, formulas as MathML.

LaTeX in Markdown ($...$, $$...$$) becomes MathML when the page is rendered (latex2mathml), so no
MathJax or other script is loaded; the code of cells tagged `narrative` (one-line calls that show a
catalogue text) is left out, their text stays. present.report.pages uses `exporter()`.

Light at import: nbconvert (and the classes built on it) load on the first `exporter()` call, since
the runner imports the pages' module on its no-op path.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import escape

NARRATIVE_TAG = "narrative"


def mathml(tex: str, display: str) -> str:
    """`tex` as MathML; a formula latex2mathml cannot read is shown as its source, in <code>."""
    from latex2mathml.converter import convert  # noqa: PLC0415 - loaded with the pages' exporter, not at import

    try:
        return convert(tex.strip(), display=display)
    except Exception:  # a malformed formula must not stop the page; its source stays readable
        return f'<code class="tex">{escape(tex)}</code>'


@lru_cache(maxsize=1)
def exporter_class() -> type:
    """NotebookPageExporter: nbconvert's HTMLExporter whose markdown2html filter (Markdown cells and
    Markdown outputs) renders every formula as MathML instead of leaving it for MathJax."""
    from jinja2 import pass_context  # noqa: PLC0415 - nbconvert's stack: not on the runner's no-op path
    from nbconvert import HTMLExporter  # noqa: PLC0415 - seconds to import: not on the runner's no-op path
    from nbconvert.filters.markdown_mistune import (  # noqa: PLC0415 - with nbconvert, above
        IPythonRenderer,
        MarkdownWithMath,
    )

    class MathMLRenderer(IPythonRenderer):
        """nbconvert's Markdown renderer with every formula rendered as MathML."""

        def inline_math(self, body: str) -> str:
            return mathml(body, "inline")

        def block_math(self, body: str) -> str:
            return mathml(body, "block")

        def latex_environment(self, name: str, body: str) -> str:
            return mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")

    class NotebookPageExporter(HTMLExporter):
        """HTMLExporter whose markdown2html filter uses MathMLRenderer."""

        @pass_context
        def markdown2html(self, context, source):
            cell = context.get("cell", {})
            path = context.get("resources", {}).get("metadata", {}).get("path", "")
            renderer = MathMLRenderer(escape=False, attachments=cell.get("attachments", {}),
                                      embed_images=self.embed_images, path=path,
                                      anchor_link_text=self.anchor_link_text,
                                      exclude_anchor_links=self.exclude_anchor_links, **self.lexer_options)
            return MarkdownWithMath(renderer=renderer).render(source)

    return NotebookPageExporter


def exporter(template_name: str, template_dir: str, lang: str):
    """The exporter of one page: our template, images embedded, narrative cells' code left out."""
    from nbconvert.preprocessors import TagRemovePreprocessor  # noqa: PLC0415 - with nbconvert, above

    exp = exporter_class()(template_name=template_name, extra_template_basedirs=[template_dir],
                           embed_images=True, language_code=lang)
    exp.register_preprocessor(TagRemovePreprocessor(remove_input_tags={NARRATIVE_TAG}), enabled=True)
    return exp
