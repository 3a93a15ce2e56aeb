import { NovaCronError } from '@novacron/core';
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * How deep an XML document may nest. libxml2 (libvirt's parser) stops at 256 levels by default; a qcow2 backing
 * chain adds one level per layer and libvirt caps chains at 200 layers, so 1,024 reads anything libvirt can write
 * while a hostile document still cannot exhaust the stack.
 */
export const MAX_XML_DEPTH = 1024;

/** One element of a document read by {@link readXmlDocument}, with its namespace resolved. */
export interface XmlElement {
  /** The local name (`novacron` for `<nc:novacron>`). */
  readonly name: string;
  /** The namespace URI in scope for the element's prefix (or the default namespace), if any. */
  readonly namespace: string | undefined;
  /** Attributes by the name as written (`unit`, `xmlns:nc`), values decoded. A Map: any name is safe. */
  readonly attributes: ReadonlyMap<string, string>;
  /** Child elements, in document order. */
  readonly children: readonly XmlElement[];
  /** The element's own text (and CDATA), decoded, exactly as written (never trimmed). */
  readonly text: string;
}

/**
 * Characters XML 1.0 can carry (its `Char` production), as the body of a character class: tab, newline, carriage
 * return and everything from U+0020 except surrogates and U+FFFE/U+FFFF. Other C0 controls cannot be written even
 * as `&#1;`. Use it with the `u` flag.
 */
export const XML_CHARACTERS = String.raw`\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}`;

const NOT_XML_CHARACTER = new RegExp(`[^${XML_CHARACTERS}]`, 'u');

/** The first character XML 1.0 cannot carry in `value`, as `U+0001`, or undefined when every one can be carried. */
export function findNonXmlCharacter(value: string): string | undefined {
  const match = NOT_XML_CHARACTER.exec(value);
  if (match === null) return undefined;
  return `U+${(match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The builder every document NovaCron writes goes through. Besides the five markup characters it writes tab,
 * newline and carriage return as character references, so that they survive attribute-value normalisation (a
 * parser turns a literal newline in an attribute into a space) and libvirt hands them back unchanged.
 */
export const xmlBuilder = new XMLBuilder({
  // `entities` is a documented builder option its type declarations leave out.
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressEmptyNode: true,
  format: false,
  entities: [
    { regex: /&/g, val: '&amp;' },
    { regex: />/g, val: '&gt;' },
    { regex: /</g, val: '&lt;' },
    { regex: /'/g, val: '&apos;' },
    { regex: /"/g, val: '&quot;' },
    { regex: /\t/g, val: '&#9;' },
    { regex: /\n/g, val: '&#10;' },
    { regex: /\r/g, val: '&#13;' },
  ],
} as ConstructorParameters<typeof XMLBuilder>[0]);

// Names get a leading '=' (never part of an XML name) so that no element or attribute name, `__proto__` included,
// is ever an object key of its own. Entities are left to decodeEntities: fast-xml-parser expands none.
const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  maxNestedTags: MAX_XML_DEPTH,
  transformTagName: (name) => `=${name}`,
  transformAttributeName: (name) => `=${name}`,
});

/** A DOCTYPE can only come before the root element: after the declaration, comments and processing instructions. */
const DOCTYPE_IN_PROLOG = /^\uFEFF?(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->)*<!DOCTYPE/;

const PREDEFINED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function refuse(what: string, reason: string): NovaCronError {
  return new NovaCronError({ code: 'INVALID_ARGUMENT', message: `${what} cannot be read: ${reason}.` });
}

/** Decodes the five predefined entities and numeric character references; anything else is refused. */
function decodeEntities(raw: string, what: string): string {
  return raw.replace(/&([^;&\s]*);?/g, (whole, body: string) => {
    if (!whole.endsWith(';')) throw refuse(what, `a bare '&' (write &amp;)`);
    const predefined = PREDEFINED_ENTITIES[body];
    if (predefined !== undefined && Object.hasOwn(PREDEFINED_ENTITIES, body)) return predefined;
    const numeric = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(body);
    if (numeric === null)
      throw refuse(what, `the entity ${whole} is not defined (entities are never expanded)`);
    const codePoint = Number.parseInt(numeric[1] ?? numeric[2] ?? '', numeric[1] === undefined ? 10 : 16);
    const character = codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : '\u0000';
    if (findNonXmlCharacter(character) !== undefined) {
      throw refuse(what, `the character reference ${whole} names a character XML 1.0 does not allow`);
    }
    return character;
  });
}

type OrderedNode = Record<string, unknown>;

/** Reads one element of fast-xml-parser's ordered output, resolving namespaces against the enclosing scope. */
function toElement(node: OrderedNode, scope: ReadonlyMap<string, string>, what: string): XmlElement {
  const qualified = Object.keys(node).find((key) => key.startsWith('='));
  if (qualified === undefined) throw refuse(what, 'an element has no name');
  const rawAttributes = (node[':@'] ?? {}) as Record<string, string>;
  const attributes = new Map<string, string>();
  let innerScope: Map<string, string> | undefined;
  for (const [key, raw] of Object.entries(rawAttributes)) {
    // XML attribute-value normalisation: literal whitespace becomes a space; references survive.
    const value = decodeEntities(raw.replace(/\r\n|[\t\n\r]/g, ' '), what);
    const name = key.replace(/^=+/, '');
    attributes.set(name, value);
    if (name === 'xmlns' || name.startsWith('xmlns:')) {
      innerScope ??= new Map(scope);
      innerScope.set(name === 'xmlns' ? '' : name.slice('xmlns:'.length), value);
    }
  }
  const elementScope = innerScope ?? scope;
  const name = qualified.replace(/^=+/, '');
  const colon = name.indexOf(':');
  const prefix = colon === -1 ? '' : name.slice(0, colon);
  const namespace = elementScope.get(prefix);
  const children: XmlElement[] = [];
  let text = '';
  for (const child of (node[qualified] ?? []) as OrderedNode[]) {
    if ('#text' in child) text += decodeEntities(String(child['#text']).replace(/\r\n?/g, '\n'), what);
    else if ('#cdata' in child) {
      for (const part of child['#cdata'] as OrderedNode[]) text += String(part['#text'] ?? '');
    } else children.push(toElement(child, elementScope, what));
  }
  return {
    name: colon === -1 ? name : name.slice(colon + 1),
    namespace: namespace === '' ? undefined : namespace,
    attributes,
    children,
    text,
  };
}

/**
 * Reads an XML document into a small element tree with namespaces resolved, strictly: empty or malformed input, a
 * DOCTYPE (so no entity is ever expanded), undefined entities, characters XML 1.0 forbids and nesting deeper than
 * {@link MAX_XML_DEPTH} are refused with `INVALID_ARGUMENT`. Messages never quote the document.
 *
 * @example
 * const root = readXmlDocument('<domain type="kvm"><name>web-1</name></domain>', 'Domain XML');
 * childElement(root, 'name')?.text; // 'web-1'
 */
export function readXmlDocument(xml: string, what: string): XmlElement {
  if (typeof xml !== 'string' || xml.trim() === '') throw refuse(what, 'it is empty');
  if (DOCTYPE_IN_PROLOG.test(xml)) {
    throw refuse(what, 'it has a DOCTYPE, which libvirt never writes (DOCTYPEs and entities are refused)');
  }
  const bad = findNonXmlCharacter(xml);
  if (bad !== undefined) throw refuse(what, `it contains ${bad}, a character XML 1.0 does not allow`);
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    throw refuse(
      what,
      `it is not well-formed XML (${validation.err.msg} at line ${validation.err.line}, column ${validation.err.col})`,
    );
  }
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(xml) as OrderedNode[];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/nested/i.test(message)) throw refuse(what, `it is nested deeper than ${MAX_XML_DEPTH} elements`);
    throw refuse(what, message);
  }
  const roots = nodes.filter((node) => Object.keys(node).some((key) => key.startsWith('=')));
  if (roots.length !== 1) throw refuse(what, 'it has no single root element');
  return toElement(roots[0] as OrderedNode, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), what);
}

/** The first child element named `name` (local name) in `namespace` (default: no namespace). */
export function childElement(
  element: XmlElement | undefined,
  name: string,
  namespace?: string,
): XmlElement | undefined {
  return element?.children.find((child) => child.name === name && child.namespace === namespace);
}

/** Every child element named `name` (local name) in `namespace` (default: no namespace). */
export function childElements(
  element: XmlElement | undefined,
  name: string,
  namespace?: string,
): XmlElement[] {
  return element?.children.filter((child) => child.name === name && child.namespace === namespace) ?? [];
}
