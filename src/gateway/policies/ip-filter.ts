import { isIP } from 'node:net';
import { PolicyError } from '../errors.js';
import type { PolicyModule, ValueSource } from './types.js';

/**
 * `<ip-filter action="allow|forbid"><address>…</address>*<address-range from="…" to="…"/>*</ip-filter>`
 * (§5.4): the caller (`context.Request.IpAddress`, IPv4 or IPv6) must (allow) / must not (forbid) match.
 */
export const ipFilter = {
  name: 'ip-filter',
  sections: ['inbound'],
  compile(el, ctx) {
    const action = ctx.attr(el, 'action', { required: true });
    if (!action.isExpression && !['allow', 'forbid'].includes(action.literal!)) ctx.fail(el, `ip-filter@action must be allow or forbid, not "${action.literal}"`);
    const singles: ValueSource[] = [];
    const ranges: { from: string; to: string }[] = [];
    for (const c of ctx.elements(el)) {
      if (c.name === 'address') singles.push(ctx.text(c) ?? ctx.fail(c, '<address> needs an IP address'));
      else if (c.name === 'address-range') {
        const from = ctx.literal(c, 'from', { required: true });
        const to = ctx.literal(c, 'to', { required: true });
        if (!isIP(from) || !isIP(to)) ctx.fail(c, `address-range needs two IP addresses, not "${from}" – "${to}"`);
        ranges.push({ from, to });
      } else ctx.fail(c, `<ip-filter> holds <address> and <address-range>, not <${c.name}>`);
    }
    if (singles.length === 0 && ranges.length === 0) ctx.fail(el, '<ip-filter> needs at least one <address> or <address-range>');
    return {
      name: 'ip-filter',
      run(state) {
        const ip = normalise(state.request.ipAddress);
        if (!isIP(ip)) {
          throw new PolicyError({ source: 'ip-filter', reason: 'FailedToParseCallerIP', message: 'Failed to establish IP address for the caller. Access denied.', statusCode: 403, responseMessage: 'Forbidden' });
        }
        const n = toBig(ip);
        const listed =
          singles.some((s) => normalise(s.string(state)) === ip) ||
          ranges.some((r) => toBig(normalise(r.from)) <= n && n <= toBig(normalise(r.to)) && isIP(normalise(r.from)) === isIP(ip));
        const mode = action.string(state);
        if (mode === 'allow' && !listed) {
          throw new PolicyError({ source: 'ip-filter', reason: 'CallerIpNotAllowed', message: `Caller IP address ${ip} is not allowed. Access denied.`, statusCode: 403, responseMessage: 'Forbidden' });
        }
        if (mode === 'forbid' && listed) {
          throw new PolicyError({ source: 'ip-filter', reason: 'CallerIpBlocked', message: 'Caller IP address is blocked. Access denied.', statusCode: 403, responseMessage: 'Forbidden' });
        }
      },
    };
  },
} satisfies PolicyModule;

/** `::ffff:127.0.0.1` → `127.0.0.1` (node reports IPv4 callers of a dual-stack socket this way). */
function normalise(ip: string): string {
  const t = ip.trim();
  return t.toLowerCase().startsWith('::ffff:') && isIP(t.slice(7)) === 4 ? t.slice(7) : t;
}

function toBig(ip: string): bigint {
  if (isIP(ip) === 4) return ip.split('.').reduce((a, p) => (a << 8n) + BigInt(Number(p)), 0n);
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.reduce((a, g) => (a << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}
