/**
 * APIM's two inline policy encodings (ARM.md §4): `rawxml` keeps policy expressions as written
 * (`@(h => h.Key)`), `xml` entity-escapes `<`, `>` and `&` inside them (`@(h =&gt; h.Key)`). The fake stores
 * rawxml and converts on the way out (GET `?format=xml`, the list endpoints) and on the way in (PUT
 * `format: xml`). Expressions are found by scanning `@(…)` / `@{…}` with bracket counting, skipping C# strings.
 */

/** Applies `fn` to the text of every `@(…)`/`@{…}` expression in `text`. */
function mapExpressions(text: string, fn: (expr: string) => string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('@', i);
    if (at < 0 || at + 1 >= text.length) break;
    const open = text[at + 1];
    if (open !== '(' && open !== '{') {
      out += text.slice(i, at + 1);
      i = at + 1;
      continue;
    }
    const close = open === '(' ? ')' : '}';
    let depth = 0;
    let j = at + 1;
    let quote: string | undefined;
    for (; j < text.length; j++) {
      const c = text[j]!;
      if (quote) {
        if (c === '\\') j++;
        else if (c === quote) quote = undefined;
        continue;
      }
      if (c === '"') quote = c;
      else if (c === open) depth++;
      else if (c === close && --depth === 0) break;
    }
    if (j >= text.length) {
      out += text.slice(i);
      return out;
    }
    out += text.slice(i, at + 2) + fn(text.slice(at + 2, j)) + close;
    i = j + 1;
  }
  return out + text.slice(i);
}

/** rawxml → xml: entity-escape expression text. */
export function rawToXml(raw: string): string {
  return mapExpressions(raw, (e) => e.replace(/&(?!(?:amp|lt|gt|quot|apos);)/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
}

/** xml → rawxml: un-escape expression text. */
export function xmlToRaw(xml: string): string {
  return mapExpressions(xml, (e) => e.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
}

/** `{{name}}` named-value references of a policy document. */
export function namedValueReferences(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{([^{}]+)\}\}/g)].map((m) => m[1]!.trim()))];
}

/** `<include-fragment fragment-id="…"/>` references of a policy document. */
export function fragmentReferences(text: string): string[] {
  return [...new Set([...text.matchAll(/<include-fragment\b[^>]*\bfragment-id\s*=\s*"([^"]+)"/g)].map((m) => m[1]!))];
}
