// The baseline: a bare undici proxy (`stream()`), no policies. Prints its URL on stdout.
import { createServer } from 'node:http';
import { Agent, stream } from 'undici';
const target = process.argv[2];
const agent = new Agent({ connections: 128, pipelining: 1, keepAliveTimeout: 60_000 });
const server = createServer((req, res) => {
  const headers = { ...req.headers };
  delete headers.host;
  delete headers.connection;
  stream(
    new URL(req.url, target),
    { method: req.method, headers, body: req.method === 'GET' || req.method === 'HEAD' ? null : req, dispatcher: agent },
    ({ statusCode, headers: h }) => {
      delete h.connection;
      delete h['keep-alive'];
      delete h['transfer-encoding'];
      res.writeHead(statusCode, h);
      return res;
    },
  ).catch(() => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
