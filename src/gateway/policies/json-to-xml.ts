import type { RequestState } from '../state.js';
import type { PolicyModule } from './types.js';
import { targetOf } from './target.js';

/**
 * `<json-to-xml apply="always|content-type-json" consider-accept-header="true" parse-date="true"
 * namespace-separator="_" namespace-prefix="xmlns" attribute-block-name="#attrs"/>` (§5.2): Newtonsoft-style
 * `DeserializeXmlNode` — an object with one property becomes that root element, otherwise `<Document>`;
 * arrays repeat their element; `#attrs` blocks become attributes.
 */
export const jsonToXml = {
  name: 'json-to-xml',
  sections: ['inbound', 'outbound', 'on-error'],
  compile(el, ctx) {
    const apply = ctx.attr(el, 'apply', { required: true });
    const considerAccept = ctx.attr(el, 'consider-accept-header');
    ctx.literal(el, 'parse-date');
    const nsSep = ctx.attr(el, 'namespace-separator');
    ctx.attr(el, 'namespace-prefix');
    const attrBlock = ctx.attr(el, 'attribute-block-name');
    return {
      name: 'json-to-xml',
      async run(state) {
        const t = targetOf(state);
        const msg = t.message;
        const mode = apply.string(state);
        const ctype = msg.headers.get('content-type') ?? '';
        if (mode !== 'always' && !/json/i.test(ctype)) return;
        if ((considerAccept ? considerAccept.bool(state) : true) && !acceptsXml(state)) return;
        if (!msg.body.present) return;
        const text = (await msg.body.read()).toString('utf8');
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          return; // not JSON: left as it is
        }
        msg.body.set(toXml(value, { sep: nsSep?.string(state) ?? ':', attrs: attrBlock?.string(state) }));
        msg.headers.set('Content-Type', 'application/xml');
      },
    };
  },
} satisfies PolicyModule;

function acceptsXml(state: RequestState): boolean {
  const accept = state.request.headers.get('accept') ?? '';
  return /xml/i.test(accept);
}

interface XmlOptions {
  sep: string;
  attrs: string | undefined;
}

/** JSON → XML text (exported for tests). */
export function toXml(value: unknown, o: XmlOptions = { sep: ':', attrs: undefined }): string {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1) return element(keys[0]!, (value as Record<string, unknown>)[keys[0]!], o);
  }
  return element('Document', value, o);
}

function element(name: string, value: unknown, o: XmlOptions): string {
  const tag = xmlName(name, o);
  if (Array.isArray(value)) return value.map((v) => element(name, v, o)).join('');
  if (value === null || value === undefined) return `<${tag} />`;
  if (typeof value !== 'object') return `<${tag}>${escapeText(String(value))}</${tag}>`;
  let attrs = '';
  let inner = '';
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (o.attrs && k === o.attrs && v && typeof v === 'object') {
      for (const [an, av] of Object.entries(v as Record<string, unknown>)) attrs += ` ${xmlName(an, o)}="${escapeAttr(String(av))}"`;
    } else if (k.startsWith('@')) attrs += ` ${xmlName(k.slice(1), o)}="${escapeAttr(String(v))}"`;
    else if (k.startsWith('xmlns')) attrs += ` ${k}="${escapeAttr(String(v))}"`;
    else if (k === '#text') inner += escapeText(String(v));
    else inner += element(k, v, o);
  }
  return inner ? `<${tag}${attrs}>${inner}</${tag}>` : `<${tag}${attrs} />`;
}

function xmlName(n: string, o: XmlOptions): string {
  const withNs = o.sep !== ':' ? n.split(o.sep).join(':') : n;
  return withNs.replace(/[^A-Za-z0-9_.:\-]/g, '_').replace(/^([^A-Za-z_])/, '_$1');
}
function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function escapeAttr(s: string): string {
  return escapeText(s).replace(/"/g, '&quot;');
}
