"""Which form a browser submits when a button is pressed, read from a page's HTML as a browser parses it.

A browser ignores a <form> start tag met inside another form (the HTML parser's "form element pointer"), so
a form nested in the admin's change form does not exist for it: its button submits the outer form. The
Django test client never parses HTML, so a test that posts to the URL it expects cannot see that.
"""

from html.parser import HTMLParser


class _FormOwners(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pointer: dict | None = None  # the form whose controls are being read, as the browser keeps it
        self.forms: list[dict] = []
        self.button: dict | None = None  # the <button> being read, until its end tag
        self.buttons: list[tuple[str, dict]] = []  # (text, the button: its form attribute and owner)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "form":
            if self.pointer is None:  # a nested form's start tag is ignored
                self.pointer = {**attributes, "fields": []}
                self.forms.append(self.pointer)
        elif tag == "button":
            self.button = {"text": "", "form": attributes.get("form"), "owner": self.pointer}
        elif tag == "input" and self.pointer is not None:
            self.pointer["fields"].append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.pointer = None
        elif tag == "button" and self.button is not None:
            self.buttons.append((" ".join(self.button["text"].split()), self.button))
            self.button = None

    def handle_data(self, data: str) -> None:
        if self.button is not None:
            self.button["text"] += data


def form_of_button(html: str, text: str) -> dict:
    """The form (its attributes, and its <input>s under "fields") that the button reading `text` submits."""
    parser = _FormOwners()
    parser.feed(html)
    buttons = [button for label, button in parser.buttons if label == text]
    assert buttons, f"No button “{text}” on the page."
    owner = buttons[0]["owner"]
    if buttons[0]["form"]:  # form="id" names its owner, wherever on the page that form is
        owner = next((form for form in parser.forms if form.get("id") == buttons[0]["form"]), None)
    assert owner is not None, f"The button “{text}” belongs to no form."
    return owner


def submitted_values(form: dict) -> dict:
    """What the form sends as a browser would with its defaults: hidden and text inputs, checked radios."""
    values = {}
    for field in form["fields"]:
        kind = field.get("type", "text")
        if not field.get("name") or (kind in ("radio", "checkbox") and "checked" not in field):
            continue
        if kind not in ("submit", "button"):
            values[field["name"]] = field.get("value", "")
    return values
