/**
 * A small element builder, so the views read as the page they make. Text is always set as text,
 * never parsed as HTML: the only HTML the console inserts is sanitised Markdown (markdown.ts).
 */

export type Child = Node | string | number | null | undefined | false;

/** Attributes by name; `true` sets an empty attribute, `false` and `undefined` leave it out. */
export type Attributes = Record<string, string | number | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces what `parent` holds. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/** The element of the page with this id; the page shell (index.html) guarantees it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`The console page has no element #${id}`);
  return element as T;
}

/** Text that screen readers read and sighted users do not see (for context a layout already gives). */
export function srOnly(text: string): HTMLSpanElement {
  return h('span', { class: 'sr-only' }, text);
}

/** Web and mail links only: a `javascript:` or `data:` URL in the data is never made clickable. */
export function isSafeUrl(url: string): boolean {
  return /^(?:https?:|mailto:)/i.test(url);
}

/**
 * A link to a source outside the console. It opens beside the page, so the facts in the form are
 * not lost, and says so to screen readers; an unsafe URL leaves the text unlinked.
 */
export function externalLink(url: string, ...children: Child[]): HTMLElement {
  if (!isSafeUrl(url)) return h('span', {}, ...children);
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, ...children, srOnly(' (opens in a new tab)'));
}
