// dryad console: building the page. Every value goes in as text (textContent), never as
// markup, so stored content cannot run as script.

/// An element with attributes and children; strings become text nodes.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/// An SVG element (plots).
export function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/// "N things", or "the first N things" and how to see the rest when the listing was cut.
export function counted(listing, noun) {
  return listing.cut ? `the first ${listing.items.length} ${noun} (narrow the filters to see the rest)` : `${listing.items.length} ${noun}`;
}

export function table(headers, rows) {
  return el("div", { class: "scroll" },
    el("table", {},
      el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map((row) => el("tr", {}, row.map((cell) => el("td", {}, cell)))))));
}

export function badge(text, kind) {
  return el("span", { class: "badge " + kind }, text);
}

/// What a page renders: its title and content, shown by `route` if it is still the page asked for.
export function view(title, ...content) {
  return { title, content };
}
