// HTTP load driver for benchmarks, run as its own process so the client's cost is not
// charged to the server under test (real clients are other processes). Like wrk, it
// speaks HTTP/1.1 over raw keep-alive sockets: node's http client costs more per request
// than the servers measured here, so with it the figure would be the client's.
// Reads one JSON job on stdin: { base, concurrency, requests: [{ method, path, body? }] }
// (one request in flight per connection, `concurrency` connections) and prints one
// JSON line: { rate (requests/s), seconds, bodies (the response bodies, in order) }.
// Responses must carry content-length (fastify's do); any status but 200 is an error.
import net from 'node:net';

let input = '';
for await (const d of process.stdin) input += d;
const { base, concurrency, requests } = JSON.parse(input);
const url = new URL(base);
const bodies = new Array(requests.length);

function encode(r) {
  const body = r.body === undefined ? '' : r.body;
  const head = `${r.method} ${r.path} HTTP/1.1\r\nhost: ${url.host}\r\n` +
    (r.body === undefined ? '' : `content-type: application/vnd.schemaregistry.v1+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`) + '\r\n';
  return head + body;
}

let next = 0;
function connection() {
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(url.port), url.hostname);
    sock.setNoDelay(true);
    let buf = Buffer.alloc(0);
    let current = -1;
    const send = () => {
      if (next >= requests.length) { sock.end(); resolve(); return; }
      current = next++;
      sock.write(encode(requests[current]));
    };
    sock.on('connect', send);
    sock.on('error', reject);
    sock.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.toString('latin1', 0, end);
        const m = /\r\ncontent-length: *(\d+)/i.exec(head);
        if (!m) { reject(new Error(`response without content-length: ${head}`)); sock.destroy(); return; }
        const total = end + 4 + Number(m[1]);
        if (buf.length < total) return;
        const status = Number(head.slice(9, 12));
        const body = buf.toString('utf8', end + 4, total);
        buf = buf.subarray(total);
        if (status !== 200) { reject(new Error(`${requests[current].method} ${requests[current].path}: ${status} ${body}`)); sock.destroy(); return; }
        bodies[current] = body;
        send();
      }
    });
  });
}

const t0 = performance.now();
await Promise.all(Array.from({ length: concurrency }, connection));
const seconds = (performance.now() - t0) / 1000;
process.stdout.write(JSON.stringify({ rate: requests.length / seconds, seconds, bodies }) + '\n');
