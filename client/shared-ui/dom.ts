/**
 * Building DOM without innerHTML. Everything that comes from the portal, the CD or the user is inserted as a
 * text node (textContent), so a PatientName like `<img src=x onerror=…>` stays inert text (OWASP ASVS 5.3.3;
 * XSS through filenames is a known failure of other uploaders, see docs/architecture.md). Pages run under a
 * CSP without inline scripts or styles, so no `style` attribute and no `on…` attribute either: listeners are
 * attached with addEventListener and visual state is expressed through classes and the `hidden` attribute.
 */

export type Child = Node | string | number | null | undefined | false | readonly Child[];

export interface Props {
  /** Space-separated class names. */
  class?: string;
  /** Attributes set with setAttribute (values become strings; `false`/undefined skips the attribute). */
  attrs?: Record<string, string | number | boolean | undefined>;
  /** Event listeners. */
  on?: { [K in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[K]) => void };
}

/** Creates an element; string children become text nodes, never markup. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (props?.class) element.className = props.class;
  for (const [name, value] of Object.entries(props?.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [type, listener] of Object.entries(props?.on ?? {})) {
    element.addEventListener(type, listener as EventListener);
  }
  append(element, children);
  return element;
}

/** Appends children (text as text nodes). */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else if (typeof child === 'string' || typeof child === 'number') parent.appendChild(document.createTextNode(String(child)));
    else parent.appendChild(child as Node);
  }
}

/** Replaces all children of `parent`. */
export function replace(parent: Node, ...children: Child[]): void {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

/** The element with this id, typed; throws when the page markup lacks it (a build error, not a user error). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`page element #${id} is missing`);
  return element as T;
}

/** Shows exactly one of the given sections and hides the rest. */
export function showOnly(sections: readonly HTMLElement[], visible: readonly HTMLElement[]): void {
  for (const section of sections) section.hidden = !visible.includes(section);
}
