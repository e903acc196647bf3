// Messages for people may name a command between backticks
// ("start it with `redline serve`"). The extension's pages show those as
// <code> elements, built with text nodes: a message may carry a site's or
// a daemon's words, which are never parsed as HTML.

/** Replaces el's children with text, each `command` in a <code> element. */
export function setRichText(doc: Document, el: Element, text: string): void {
  el.replaceChildren();
  appendRichText(doc, el, text);
}

/** Appends text to el, each `command` in a <code> element. */
export function appendRichText(doc: Document, el: Element, text: string): void {
  const parts = text.split('`');
  // An odd number of backticks leaves the last one as text.
  if (parts.length % 2 === 0) parts.splice(-2, 2, `${parts.at(-2)}\`${parts.at(-1)}`);
  parts.forEach((part, i) => {
    if (part === '') return;
    if (i % 2 === 1) {
      const code = doc.createElement('code');
      code.textContent = part;
      el.append(code);
    } else {
      el.append(doc.createTextNode(part));
    }
  });
}
