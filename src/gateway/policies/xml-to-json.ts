import { XMLParser } from 'fast-xml-parser';
import type { PolicyModule } from './types.js';
import { targetOf } from './target.js';

/**
 * `<xml-to-json kind="javascript-friendly|direct" apply="always|content-type-xml" consider-accept-header="true"
 * always-array-child-elements="false"/>` (§5.2). `direct` follows Newtonsoft `SerializeXmlNode` (`@attr`,
 * `#text`, repeated elements as arrays); `javascript-friendly` drops the `@` prefixes (shapes are [INF]).
 */
export const xmlToJson = {
  name: 'xml-to-json',
  sections: ['inbound', 'outbound', 'on-error'],
  compile(el, ctx) {
    const kind = ctx.attr(el, 'kind', { required: true });
    const apply = ctx.attr(el, 'apply', { required: true });
    const considerAccept = ctx.attr(el, 'consider-accept-header');
    const alwaysArray = ctx.attr(el, 'always-array-child-elements');
    return {
      name: 'xml-to-json',
      async run(state) {
        const msg = targetOf(state).message;
        const ctype = msg.headers.get('content-type') ?? '';
        if (apply.string(state) !== 'always' && !/xml/i.test(ctype)) return;
        if ((considerAccept ? considerAccept.bool(state) : true) && !/json/i.test(state.request.headers.get('accept') ?? '')) return;
        if (!msg.body.present) return;
        const text = (await msg.body.read()).toString('utf8');
        const friendly = kind.string(state) === 'javascript-friendly';
        const arrays = alwaysArray ? alwaysArray.bool(state) : false;
        let value: unknown;
        try {
          value = xmlToObject(text, friendly, arrays);
        } catch {
          return; // not XML: left as it is
        }
        msg.body.set(JSON.stringify(value));
        msg.headers.set('Content-Type', 'application/json');
      },
    };
  },
} satisfies PolicyModule;

/** XML text → JSON value (exported for tests). */
export function xmlToObject(text: string, friendly: boolean, alwaysArray: boolean): unknown {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: friendly ? '' : '@',
    textNodeName: '#text',
    ignoreDeclaration: true,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    isArray: (_name: string, _path: unknown, _leaf: boolean, isAttr: boolean) => alwaysArray && !isAttr,
  });
  const v = parser.parse(text, true);
  return v;
}
