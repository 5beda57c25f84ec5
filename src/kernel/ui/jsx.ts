/**
 * A tiny JSX-to-string runtime. Everything is escaped unless it is already `Html`
 * (produced by this runtime or by an explicit `raw()`), so free text can never become markup.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Child = Html | string | number | boolean | null | undefined | readonly Child[];
type Props = Record<string, unknown> & { children?: Child };
export type Component<P = Record<string, unknown>> = (props: P & { children?: Child }) => Html;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const ESCAPE_RE = /[&<>"']/g;

export function escapeHtml(text: string): string {
  return ESCAPE_RE.test(text) ? text.replace(ESCAPE_RE, (c) => ESCAPES[c]!) : text;
}

/** Marks trusted markup (our own static assets or pre-rendered fragments). Never pass user input. */
export function raw(markup: string): Html {
  return new Html(markup);
}

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);
const ATTR_NAME = /^[a-zA-Z_:][-a-zA-Z0-9_:.]*$/;

function renderChild(child: Child): string {
  if (child === null || child === undefined || child === false || child === true) return '';
  if (child instanceof Html) return child.value;
  if (Array.isArray(child)) {
    let out = '';
    for (const c of child) out += renderChild(c as Child);
    return out;
  }
  return escapeHtml(String(child));
}

function renderAttrs(props: Props | null): string {
  if (!props) return '';
  let out = '';
  for (const name in props) {
    if (name === 'children') continue;
    const value = props[name];
    if (value === null || value === undefined || value === false) continue;
    // Attribute names come from our templates, but refuse anything odd rather than emit broken markup.
    if (!ATTR_NAME.test(name)) throw new Error(`invalid attribute name ${name}`);
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- attribute values are strings, numbers or booleans by the Props type
    out += value === true ? ` ${name}` : ` ${name}="${escapeHtml(String(value))}"`;
  }
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a component's own props type is checked at its JSX call site
export function h(tag: string | Component<any>, props: Props | null, ...children: Child[]): Html {
  if (typeof tag === 'function') {
    const merged = { ...(props ?? {}) } as Props;
    if (children.length > 0) merged.children = children.length === 1 ? children[0] : children;
    return tag(merged);
  }
  const inner = children.length > 0 ? renderChild(children) : renderChild(props?.children);
  if (VOID.has(tag)) return new Html(`<${tag}${renderAttrs(props)}>`);
  return new Html(`<${tag}${renderAttrs(props)}>${inner}</${tag}>`);
}

export function Fragment(props: { children?: Child }): Html {
  return new Html(renderChild(props.children));
}

/** Renders a full document. */
export function renderDocument(root: Html): string {
  return `<!doctype html>${root.value}`;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    type Element = Html;
    interface IntrinsicElements {
      [tag: string]: Record<string, unknown>;
    }
    interface ElementChildrenAttribute {
      children: unknown;
    }
  }
}
