/**
 * What nbconvert's HTML page needs from outside the report folder, removed. Debian's nbconvert
 * template loads require.js and MathJax by absolute path from the system's Jupyter installation
 * (file:///usr/share/javascript/...): a page copied elsewhere would load nothing, or whatever is
 * there. Nothing on the pages uses either (plotly hides `define`; the notebooks write no LaTeX, and
 * MathJax would take `$GUESTBENCH_...` for formulas).
 */

/** `html` without <script src> tags that load from an absolute path or URL, and MathJax's config. */
export function selfContainedPage(html: string): string {
  return html
    .replace(/<script\b[^>]*\bsrc="(?:[a-z][a-z0-9+.-]*:|\/)[^"]*"[^>]*>\s*<\/script>/gi, '')
    .replace(/<script type="text\/x-mathjax-config">[\s\S]*?<\/script>/g, '')
    .replace(/<!-- (?:Load mathjax|MathJax configuration|End of mathjax configuration) -->/g, '');
}
