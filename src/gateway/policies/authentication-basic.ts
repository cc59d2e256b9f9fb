import { Buffer } from 'node:buffer';
import type { PolicyModule } from './types.js';
import { targetOf } from './target.js';

/** `<authentication-basic username="u" password="p"/>` (§5.3): `Authorization: Basic base64(u:p)` (UTF-8). */
export const authenticationBasic = {
  name: 'authentication-basic',
  sections: ['inbound'],
  compile(el, ctx) {
    const user = ctx.attr(el, 'username', { required: true });
    const pass = ctx.attr(el, 'password', { required: true });
    return {
      name: 'authentication-basic',
      run(state) {
        const t = targetOf(state);
        const headers = t.kind === 'request' ? t.message.headers : state.request.headers;
        headers.set('Authorization', `Basic ${Buffer.from(`${user.string(state)}:${pass.string(state)}`, 'utf8').toString('base64')}`);
      },
    };
  },
} satisfies PolicyModule;
