"""Find what a strict Content-Security-Policy would block in an HTML page."""

from html.parser import HTMLParser

# Script types that browsers do not execute: data blocks are allowed under the CSP.
DATA_SCRIPT_TYPES = {"application/ld+json", "application/json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "srcdoc"}


class _InlineFinder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        position = f"line {self.getpos()[0]}"
        for name, value in attrs.items():
            if name.startswith("on"):
                self.problems.append(f"{position}: <{tag} {name}=...> event handler")
            if name == "style":
                self.problems.append(f"{position}: <{tag} style=...> inline style")
            if name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"{position}: <{tag} {name}=javascript:...>")
        if tag == "style":
            self.problems.append(f"{position}: <style> element")
        if tag == "script":
            kind = (attrs.get("type") or "").strip().lower()
            self._in_script = None if ("src" in attrs or kind in DATA_SCRIPT_TYPES) else position

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"{self._in_script}: inline <script> code")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def inline_code(html):
    """Everything in `html` that `script-src 'self'; style-src 'self'` would block."""
    finder = _InlineFinder()
    finder.feed(html)
    finder.close()
    return finder.problems
