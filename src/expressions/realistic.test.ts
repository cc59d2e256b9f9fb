/** Expressions in the style of the AI-Gateway corpus (POLICY-ENGINE.md §6.7 counts), with their .NET results. */
import { describe, expect, it } from 'vitest';
import { compileExpression, toDisplayString } from './index.js';
import { createTestContext } from './testing.js';

const body = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }], stream: false, data: [{ id: 'a' }, { id: 'b' }], usage: { total_tokens: 42, prompt: null } });
const ctx = () =>
  createTestContext({ body, variables: { tokens: '10' }, matchedParameters: { 'deployment-id': 'gpt4' }, headers: { Authorization: 'Bearer tok', 'api-key': 'abcdefgh' }, response: { statusCode: 429, body } });

const CASES: [string, string][] = [
  ['@(context.Request.Body.As<JObject>(preserveContent: true)["messages"].ToString())', '[\r\n  {\r\n    "role": "user",\r\n    "content": "hi"\r\n  }\r\n]'],
  ['@(context.Request.Body.As<JObject>(true)["usage"]["total_tokens"].Value<int>())', '42'],
  ['@(context.Request.Body.As<JObject>(true).SelectToken("data[1].id").ToString())', 'b'],
  ['@(string.Join(",", context.Request.Body.As<JObject>(true)["data"].Select(x => (string)x["id"]).ToArray()))', 'a,b'],
  ['@(string.Join("|", context.Request.Body.As<JObject>(true).Properties().Select(p => p.Name)))', 'model|messages|stream|data|usage'],
  ['@(context.Request.Body.As<JObject>(true)["usage"]["prompt"].Type == JTokenType.Null)', 'True'],
  ['@{ var n = 0; foreach (JObject item in (JArray)context.Request.Body.As<JObject>(true)["data"]) { n += ((string)item["id"]).Length; } return n; }', '2'],
  ['@(Convert.ToInt32(context.Variables["tokens"]) * 2)', '20'],
  ['@(context.Request.Headers.GetValueOrDefault("Authorization", "").Replace("Bearer ", ""))', 'tok'],
  ['@(context.Request.Headers.GetValueOrDefault("api-key", "").Substring(0, 4) + "****")', 'abcd****'],
  ['@(context.Request.MatchedParameters["deployment-id"])', 'gpt4'],
  ['@(context.Response.StatusCode == 429 ? "throttled" : "ok")', 'throttled'],
  ['@(new JObject(new JProperty("model", "gpt-4"), new JProperty("stream", false)).ToString(Newtonsoft.Json.Formatting.None))', '{"model":"gpt-4","stream":false}'],
  ['@(context.Variables.GetValueOrDefault<int>("retry", 0) + 1)', '1'],
  ['@(context.Request.Body.As<JObject>(true)["stream"].Value<bool>())', 'False'],
  ['@(context.Response.Body.As<JObject>(preserveContent: true)["usage"]?["total_tokens"]?.ToString() ?? "0")', '42'],
  ['@(context.Request.Body.As<JObject>(true)["messages"].Last()["content"].ToString())', 'hi'],
  ['@(context.Request.Body.As<JObject>(true)["messages"].Any(m => m["role"].ToString() == "system"))', 'False'],
  ['@(context.Request.Headers.ContainsKey("API-KEY") && !string.IsNullOrWhiteSpace(context.Request.Headers["api-key"][0]))', 'True'],
  ['@((int)context.Request.Body.As<JObject>(true)["usage"]["total_tokens"] > 40)', 'True'],
  ['@(context.Request.Url.Query.GetValueOrDefault("api-version", "2024-02-01"))', '2024-02-01'],
  ['@(context.Request.OriginalUrl.Path.TrimEnd(\'/\').Split(\'/\').Last())', 'payments'],
  ['@{ var list = new List<string>(); list.Add("a"); list.AddRange(new[] { "b", "c" }); return string.Join("-", list); }', 'a-b-c'],
  ['@(TimeSpan.FromSeconds(90).ToString())', '00:01:30'],
  ['@(context.Timestamp.AddHours(1).ToString("HH:mm"))', '13:00'],
  ['@(((double)3 / 4).ToString("P0"))', '75 %'],
  ['@(1234567.891.ToString("N2"))', '1,234,567.89'],
  ['@{ string[] parts = "a=1;b=2".Split(\';\'); var d = new Dictionary<string, string>(); foreach (var p in parts) { var kv = p.Split(\'=\'); d[kv[0]] = kv[1]; } return d["b"]; }', '2'],
];

describe('AI-Gateway-style expressions', () => {
  for (const [src, expected] of CASES) {
    it(src, () => expect(toDisplayString(compileExpression(src).evaluate(ctx()))).toBe(expected));
  }
});

describe('enumerating a JObject', () => {
  it('foreach (var p in jobject) gives Key/Value pairs', () => {
    const src = '@{ var parts = new List<string>(); foreach (var p in JObject.Parse("{\\"a\\":1,\\"b\\":\\"x\\"}")) { parts.Add(p.Key + "=" + p.Value.ToString()); } return string.Join("&", parts); }';
    expect(compileExpression(src).evaluate(ctx())).toBe('a=1&b=x');
  });
});
