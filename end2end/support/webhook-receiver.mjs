// A Standard Webhooks receiver on loopback for the browser journeys: it verifies each
// delivery's signature (HMAC-SHA256 over "id.timestamp.body" with the whsec_ secret,
// compared in constant time after a length check) and records the verified ones. While
// told to refuse it answers 400, as a receiver that rejects a payload would.
//
//   WEBHOOK_PORT=3155 WEBHOOK_SECRET=whsec_... node support/webhook-receiver.mjs
//
// POST /hook                deliveries from the portal
// POST /control?mode=M      M = accept | refuse
// GET  /deliveries          [{id, type, instance, verified}] in arrival order
import crypto from 'node:crypto';
import http from 'node:http';

const port = Number(process.env.WEBHOOK_PORT ?? 3155);
const secret = process.env.WEBHOOK_SECRET ?? '';
if (!secret.startsWith('whsec_')) {
  console.error('WEBHOOK_SECRET must be a whsec_ secret');
  process.exit(2);
}
const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
let mode = 'accept';
const deliveries = [];

function verified(headers, body) {
  const id = headers['webhook-id'] ?? '';
  const timestamp = headers['webhook-timestamp'] ?? '';
  const age = Math.abs(Date.now() / 1000 - Number(timestamp));
  if (!id || !(age <= 300)) return false;
  const expected = crypto.createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .filter((token) => token.startsWith('v1,'))
    .some((token) => {
      const given = Buffer.from(token.slice(3), 'base64');
      return given.length === expected.length && crypto.timingSafeEqual(given, expected);
    });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'POST' && url.pathname === '/hook') {
      const ok = verified(req.headers, body);
      let event = {};
      try {
        event = JSON.parse(body);
      } catch {
        // Recorded as unverified below.
      }
      if (mode === 'refuse') {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'payload refused' }));
        return;
      }
      deliveries.push({
        id: req.headers['webhook-id'],
        type: event.type,
        instance: event.data?.instance?.name,
        verified: ok,
      });
      res.writeHead(ok ? 204 : 401);
      res.end();
    } else if (req.method === 'POST' && url.pathname === '/control') {
      mode = url.searchParams.get('mode') === 'refuse' ? 'refuse' : 'accept';
      res.writeHead(204);
      res.end();
    } else if (req.method === 'GET' && url.pathname === '/deliveries') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(deliveries));
    } else if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200);
      res.end('webhook receiver');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
});
// Every exchange has a deadline.
server.requestTimeout = 10_000;
server.listen(port, '127.0.0.1');
