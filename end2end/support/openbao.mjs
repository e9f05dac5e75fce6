// An OpenBao (Vault KV v2) server on loopback for the browser journeys: the health and
// token endpoints the portal's background check calls, and the KV v2 calls of the
// openbao.secrets step (metadata read, check-and-set write, list, metadata delete), with
// OpenBao's answers: 404 {"errors":[]} for a missing path, 400 on a check-and-set mismatch,
// 403 "permission denied" for a wrong token, 503 while sealed.
//
//   BAO_PORT=3166 BAO_TOKEN=... node support/openbao.mjs
//
// POST /control?sealed=true|false   seal or unseal it
// GET  /secrets                     {path: latest data} of what was written
import http from 'node:http';

const port = Number(process.env.BAO_PORT ?? 3166);
const token = process.env.BAO_TOKEN ?? '';
if (!token) {
  console.error('BAO_TOKEN must be set');
  process.exit(2);
}
const mount = 'secret';
let sealed = false;
/** path under the mount → versions (data objects), oldest first */
const secrets = new Map();

function reply(res, status, body) {
  if (body === undefined) {
    res.writeHead(status);
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const envelope = (data) => ({ request_id: crypto.randomUUID(), lease_id: '', renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth: null });

function kv(req, res, url, body) {
  const prefix = `/v1/${mount}/`;
  if (!url.pathname.startsWith(prefix)) {
    reply(res, 404, { errors: [`no handler for route "${url.pathname.slice(4)}". route entry not found.`] });
    return;
  }
  const rest = url.pathname.slice(prefix.length);
  const [kind, ...parts] = rest.split('/');
  const path = parts.join('/').replace(/\/$/, '');
  const versions = secrets.get(path) ?? [];
  const list = req.method === 'LIST' || url.searchParams.get('list') === 'true';
  if (kind === 'metadata' && list) {
    const keys = new Set();
    for (const key of secrets.keys()) {
      if (key.startsWith(`${path}/`) && secrets.get(key).length > 0) {
        const child = key.slice(path.length + 1);
        keys.add(child.includes('/') ? `${child.split('/')[0]}/` : child);
      }
    }
    if (keys.size === 0) reply(res, 404, { errors: [] });
    else reply(res, 200, envelope({ keys: [...keys].sort() }));
    return;
  }
  if (kind === 'metadata' && req.method === 'GET') {
    if (versions.length === 0) reply(res, 404, { errors: [] });
    else reply(res, 200, envelope({ current_version: versions.length, oldest_version: 1, versions: {} }));
    return;
  }
  if (kind === 'metadata' && req.method === 'DELETE') {
    secrets.delete(path);
    reply(res, 204);
    return;
  }
  if (kind === 'data' && req.method === 'GET') {
    if (versions.length === 0) reply(res, 404, { errors: [] });
    else reply(res, 200, envelope({ data: versions.at(-1), metadata: { version: versions.length, deletion_time: '', destroyed: false } }));
    return;
  }
  if (kind === 'data' && (req.method === 'POST' || req.method === 'PUT')) {
    let parsed;
    try {
      parsed = JSON.parse(body);
    } catch {
      reply(res, 400, { errors: ['failed to parse JSON input'] });
      return;
    }
    const cas = parsed?.options?.cas;
    if (cas !== undefined && cas !== versions.length) {
      reply(res, 400, { errors: ['check-and-set parameter did not match the current version'] });
      return;
    }
    secrets.set(path, [...versions, parsed.data ?? {}]);
    reply(res, 200, envelope({ version: versions.length + 1, created_time: new Date().toISOString(), deletion_time: '', destroyed: false, custom_metadata: null }));
    return;
  }
  reply(res, 405, { errors: ['unsupported operation'] });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    if (url.pathname === '/control' && req.method === 'POST') {
      sealed = url.searchParams.get('sealed') === 'true';
      reply(res, 200, { sealed });
      return;
    }
    if (url.pathname === '/secrets') {
      reply(res, 200, Object.fromEntries([...secrets].filter(([, v]) => v.length > 0).map(([k, v]) => [k, v.at(-1)])));
      return;
    }
    if (url.pathname === '/v1/sys/health') {
      reply(res, sealed ? 503 : 200, { initialized: true, sealed, standby: false, version: '2.3.1' });
      return;
    }
    if (sealed) {
      reply(res, 503, { errors: ['Vault is sealed'] });
      return;
    }
    if (req.headers['x-vault-token'] !== token) {
      reply(res, 403, { errors: ['permission denied'] });
      return;
    }
    if (url.pathname === '/v1/auth/token/lookup-self') {
      reply(res, 200, envelope({ display_name: 'token', policies: ['tenantry'] }));
      return;
    }
    kv(req, res, url, body);
  });
});
server.listen(port, '127.0.0.1', () => console.log(`openbao on ${port}`));
