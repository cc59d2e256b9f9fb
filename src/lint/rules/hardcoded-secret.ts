import { advancePos, type PolicyElement, type PolicyPos } from '../../policy/index.js';
import { defineRule, type PolicyUnit, type RuleContext } from '../types.js';

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
  create: (ctx) => ({
    batch({ units }) {
    // Most files contain no secret-looking word at all: they need only their credential attributes and
    // headers checked (found through the model's name index). A decoded value can only gain such a word
    // from a numeric character reference, hence the "&#" test.
    const scanned = new Set<PolicyUnit>();
    for (const unit of units) {
      if (!unit.document || !(MAYBE_SECRET.test(unit.text) || unit.text.includes('&#'))) continue;
      scanned.add(unit);
      for (const el of ctx.model.elements(unit)) checkElement(ctx, unit, el, true);
    }
    for (const name of CREDENTIAL_ELEMENTS) {
      for (const { unit, element } of ctx.model.elementsNamed(name)) if (!scanned.has(unit)) checkElement(ctx, unit, element, false);
    }
    },
  }),
});

/** Elements checked in every file: credential attributes and secret headers. */
const CREDENTIAL_ELEMENTS = ['set-header', ...Object.keys(SECRET_ATTRIBUTES)];

/** One element's findings; `scan` also looks for secret patterns in its values and text. */
function checkElement(ctx: RuleContext, unit: PolicyUnit, el: PolicyElement, scan: boolean): void {
  const secretAttrs = SECRET_ATTRIBUTES[el.name] ?? NO_ATTRIBUTES;
  for (const a of el.attributes) {
    if (secretAttrs.includes(a.name) && !a.expression && literal(a.value)) {
      ctx.report(unit, a.valuePos, `"${a.name}" of <${el.name}> is a literal credential; use a secret named value ({{name}})`);
      continue;
    }
    if (scan) scanText(ctx, unit, a.value, a.expression ? a.expression.pos : a.valuePos);
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
  if (!scan) return;
  for (const c of el.children) {
    if (c.type !== 'text') continue;
    if (c.expression) scanText(ctx, unit, c.expression.source, c.expression.pos);
    else scanText(ctx, unit, c.text, c.pos);
  }
}

function scanText(ctx: RuleContext, unit: PolicyUnit, text: string, pos: PolicyPos): void {
  if (!MAYBE_SECRET.test(text)) return; // one cheap test before the patterns
  for (const { re, what } of PATTERNS) {
    for (const m of text.matchAll(re)) {
      ctx.report(unit, advancePos(pos, text, m.index), `${what} is written literally in the policy; use a secret named value ({{name}})`);
    }
  }
}
