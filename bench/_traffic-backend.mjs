// A small JSON backend on 127.0.0.1 for the benchmarks; prints its URL on stdout.
import { createServer } from 'node:http';
const body = JSON.stringify({ id: 'pay-1001', amount: 42, currency: 'EUR', status: 'settled' });
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
