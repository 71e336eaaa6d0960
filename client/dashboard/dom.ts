/**
 * The only way the dashboard builds DOM: elements from a tag, attributes and children, where every string
 * child becomes a Text node. Nothing here (or anywhere in the dashboard) assigns innerHTML, so whatever a
 * sender typed (institution, comment, file names) is rendered inert (OWASP ASVS 5.3.3, issue 8 item 8).
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[];

export interface Attributes {
  [name: string]: string | number | boolean | null | undefined | ((event: Event) => void);
}

function append(parent: Node, child: Child): void {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) {
    for (const item of child as readonly Child[]) append(parent, item);
    return;
  }
  parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
}

/** h('button', { type: 'button', onclick: fn }, 'Label'): on* attributes become listeners, never inline handlers. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') {
      element.addEventListener(name.replace(/^on/, ''), value);
    } else if (name === 'style') {
      // A style attribute would need 'unsafe-inline' in the CSP (style-src-attr); use classes instead.
      throw new Error('h(): style attributes are not allowed under the CSP');
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children) append(element, child);
  return element;
}

/** Replaces all children of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  for (const child of children) append(parent, child);
}

/** Reads a named form control's trimmed value. */
export function field(form: HTMLFormElement, name: string): string {
  const control = form.elements.namedItem(name);
  if (control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement || control instanceof HTMLSelectElement) {
    return control.value.trim();
  }
  if (control instanceof RadioNodeList) return control.value.trim();
  return '';
}
