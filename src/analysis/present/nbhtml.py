"""The nbconvert exporter of the analysts' notebook pages: offline, formulas as MathML.

LaTeX in Markdown ($...$, $$...$$) becomes MathML when the page is rendered (latex2mathml), so no
MathJax or other script is loaded; the code of cells tagged `narrative` (one-line calls that show a
catalogue text) is left out, their text stays. report.render_notebook_html uses `exporter()`.
"""

from __future__ import annotations

from jinja2 import pass_context
from markupsafe import escape
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
from nbconvert.preprocessors import TagRemovePreprocessor

NARRATIVE_TAG = "narrative"


def mathml(tex: str, display: str) -> str:
    """`tex` as MathML; a formula latex2mathml cannot read is shown as its source, in <code>."""
    from latex2mathml.converter import convert

    try:
        return convert(tex.strip(), display=display)
    except Exception:  # a malformed formula must not stop the page; its source stays readable
        return f'<code class="tex">{escape(tex)}</code>'


class MathMLRenderer(IPythonRenderer):
    """nbconvert's Markdown renderer with every formula rendered as MathML instead of left for MathJax."""

    def inline_math(self, body: str) -> str:
        return mathml(body, "inline")

    def block_math(self, body: str) -> str:
        return mathml(body, "block")

    def latex_environment(self, name: str, body: str) -> str:
        return mathml(f"\\begin{{{name}}}{body}\\end{{{name}}}", "block")


class NotebookPageExporter(HTMLExporter):
    """HTMLExporter whose markdown2html filter (Markdown cells and Markdown outputs) uses MathMLRenderer."""

    @pass_context
    def markdown2html(self, context, source):
        cell = context.get("cell", {})
        path = context.get("resources", {}).get("metadata", {}).get("path", "")
        renderer = MathMLRenderer(escape=False, attachments=cell.get("attachments", {}),
                                  embed_images=self.embed_images, path=path,
                                  anchor_link_text=self.anchor_link_text,
                                  exclude_anchor_links=self.exclude_anchor_links, **self.lexer_options)
        return MarkdownWithMath(renderer=renderer).render(source)


def exporter(template_name: str, template_dir: str, lang: str) -> NotebookPageExporter:
    """The exporter of one page: our template, images embedded, narrative cells' code left out."""
    exp = NotebookPageExporter(template_name=template_name, extra_template_basedirs=[template_dir],
                               embed_images=True, language_code=lang)
    exp.register_preprocessor(TagRemovePreprocessor(remove_input_tags={NARRATIVE_TAG}), enabled=True)
    return exp
