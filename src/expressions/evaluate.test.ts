/**
 * Evaluation tests from the documentation examples and semantics quoted in POLICY-ENGINE.md §5, §6.1,
 * §6.3–§6.5, each with its documented result.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compileExpression, CsException, ExpressionError, toDisplayString, CsDateTime, JObject, type EvaluateOptions } from './index.js';
import { createTestContext, type TestContextOverrides } from './testing.js';

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0); // 2024-06-01T12:00:00Z
const OPTS: EvaluateOptions = { now: () => NOW, random: () => 0.25 };

function run(src: string, o: TestContextOverrides = {}, opts: EvaluateOptions = OPTS): unknown {
  return compileExpression(src).evaluate(createTestContext(o), opts);
}
/** Evaluates and renders with .NET ToString() semantics (what set-header/set-body would emit). */
function text(src: string, o: TestContextOverrides = {}): string {
  return toDisplayString(run(src, o));
}
function throwsCs(src: string, type: string, message?: string | RegExp, o: TestContextOverrides = {}): void {
  let caught: unknown;
  try {
    run(src, o);
  } catch (e) {
    caught = e;
  }
  expect(caught, src).toBeInstanceOf(CsException);
  expect((caught as CsException).type).toBe(type);
  if (message !== undefined) expect((caught as CsException).message).toMatch(message);
}
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const JWT = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ sub: 'user-42', iss: 'https://login.example.com/', aud: ['api://payments', 'api://other'], exp: 1717243200, nbf: 1717239600, jti: 'abc', roles: ['Payments.Write', 'Payments.Read'], scp: 'read' })}.sig`;

describe('§6.1 documentation examples', () => {
  it('@(true)', () => {
    expect(run('@(true)')).toBe(true);
    expect(text('@(true)')).toBe('True');
  });
  it('@((1+1).ToString())', () => expect(run('@((1+1).ToString())')).toBe('2'));
  it('@("Hi There".Length)', () => expect(run('@("Hi There".Length)')).toBe(8));
  const maxAge = '@(Regex.Match(context.Response.Headers.GetValueOrDefault("Cache-Control",""), @"max-age=(?<maxAge>\\d+)").Groups["maxAge"]?.Value)';
  it('Regex max-age from Cache-Control', () => {
    expect(run(maxAge, { response: { headers: { 'Cache-Control': 'public, max-age=3600' } } })).toBe('3600');
    expect(run(maxAge, { response: { headers: {} } })).toBe('');
  });
  const ternary = '@(context.Variables.ContainsKey("maxAge") ? int.Parse((string)context.Variables["maxAge"]) : 3600)';
  it('ContainsKey ? int.Parse((string)Variables[..]) : 3600', () => {
    expect(run(ternary, { variables: { maxAge: '120' } })).toBe(120);
    expect(run(ternary)).toBe(3600);
  });
  const basic = '@{ string[] value; if (context.Request.Headers.TryGetValue("Authorization", out value)) { if(value != null && value.Length > 0) { return Encoding.UTF8.GetString(Convert.FromBase64String(value[0])); } } return null; }';
  it('TryGetValue(out value) + Base64 decode', () => {
    expect(run(basic, { headers: { Authorization: Buffer.from('ada:s3cret').toString('base64') } })).toBe('ada:s3cret');
    expect(run(basic, { headers: {} })).toBe(null);
  });
});

describe('§6.3 the context object', () => {
  it('Headers.GetValueOrDefault is case-insensitive and joins values with ","', () => {
    expect(run('@(context.Request.Headers.GetValueOrDefault("x-request-id","none"))', { headers: { 'X-Request-ID': 'r-1' } })).toBe('r-1');
    expect(run('@(context.Request.Headers.GetValueOrDefault("Accept",""))', { headers: { Accept: ['text/plain', 'application/json'] } })).toBe('text/plain,application/json');
    expect(run('@(context.Request.Headers.GetValueOrDefault("missing","d"))')).toBe('d');
  });
  it('one-argument GetValueOrDefault returns null when absent', () => {
    expect(run('@(context.Request.Headers.GetValueOrDefault("X-Nope"))')).toBe(null);
  });
  it('the corpus JWT-claim chain with ?. and ?[]', () => {
    const src = '@(context.Request.Headers.GetValueOrDefault("Authorization")?.Split(\' \')?[1].AsJwt()?.Claims["sub"].FirstOrDefault())';
    expect(run(src, { headers: { Authorization: `Bearer ${JWT}` } })).toBe('user-42');
    expect(run(src, { headers: {} })).toBe(null);
  });
  it('Url.Query.GetValueOrDefault, Path, QueryString, ToString', () => {
    expect(run('@(context.Request.Url.Query.GetValueOrDefault("currency", ""))')).toBe('EUR');
    expect(run('@(context.Request.OriginalUrl.Path + context.Request.OriginalUrl.QueryString)')).toBe('/payments/v1/payments?currency=EUR&amount=10');
    expect(text('@(context.Request.OriginalUrl)')).toBe('https://contoso.azure-api.net/payments/v1/payments?currency=EUR&amount=10');
    expect(run('@(context.Request.OriginalUrl.Host)')).toBe('contoso.azure-api.net');
  });
  it('MatchedParameters indexer and GetValueOrDefault', () => {
    expect(run('@(context.Request.MatchedParameters["id"])', { matchedParameters: { id: '42' } })).toBe('42');
    expect(run('@(context.Request.MatchedParameters.GetValueOrDefault("x", "none"))')).toBe('none');
  });
  it('Variables.GetValueOrDefault<T> returns the default when missing, casts when present', () => {
    expect(run('@(context.Variables.GetValueOrDefault<string>("x", "fallback"))')).toBe('fallback');
    expect(run('@(context.Variables.GetValueOrDefault<string>("x"))', { variables: { x: 'v' } })).toBe('v');
    expect(run('@(context.Variables.GetValueOrDefault<bool>("flag"))')).toBe(false);
    expect(run('@(context.Variables.GetValueOrDefault("x", "d"))')).toBe('d');
  });
  it('Variables.GetValueOrDefault<T> throws on a type mismatch (docs, not the toolkit emulator)', () => {
    throwsCs('@(context.Variables.GetValueOrDefault<int>("s"))', 'InvalidCastException', "Unable to cast object of type 'System.String' to type 'System.Int32'.", { variables: { s: '10' } });
  });
  it('Variables["missing"] throws KeyNotFoundException', () => {
    throwsCs('@(context.Variables["missing"])', 'KeyNotFoundException', "The given key 'missing' was not present in the dictionary.");
  });
  it('Variables.TryGetValue with out var', () => {
    expect(run('@{ if (context.Variables.TryGetValue("k", out var v)) { return (string)v; } return "none"; }', { variables: { k: 'yes' } })).toBe('yes');
    expect(run('@{ if (context.Variables.TryGetValue("k", out var v)) { return (string)v; } return "none"; }')).toBe('none');
  });
  it('Subscription/User/Product/Deployment/LastError/Response members', () => {
    expect(run('@(context.Subscription == null ? "anonymous" : context.Subscription.Name)', { subscription: null })).toBe('anonymous');
    expect(run('@(context.Subscription.Key)')).toBe('key-primary');
    expect(run('@(context.User.Email)')).toBe('ada@example.com');
    expect(run('@(context.Product.Name)')).toBe('Premium');
    expect(run('@(context.Deployment.Region)')).toBe('West Europe');
    expect(run('@(context.Api.Id + "/" + context.Operation.Id)')).toBe('payments-api/create-payment');
    expect(run('@(context.LastError.Source + ":" + context.LastError.Reason)', { lastError: { Source: 'validate-jwt', Reason: 'TokenExpired', Message: 'x', Scope: 'api', Section: 'inbound', Path: '', PolicyId: '' } })).toBe('validate-jwt:TokenExpired');
    expect(run('@(context.Response.StatusCode >= 400)', { response: { statusCode: 404 } })).toBe(true);
  });
  it('RequestId, Timestamp, Elapsed', () => {
    expect(run('@(context.RequestId.ToString())')).toBe('6f1e9a3c-52b4-4d0e-9f7a-1c2d3e4f5a6b');
    expect(run('@(context.Timestamp.ToString("o"))')).toBe('2024-06-01T12:00:00.0000000Z');
    expect(text('@(context.Elapsed.TotalMilliseconds)', { elapsedMs: 15 })).toBe('15');
  });
  it('context.Trace(message) reaches the host', () => {
    const ctx = createTestContext();
    compileExpression('@{ context.Trace("hello " + context.Request.Method); context.Trace("src", "two"); return true; }').evaluate(ctx);
    expect(ctx.traces).toEqual([{ source: undefined, message: 'hello POST' }, { source: 'src', message: 'two' }]);
  });
  it('Body.As<T>() consumes the body unless preserveContent: true', () => {
    const ctx = createTestContext({ body: '{"amount":10}' });
    const read = compileExpression('@(context.Request.Body.As<string>())');
    const keep = compileExpression('@(context.Request.Body.As<string>(preserveContent: true))');
    expect(keep.evaluate(ctx)).toBe('{"amount":10}');
    expect(keep.evaluate(ctx)).toBe('{"amount":10}');
    expect(read.evaluate(ctx)).toBe('{"amount":10}');
    expect((ctx.Request.Body as { consumed: boolean }).consumed).toBe(true);
    expect(read.evaluate(ctx)).toBe('');
  });
  it('Body is null without a body: reading it throws NullReferenceException (set-body on a GET)', () => {
    throwsCs('@(context.Request.Body.As<JObject>())', 'NullReferenceException', 'Object reference not set to an instance of an object.', { method: 'GET', body: null });
  });
  it('context members are read-only', () => {
    expect(() => compileExpression('@{ context.Variables["x"] = 1; return 1; }')).toThrow(/read only/);
  });
});

describe('§6.4 helper types', () => {
  it('AsBasic / TryParseBasic', () => {
    const h = { Authorization: `Basic ${Buffer.from('ada:pa:ss').toString('base64')}` };
    expect(run('@(context.Request.Headers.GetValueOrDefault("Authorization","").AsBasic().UserId)', { headers: h })).toBe('ada');
    expect(run('@(context.Request.Headers.GetValueOrDefault("Authorization","").AsBasic().Password)', { headers: h })).toBe('pa:ss');
    expect(run('@{ BasicAuthCredentials c; return "Bearer x".TryParseBasic(out c) ? c.UserId : "invalid"; }')).toBe('invalid');
  });
  it('AsJwt: Subject, Issuer, Audiences, ExpirationTime, Id, Algorithm (decode only)', () => {
    const o = { headers: { Authorization: `Bearer ${JWT}` } };
    const jwt = 'context.Request.Headers.GetValueOrDefault("Authorization","").Split(\' \')[1].AsJwt()';
    expect(run(`@(${jwt}.Subject)`, o)).toBe('user-42');
    expect(run(`@(${jwt}.Issuer)`, o)).toBe('https://login.example.com/');
    expect(run(`@(string.Join(";", ${jwt}.Audiences))`, o)).toBe('api://payments;api://other');
    expect(run(`@(${jwt}.ExpirationTime.Value.ToString("yyyy-MM-ddTHH:mm:ssZ"))`.replace('.Value', ''), o)).toBe('2024-06-01T12:00:00Z');
    expect(run(`@(${jwt}.Id + "/" + ${jwt}.Algorithm)`, o)).toBe('abc/RS256');
  });
  it('Jwt.Claims.GetValueOrDefault joins multi-valued claims with ","', () => {
    expect(run(`@("${JWT}".AsJwt().Claims.GetValueOrDefault("roles", ""))`)).toBe('Payments.Write,Payments.Read');
    expect(run(`@("${JWT}".AsJwt().Claims["roles"].Contains("Payments.Write"))`)).toBe(true);
  });
  it('AsJwt on a non-JWT is null; TryParseJwt is false', () => {
    expect(run('@("not-a-jwt".AsJwt() == null)')).toBe(true);
    expect(run('@{ Jwt j; return "x.y".TryParseJwt(out j); }')).toBe(false);
  });
  it('Encrypt/Decrypt with "Aes" (CBC, PKCS7) round-trip', () => {
    const src = '@{ var key = Convert.FromBase64String("MDEyMzQ1Njc4OWFiY2RlZg=="); var iv = new byte[16]; var enc = Encoding.UTF8.GetBytes("secret text").Encrypt("Aes", key, iv); return Encoding.UTF8.GetString(enc.Decrypt("Aes", key, iv)) + "|" + enc.Length; }';
    expect(run(src)).toBe('secret text|16');
  });
});

describe('§6.5 semantics that trip re-implementations', () => {
  it('(string) on a non-string variable is a CLR cast: InvalidCastException', () => {
    throwsCs('@((string)context.Variables["n"])', 'InvalidCastException', "Unable to cast object of type 'System.Int32' to type 'System.String'.", { variables: { n: 5 } });
  });
  it('(int) on a boxed long throws (no unboxing conversion)', () => {
    throwsCs('@((int)context.Variables["n"])', 'InvalidCastException', /System.Int64.*System.Int32/, { variables: { n: 5n } });
    expect(run('@((int)context.Variables["n"])', { variables: { n: 5 } })).toBe(5);
  });
  it('set-variable literals are strings: value="10" stores "10"', () => {
    expect(run('@(int.Parse((string)context.Variables["n"]) + 1)', { variables: { n: '10' } })).toBe(11);
  });
  it('Newtonsoft explicit conversions (string)/(int)/(bool) on JTokens', () => {
    const body = '{"name":"ada","count":3,"active":true,"nested":{"x":1},"nothing":null}';
    expect(run('@((string)context.Request.Body.As<JObject>()["name"])', { body })).toBe('ada');
    expect(run('@((int)context.Request.Body.As<JObject>()["count"] + 1)', { body })).toBe(4);
    expect(run('@((bool)context.Request.Body.As<JObject>()["active"])', { body })).toBe(true);
    expect(run('@((string)context.Request.Body.As<JObject>()["missing"])', { body })).toBe(null);
    expect(run('@((string)context.Request.Body.As<JObject>()["count"])', { body })).toBe('3');
    throwsCs('@((string)context.Request.Body.As<JObject>()["nested"])', 'ArgumentException', 'Can not convert Object to String.', { body });
  });
  it('JObject.ToString() is indented JSON (2 spaces, CRLF); Formatting.None is compact', () => {
    const src = '@(new JObject(new JProperty("a", 1), new JProperty("b", new JArray("x", true))).ToString())';
    expect(run(src)).toBe('{\r\n  "a": 1,\r\n  "b": [\r\n    "x",\r\n    true\r\n  ]\r\n}');
    expect(run('@(JObject.Parse("{ \\"a\\" : [1, 2.5] }").ToString(Newtonsoft.Json.Formatting.None))')).toBe('{"a":[1,2.5]}');
  });
  it('JsonConvert.SerializeObject is compact', () => {
    expect(run('@(JsonConvert.SerializeObject(new { id = 1, name = "x", ok = true }))')).toBe('{"id":1,"name":"x","ok":true}');
  });
  it('JObject indexers return null for a missing property; .ToString() on it throws', () => {
    expect(run('@(JObject.Parse("{}")["x"] == null)')).toBe(true);
    throwsCs('@(JObject.Parse("{}")["x"].ToString())', 'NullReferenceException');
  });
  it('string methods: Split, RemoveEmptyEntries, Replace, Substring, Equals(OrdinalIgnoreCase), IndexOf, Trim', () => {
    expect(run('@("Bearer abc".Split(\' \')[1])')).toBe('abc');
    expect(run('@("a,,b,".Split(new[]{\',\'}, StringSplitOptions.RemoveEmptyEntries).Length)')).toBe(2);
    expect(run('@("a-b-c".Replace("-", "+").Substring(2))')).toBe('b+c');
    expect(run('@("POST".Equals("post", StringComparison.OrdinalIgnoreCase))')).toBe(true);
    expect(run('@("hello".IndexOf("l") + "  x ".Trim().Length)')).toBe(3);
    expect(run('@("ABC".ToLowerInvariant().StartsWith("ab"))')).toBe(true);
  });
  it('string.Format / Join / Concat / Empty / IsNullOrEmpty', () => {
    expect(run('@(string.Format("{0} {1}", "a", 42))')).toBe('a 42');
    expect(run('@(String.Format("{0:D4}|{1,5}|{2:N2}", 7, "x", 1234.5))')).toBe('0007|    x|1,234.50');
    expect(run('@(string.Join(",", new string[] { "a", "b" }) + string.Concat("c", 1) + string.Empty)')).toBe('a,bc1');
    expect(run('@(string.IsNullOrEmpty(context.Variables.GetValueOrDefault<string>("missing")))')).toBe(true);
  });
  it('== on strings is ordinal', () => {
    expect(run('@("A" == "a")')).toBe(false);
    expect(run('@(context.Request.Method == "POST")')).toBe(true);
  });
  it('operator precedence: * before +, && before ||', () => {
    expect(run('@(2 + 3 * 4)')).toBe(14);
    expect(run('@(10 - 2 - 3)')).toBe(5);
    expect(run('@(true || false && false)')).toBe(true);
    expect(run('@(1 + 2 == 3 && "a" + "b" == "ab")')).toBe(true);
  });
  it('integer division, int32 wrap-around, and double arithmetic', () => {
    expect(run('@(7 / 2)')).toBe(3);
    expect(run('@(-7 / 2)')).toBe(-3);
    expect(run('@(int.MaxValue + 1)')).toBe(-2147483648);
    expect(text('@(5.0 / 2)')).toBe('2.5');
    expect(text('@(7 % 3 + 0.5)')).toBe('1.5');
    expect(text('@(10.0)')).toBe('10');
    throwsCs('@(1 / (context.Variables.Count))', 'DivideByZeroException', 'Attempted to divide by zero.');
  });
  it('int.Parse throws FormatException on bad input', () => {
    throwsCs('@(int.Parse("abc"))', 'FormatException');
  });
  it('Math.Round is banker\'s rounding by default', () => {
    expect(text('@(Math.Round(2.5))')).toBe('2');
    expect(text('@(Math.Round(3.5))')).toBe('4');
    expect(text('@(Math.Round(2.5, MidpointRounding.AwayFromZero))')).toBe('3');
    expect(text('@(Math.Round(1.2345, 2))')).toBe('1.23');
  });
  it('Random.Next(a, b) has an exclusive upper bound; NextDouble in [0,1)', () => {
    for (const r of [0, 0.5, 0.999999]) {
      const v = compileExpression('@(new Random().Next(1, 3))').evaluate(createTestContext(), { random: () => r }) as number;
      expect(v).toBeGreaterThanOrEqual(1);
      expect(v).toBeLessThan(3);
    }
    expect(text('@(new Random().NextDouble())')).toBe('0.25');
  });
  it('DateTime.UtcNow / DateTimeOffset.ToUnixTimeSeconds / AddSeconds / custom formats (injected clock)', () => {
    expect(run('@(DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"))')).toBe('2024-06-01T12:00:00Z');
    expect(run('@(DateTimeOffset.UtcNow.ToUnixTimeSeconds())')).toBe(1717243200n);
    expect(run('@(DateTime.UtcNow.AddSeconds(90).ToString("o"))')).toBe('2024-06-01T12:01:30.0000000Z');
    expect(run('@(DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd"))')).toBe('2024-05-31');
    expect(text('@(DateTime.UtcNow)')).toBe('6/1/2024 12:00:00 PM');
    expect(run('@(DateTimeOffset.FromUnixTimeMilliseconds(1717243200000).ToString("o"))')).toBe('2024-06-01T12:00:00.0000000+00:00');
  });
  it('Encoding/Convert/HMACSHA256/BitConverter', () => {
    const key = 'c2VjcmV0';
    const expected = createHmac('sha256', Buffer.from(key, 'base64')).update('payload').digest('base64');
    expect(run(`@(Convert.ToBase64String(new HMACSHA256(Convert.FromBase64String("${key}")).ComputeHash(Encoding.UTF8.GetBytes("payload"))))`)).toBe(expected);
    expect(run('@(BitConverter.ToString(new byte[] { 171, 205, 1 }))')).toBe('AB-CD-01');
    expect(run('@(Convert.ToBase64String(Encoding.UTF8.GetBytes("hi")))')).toBe('aGk=');
    expect(run('@(System.Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("hi")))')).toBe('aGk=');
    throwsCs('@(Convert.FromBase64String("***"))', 'FormatException');
  });
  it('Uri.EscapeDataString vs WebUtility.UrlEncode (spaces → +)', () => {
    expect(run('@(Uri.EscapeDataString("a b&c"))')).toBe('a%20b%26c');
    expect(run('@(System.Net.WebUtility.UrlEncode("a b&c"))')).toBe('a+b%26c');
    expect(run('@(System.Net.WebUtility.UrlDecode("a+b%26c"))')).toBe('a b&c');
    expect(run('@(System.Net.WebUtility.HtmlEncode("<a>"))')).toBe('&lt;a&gt;');
  });
  it('Guid.NewGuid (injected randomness), Guid.Parse, ToString("N")', () => {
    expect(run('@(Guid.NewGuid().ToString())')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(run('@(Guid.Parse("6F1E9A3C-52B4-4D0E-9F7A-1C2D3E4F5A6B").ToString("N"))')).toBe('6f1e9a3c52b44d0e9f7a1c2d3e4f5a6b');
  });
  it('null-conditional and null-coalescing', () => {
    expect(run('@(context.Variables.GetValueOrDefault<string>("x")?.Length)')).toBe(null);
    expect(run('@(context.Variables.GetValueOrDefault<string>("x")?.ToUpper().Trim() ?? "none")')).toBe('none');
  });
  it('string concatenation with null and with objects uses ToString()', () => {
    expect(run('@("a" + null + 1 + true)')).toBe('a1True');
    expect(run('@("a" + \'b\')')).toBe('ab');
    expect(run("@('a' + 1)")).toBe(98);
  });
  it('&& and || short-circuit', () => {
    expect(run('@(context.Variables.ContainsKey("x") && ((string)context.Variables["x"]).Length > 0)')).toBe(false);
    expect(run('@(true || ((string)null).Length > 0)')).toBe(true);
  });
});

describe('statement blocks', () => {
  it('if/else, foreach, for, while, switch, break/continue, ++, compound assignment', () => {
    expect(run('@{ var total = 0; foreach (var n in new[] { 1, 2, 3, 4 }) { if (n == 3) { continue; } total += n; } return total; }')).toBe(7);
    expect(run('@{ int i = 0; for (int j = 0; j < 10; j++) { if (j > 4) break; i++; } return i; }')).toBe(5);
    expect(run('@{ var s = ""; switch (context.Request.Method) { case "GET": s = "read"; break; case "POST": case "PUT": s = "write"; break; default: s = "other"; break; } return s; }')).toBe('write');
    expect(run('@{ int x = 1; while (x < 100) { x *= 3; } return x; }')).toBe(243);
  });
  it('try/catch catches .NET exceptions by type; throw raises them', () => {
    expect(run('@{ try { var v = context.Variables["nope"]; return "found"; } catch (KeyNotFoundException e) { return "missing: " + e.Message; } }')).toBe("missing: The given key 'nope' was not present in the dictionary.");
    expect(run('@{ try { throw new InvalidOperationException("boom"); } catch (Exception ex) { return ex.Message; } finally { context.Trace("done"); } }')).toBe('boom');
    throwsCs('@{ throw new ArgumentException("bad input"); }', 'ArgumentException', 'bad input');
  });
  it('local functions (with recursion)', () => {
    expect(run('@{ int Fact(int n) { return n <= 1 ? 1 : n * Fact(n - 1); } return Fact(5); }')).toBe(120);
  });
  it('falling off the end is a compile error (CS0161)', () => {
    expect(() => compileExpression('@{ if (true) { return 1; } }')).toThrow(/Not all code paths return a value/);
  });
});

describe('LINQ, lambdas and collections', () => {
  it('Where/Select/Any/All/First/Count/OrderBy/Distinct/Concat/ToArray/ToList', () => {
    expect(run('@(string.Join(",", new[] { 3, 1, 2, 3 }.Distinct().OrderBy(x => x).Select(x => x * 10)))')).toBe('10,20,30');
    expect(run('@(new[] { "a", "bb", "ccc" }.Where(s => s.Length > 1).Count())')).toBe(2);
    expect(run('@(new[] { "a", "bb" }.Any(s => s == "bb") && new[] { 1, 2 }.All(n => n > 0))')).toBe(true);
    expect(run('@(new List<string> { "x", "y" }.Concat(new[] { "z" }).ToArray().Length)')).toBe(3);
    expect(run('@(context.Request.Headers.Any(h => h.Key == "Accept"))')).toBe(true);
    expect(run('@(new[] { 5, 6 }.FirstOrDefault(n => n > 10))')).toBe(null);
    throwsCs('@(new int[0].First())', 'InvalidOperationException', 'Sequence contains no elements');
  });
  it('Dictionary with collection initializer, ContainsKey, TryGetValue', () => {
    expect(run('@{ var d = new Dictionary<string, string> { { "a", "1" }, { "b", "2" } }; d["c"] = "3"; string v; return d.TryGetValue("b", out v) ? v + d.Count : "no"; }')).toBe('23');
  });
});

describe('JSON bodies', () => {
  it('a JObject body rewrite', () => {
    const src = '@{ var body = context.Request.Body.As<JObject>(); body["currency"] = "USD"; body.Remove("debug"); body.Add("requestId", context.RequestId.ToString()); return body.ToString(Newtonsoft.Json.Formatting.None); }';
    expect(run(src, { body: '{"amount":10,"currency":"EUR","debug":true}' })).toBe('{"amount":10,"currency":"USD","requestId":"6f1e9a3c-52b4-4d0e-9f7a-1c2d3e4f5a6b"}');
  });
  it('SelectToken, Value<T>, ToObject<T>, JArray', () => {
    const body = '{"items":[{"name":"a","qty":2},{"name":"b","qty":5}],"meta":{"total":7}}';
    expect(run('@((string)context.Request.Body.As<JObject>().SelectToken("$.items[1].name"))', { body })).toBe('b');
    expect(run('@(context.Request.Body.As<JObject>()["meta"].Value<int>("total"))', { body })).toBe(7);
    expect(run('@(context.Request.Body.As<JObject>().SelectToken("meta.total").ToObject<int>())', { body })).toBe(7);
    expect(run('@(((JArray)context.Request.Body.As<JObject>()["items"]).Sum(i => (int)i["qty"]))', { body })).toBe(7);
    throwsCs('@((JArray)context.Request.Body.As<JObject>()["meta"])', 'InvalidCastException', "Unable to cast object of type 'Newtonsoft.Json.Linq.JObject' to type 'Newtonsoft.Json.Linq.JArray'.", { body });
  });
  it('XElement basics', () => {
    expect(run('@(XElement.Parse("<a><b id=\\"1\\">x</b><b id=\\"2\\">y</b></a>").Descendants("b").Last().Attribute("id").Value)')).toBe('2');
  });
});

describe('formatting and display (toDisplayString)', () => {
  it('bools, numbers, null, dates, byte[], JObject, interpolation with format specifiers', () => {
    expect(toDisplayString(false)).toBe('False');
    expect(toDisplayString(null)).toBe('');
    expect(toDisplayString(new Uint8Array([1]))).toBe('System.Byte[]');
    expect(toDisplayString(CsDateTime.fromParts(2024, 3, 5, 14, 7, 9))).toBe('3/5/2024 2:07:09 PM');
    expect(toDisplayString(JObject.prototype instanceof Object ? run('@(JObject.Parse("{}"))') : null)).toBe('{}');
    expect(run('@($"{DateTime.UtcNow:yyyy}-{42:D5}|{"x",-3}|")')).toBe('2024-00042|x  |');
    expect(text('@(1.0 / 3)')).toBe('0.3333333333333333');
    expect(text('@(1e21)')).toBe('1E+21');
  });
});

describe('limits and compile-time errors', () => {
  it('an infinite loop hits the iteration limit instead of hanging', () => {
    throwsCs('@{ while (true) { } }', 'ExpressionLimitExceededException', /limit of 1000000 loop iterations/);
  });
  it('the time limit uses the injected monotonic clock', () => {
    let t = 0;
    const e = compileExpression('@{ var i = 0; while (true) { i++; } }');
    expect(() => e.evaluate(createTestContext(), { monotonic: () => (t += 5), timeoutMs: 100, maxIterations: 1e9 })).toThrow(/time limit/);
  });
  it('unknown members on a statically known type are E_UNSUPPORTED with the member position', () => {
    try {
      compileExpression('@("abc".Frobnicate())', { file: 'policy.xml', line: 3, column: 10 });
      expect.unreachable();
    } catch (e) {
      const x = e as ExpressionError;
      expect(x.exprCode).toBe('E_UNSUPPORTED');
      expect(`${x.line}:${x.column}`).toBe('3:18');
      expect(x.format()).toContain('policy.xml:3:18');
      expect(x.format()).toContain('^~~~~~~~~~');
    }
    expect(() => compileExpression('@(context.Request.Nope)')).toThrow(/'IRequest' does not contain a definition for 'Nope'/);
  });
  it('types outside the allow-list are rejected; no eval/Function is reachable', () => {
    expect(() => compileExpression('@(System.IO.File.ReadAllText("x"))')).toThrow(ExpressionError);
    expect(() => compileExpression('@(Environment.GetEnvironmentVariable("PATH"))')).toThrow(/not allowed/);
    expect(() => compileExpression('@(context.Request.Headers.constructor)')).toThrow(/does not contain a definition for 'constructor'/);
    expect(() => compileExpression('@("x".constructor.constructor("return process")())')).toThrow(ExpressionError);
    throwsCs('@(((object)context.Request).constructor)', 'MissingMemberException');
    throwsCs('@(context.Variables["o"].__proto__)', 'MissingMemberException', undefined, { variables: { o: 'x' } });
    throwsCs('@(context.Variables["o"].toString())', 'MissingMemberException', undefined, { variables: { o: 'x' } });
  });
  it('AST size and depth limits', () => {
    expect(() => compileExpression(`@(${'('.repeat(500)}1${')'.repeat(500)})`)).toThrow(/nested too deeply/);
    expect(() => compileExpression(`@(${Array.from({ length: 30000 }, () => '1').join('+')})`)).toThrow(/too large|nested too deeply/);
  });
});

describe('Newtonsoft date parsing (DateParseHandling.DateTime)', () => {
  const body = '{"created":"2024-01-15T10:00:00Z","local":"2024-01-15T12:30:00+02:00","plain":"2024-01-15","frac":"2024-01-15T10:00:00.1230000Z"}';
  it('ISO date strings become Date tokens: (string) prints invariant MM/dd/yyyy HH:mm:ss', () => {
    expect(run('@((string)context.Request.Body.As<JObject>()["created"])', { body })).toBe('01/15/2024 10:00:00');
    expect(run('@(context.Request.Body.As<JObject>()["created"].Type.ToString())', { body })).toBe('Date');
    expect(run('@((string)context.Request.Body.As<JObject>()["plain"])', { body })).toBe('2024-01-15');
    expect(run('@(((DateTime)context.Request.Body.As<JObject>()["local"]).ToString("o"))', { body })).toBe('2024-01-15T10:30:00.0000000+00:00');
  });
  it('re-serialises dates in ISO form (trailing zero fractions dropped)', () => {
    expect(run('@(context.Request.Body.As<JObject>().ToString(Newtonsoft.Json.Formatting.None))', { body })).toBe('{"created":"2024-01-15T10:00:00Z","local":"2024-01-15T10:30:00+00:00","plain":"2024-01-15","frac":"2024-01-15T10:00:00.123Z"}');
  });
});

describe('gateway helpers', () => {
  it('convertForAttribute turns results into bool/int/string attribute values', async () => {
    const { convertForAttribute } = await import('./index.js');
    expect(convertForAttribute(run('@(context.Request.Method == "POST")'), 'bool')).toBe(true);
    expect(convertForAttribute('true', 'bool')).toBe(true);
    expect(convertForAttribute(run('@(3600L)'), 'int')).toBe(3600);
    expect(convertForAttribute('42', 'int')).toBe(42);
    expect(convertForAttribute(run('@(1.5 > 1)'), 'string')).toBe('True');
    expect(() => convertForAttribute('maybe', 'bool')).toThrow(CsException);
  });
  it('isStorableVariable follows the set-variable type list (plus JSON tokens)', async () => {
    const { isStorableVariable } = await import('./index.js');
    expect(isStorableVariable(run('@(DateTime.UtcNow)'))).toBe(true);
    expect(isStorableVariable(run('@(JObject.Parse("{}"))'))).toBe(true);
    expect(isStorableVariable(run('@(new List<string>())'))).toBe(false);
  });
});

describe('nullable value types and static types', () => {
  it('HasValue/Value on DateTime? (Subscription.EndDate, Jwt.ExpirationTime)', () => {
    expect(run('@(context.Subscription.EndDate.HasValue)')).toBe(false);
    throwsCs('@(context.Subscription.EndDate.Value)', 'InvalidOperationException', 'Nullable object must have a value.');
    expect(run(`@("${JWT}".AsJwt().ExpirationTime.Value.Year)`)).toBe(2024);
  });
  it('DateTime - DateTime is a TimeSpan; float prints its shortest form', () => {
    expect(text('@((DateTime.UtcNow - DateTime.UtcNow.AddMinutes(-5)).TotalMinutes)')).toBe('5');
    expect(text('@((float)1.1)')).toBe('1.1');
  });
});

describe('runaway recursion', () => {
  it('unbounded local-function recursion is a .NET exception, not a crash', () => {
    let caught: unknown;
    try {
      run('@{ int F(int n) { return F(n + 1); } return F(0); }');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(CsException);
    expect(['InsufficientExecutionStackException', 'ExpressionLimitExceededException'], (caught as Error).message).toContain((caught as CsException).type);
  });
});

describe('Encrypt/Decrypt overloads (§6.4)', () => {
  it('with a SymmetricAlgorithm object, and .NET-compatible ciphertext', async () => {
    const { createCipheriv } = await import('node:crypto');
    const key = Buffer.alloc(32, 7);
    const iv = Buffer.alloc(16, 3);
    const ref = (() => { const c = createCipheriv('aes-256-cbc', key, iv); return Buffer.concat([c.update('hello'), c.final()]).toString('base64'); })();
    const k = key.toString('base64');
    const v = iv.toString('base64');
    expect(run(`@(Convert.ToBase64String(Encoding.UTF8.GetBytes("hello").Encrypt("Aes", Convert.FromBase64String("${k}"), Convert.FromBase64String("${v}"))))`)).toBe(ref);
    expect(run(`@{ var aes = SymmetricAlgorithm.Create("Aes"); aes.Key = Convert.FromBase64String("${k}"); aes.IV = Convert.FromBase64String("${v}"); var enc = Encoding.UTF8.GetBytes("hello").Encrypt(aes); return Convert.ToBase64String(enc) + "|" + Encoding.UTF8.GetString(enc.Decrypt(aes)); }`)).toBe(`${ref}|hello`);
    throwsCs(`@(Encoding.UTF8.GetBytes("x").Decrypt("Aes", Convert.FromBase64String("${k}"), Convert.FromBase64String("${v}")))`, 'CryptographicException', 'The input data is not a complete block.');
  });
});

describe('runtime exception positions', () => {
  it('CsException.where() points at the failing node inside the policy file', () => {
    const e = compileExpression('@{\n  var s = (string)context.Variables["n"];\n  return s;\n}', { file: 'apis/a/policy.xml', line: 10, column: 20 });
    let caught: CsException | undefined;
    try {
      e.evaluate(createTestContext({ variables: { n: 1 } }));
    } catch (err) {
      caught = err as CsException;
    }
    expect(caught?.type).toBe('InvalidCastException');
    expect(caught?.where()).toBe('apis/a/policy.xml:11:11');
  });
});

describe('compile-time warnings', () => {
  it('CS0252: object/JToken compared with a string literal', () => {
    const w = compileExpression('@(context.Variables["mode"] == "test")', { file: 'p.xml', line: 4, column: 7 }).warnings;
    expect(w).toHaveLength(1);
    expect(w[0]).toMatchObject({ code: 'CS0252', file: 'p.xml', line: 4, column: 9 });
    expect(compileExpression('@(context.Request.Body.As<JObject>()["a"] != "x")').warnings[0]?.code).toBe('CS0252');
    expect(compileExpression('@((string)context.Variables["mode"] == "test")').warnings).toEqual([]);
  });
});

describe('casts from object are CLR casts, not Newtonsoft conversions', () => {
  it('(string) on a variable holding a JValue throws; on a JToken expression it converts', () => {
    const tok = run('@(JObject.Parse("{\\"a\\":\\"x\\"}")["a"])');
    throwsCs('@((string)context.Variables["tok"])', 'InvalidCastException', "Unable to cast object of type 'Newtonsoft.Json.Linq.JValue' to type 'System.String'.", { variables: { tok } });
    throwsCs('@(context.Variables.GetValueOrDefault<string>("tok"))', 'InvalidCastException', undefined, { variables: { tok } });
    expect(run('@((string)((JToken)context.Variables["tok"]))', { variables: { tok } })).toBe('x');
  });
});
