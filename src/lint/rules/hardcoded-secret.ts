import { advancePos, type PolicyPos } from '../../policy/index.js';
import { defineRule } from '../types.js';

/** Patterns of secret-looking literals; each match is reported unless it is a `{{named value}}`. */
const PATTERNS: { re: RegExp; what: string }[] = [
  { re: /\bBearer\s+[A-Za-z0-9\-_.~+/]{20,}=*/g, what: 'a bearer token' },
  { re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g, what: 'a JWT' },
  { re: /\b(?:AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)\s*=\s*(?!\{\{)[^;"'\s{]{8,}/gi, what: 'a connection string secret' },
  { re: /\bsig=(?!\{\{)[A-Za-z0-9%+/=]{20,}/g, what: 'a SAS signature' },
  { re: /\bclient_secret=(?!\{\{)[^&"'\s{]{8,}/g, what: 'an OAuth client secret' },
  { re: /\bAKIA[0-9A-Z]{16}\b/g, what: 'an AWS access key' },
];

const MAYBE_SECRET = /Bearer|eyJ|AccountKey|SharedAccess|Password|Pwd|sig=|client_secret|AKIA/i;

/** Attributes whose literal value is a credential. */
const SECRET_ATTRIBUTES: Record<string, readonly string[]> = {
  'authentication-basic': ['password'],
  'authentication-certificate': ['password'],
  proxy: ['password'],
};
const NO_ATTRIBUTES: readonly string[] = [];
/** Headers whose literal value is a credential. */
const SECRET_HEADERS = new Set(['authorization', 'ocp-apim-subscription-key', 'api-key', 'x-api-key', 'x-functions-key', 'proxy-authorization']);

const literal = (v: string) => v.trim() !== '' && !/^\s*\{\{[^}]+\}\}\s*$/.test(v);

export const rule = defineRule({
  id: 'hardcoded-secret',
  defaultSeverity: 'error',
  description:
    'A literal in policy XML that looks like a key, password, connection string or bearer token: it ends up in git, in every extract and in traces.',
  help: 'Move the value to a secret named value (or a Key Vault-backed one) and reference it as {{name}}.',
  example: {
    bad: '<authentication-basic username="svc" password="S3cr3t!pass" />',
    good: '<authentication-basic username="svc" password="{{svc-password}}" />',
  },
  check(ctx) {
    for (const unit of ctx.input.units) {
      if (!unit.document) continue;
      const scan = (text: string, pos: PolicyPos) => {
        if (!MAYBE_SECRET.test(text)) return; // one cheap test before the patterns
        for (const { re, what } of PATTERNS) {
          for (const m of text.matchAll(re)) {
            ctx.report(unit, advancePos(pos, text, m.index), `${what} is written literally in the policy; use a secret named value ({{name}})`);
          }
        }
      };
      // Most files contain no secret-looking word at all: then only the credential attributes and headers
      // need a look. (A decoded value can only gain such a word from a numeric character reference.)
      const maybe = MAYBE_SECRET.test(unit.text) || unit.text.includes('&#');
      for (const el of ctx.model.elements(unit)) {
        if (!maybe && el.name !== 'set-header' && !Object.hasOwn(SECRET_ATTRIBUTES, el.name)) continue;
        const secretAttrs = SECRET_ATTRIBUTES[el.name] ?? NO_ATTRIBUTES;
        for (const a of el.attributes) {
          if (secretAttrs.includes(a.name) && !a.expression && literal(a.value)) {
            ctx.report(unit, a.valuePos, `"${a.name}" of <${el.name}> is a literal credential; use a secret named value ({{name}})`);
            continue;
          }
          if (maybe) scan(a.value, a.expression ? a.expression.pos : a.valuePos);
        }
        if (el.name === 'set-header') {
          const name = el.attributes.find((a) => a.name === 'name')?.value.toLowerCase() ?? '';
          if (SECRET_HEADERS.has(name)) {
            for (const v of el.children) {
              if (v.type !== 'element' || v.name !== 'value') continue;
              const text = v.children.map((c) => (c.type === 'text' && !c.expression ? c.text : '')).join('');
              if (literal(text) && !text.includes('{{') && !/^\s*Bearer\s*$/i.test(text)) {
                ctx.report(unit, v.pos, `header "${name}" is set to a literal credential; use a secret named value ({{name}})`);
              }
            }
          }
        }
        if (!maybe) continue;
        for (const c of el.children) {
          if (c.type !== 'text') continue;
          if (c.expression) scan(c.expression.source, c.expression.pos);
          else scan(c.text, c.pos);
        }
      }
    }
  },
});
