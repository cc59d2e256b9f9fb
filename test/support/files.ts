import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Every file under a folder: `/`-separated relative path → UTF-8 content, sorted; `skip` leaves paths out. */
export function filesOf(root: string, skip: (p: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const rel = relative(root, full).split('\\').join('/');
        if (!skip(rel)) out.set(rel, readFileSync(full, 'utf8'));
      }
    }
  };
  walk(root);
  return out;
}
