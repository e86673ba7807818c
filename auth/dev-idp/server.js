// Development and test OpenID Provider: four issuers (residents, business, municipality, LBF) in one
// process, each a separate oidc-provider instance on its own path with its own signing key.
//
//   node server.js [--port 9000] [--host 127.0.0.1] [--exit-with-stdin]
//
// Environment:
//   DEV_IDP_PORT       port (default 9000; 0 picks a free one)
//   DEV_IDP_KEYS       JSON file with the private signing keys per issuer; created when missing, so
//                      tokens stay verifiable across restarts (default ../../var/dev-idp-keys.json)
//   DEV_IDP_APP_URLS   extra comma-separated base URLs of the portal allowed as redirect targets
//
// Prints "dev-idp listening on http://HOST:PORT" once every issuer answers.
// Demo accounts are in accounts.json; any password is accepted (development only).

import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import querystring from 'node:querystring';
import { fileURLToPath } from 'node:url';

import Provider, { errors } from 'oidc-provider';

const here = path.dirname(fileURLToPath(import.meta.url));
const config = JSON.parse(fs.readFileSync(path.join(here, 'accounts.json'), 'utf8'));
const AUDIENCE = config.audience;
const CUSTOM_CLAIMS = [
  'actor_kind', 'loa', 'identity_type', 'nemlogin.cvr', 'nemlogin.org_name',
  'municipality_code', 'administration', 'organisation',
];

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const host = arg('host', process.env.DEV_IDP_HOST || '127.0.0.1');
const port = Number(arg('port', process.env.DEV_IDP_PORT ?? '9000'));
const keysFile = process.env.DEV_IDP_KEYS || path.resolve(here, '..', '..', 'var', 'dev-idp-keys.json');

// ------------------------------------------------------------------ signing keys, one per issuer
function generateKey(alg) {
  const { privateKey } = alg === 'ES256'
    ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: crypto.randomBytes(8).toString('hex') };
}

function loadKeys() {
  let keys = {};
  if (fs.existsSync(keysFile)) keys = JSON.parse(fs.readFileSync(keysFile, 'utf8'));
  let changed = false;
  for (const [id, issuer] of Object.entries(config.issuers)) {
    if (!keys[id] || keys[id].alg !== issuer.alg) {
      keys[id] = generateKey(issuer.alg);
      changed = true;
    }
  }
  if (changed) {
    fs.mkdirSync(path.dirname(keysFile), { recursive: true });
    fs.writeFileSync(keysFile, JSON.stringify(keys, null, 2), { mode: 0o600 });
  }
  return keys;
}

// ------------------------------------------------------------------ the portal's redirect targets
const appUrls = [
  'http://127.0.0.1:8000', 'http://localhost:8000', 'http://testserver',
  ...(process.env.DEV_IDP_APP_URLS || '').split(',').map((s) => s.trim()).filter(Boolean),
];

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

// Development convenience: a portal on any loopback port may be the redirect target, so tests can
// run several app processes on free ports. The path must still be the registered one.
function loopbackAnyPort(value, registered) {
  if (registered.includes(value)) return true;
  let url;
  try { url = new URL(value); } catch { return false; }
  if (url.protocol !== 'http:' || !LOOPBACK.has(url.hostname)) return false;
  return registered.some((r) => {
    const reg = new URL(r);
    return LOOPBACK.has(reg.hostname) && reg.pathname === url.pathname && reg.search === url.search;
  });
}

// ------------------------------------------------------------------ one provider per issuer
function makeProvider(id, issuerConfig, issuerUrl, key) {
  const accounts = issuerConfig.accounts;

  async function findAccount(_ctx, sub) {
    // Unknown subjects must not reach oidc-provider (it would answer 500).
    if (!Object.hasOwn(accounts, sub)) return undefined;
    return {
      accountId: sub,
      async claims() { return { sub, ...accounts[sub] }; },
    };
  }

  const provider = new Provider(issuerUrl, {
    clients: [{
      client_id: issuerConfig.client_id,
      client_secret: issuerConfig.client_secret,
      redirect_uris: appUrls.map((u) => `${u}/auth/callback/${id}`),
      post_logout_redirect_uris: appUrls.flatMap((u) => [`${u}/`, `${u}/auth/signed-out`]),
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: issuerConfig.alg,
    }],
    jwks: { keys: [key] },
    findAccount,
    claims: {
      openid: ['sub'],
      profile: ['name'],
      helhedsplan: CUSTOM_CLAIMS,
    },
    scopes: ['openid', 'profile', 'helhedsplan'],
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    cookies: {
      keys: [crypto.createHash('sha256').update(`${id}:${key.kid}`).digest('hex')],
      names: { session: `_session_${id}`, interaction: `_interaction_${id}`, resume: `_resume_${id}` },
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = `<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Log ud</title></head>
<body><main><h1>Log ud af ${escapeHtml(id)}?</h1>${form}
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Ja, log mig ud</button>
<button type="submit" form="op.logoutForm">Nej, forbliv logget ind</button></main></body></html>`;
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => AUDIENCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resourceIndicator) => {
          if (resourceIndicator !== AUDIENCE) throw new errors.InvalidTarget();
          return {
            scope: 'api',
            audience: AUDIENCE,
            accessTokenTTL: 60 * 60,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: issuerConfig.alg } },
          };
        },
      },
    },
    // First-party clients: the demo accounts are not asked for consent.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid profile helhedsplan');
      grant.addResourceScope(AUDIENCE, 'api');
      await grant.save();
      return grant;
    },
    async extraTokenClaims(_ctx, token) {
      const account = token.accountId && accounts[token.accountId];
      return account ? { ...account } : undefined;
    },
    ttl: {
      AccessToken: 60 * 60,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      Interaction: 60 * 60,
      Session: 8 * 60 * 60,
      Grant: 8 * 60 * 60,
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head>
<body><h1>${escapeHtml(out.error)}</h1><p>${escapeHtml(out.error_description || '')}</p></body></html>`;
    },
  });

  const redirectAllowed = provider.Client.prototype.redirectUriAllowed;
  provider.Client.prototype.redirectUriAllowed = function (value) {
    return redirectAllowed.call(this, value) || loopbackAnyPort(value, this.redirectUris);
  };
  const logoutAllowed = provider.Client.prototype.postLogoutRedirectUriAllowed;
  provider.Client.prototype.postLogoutRedirectUriAllowed = function (value) {
    return logoutAllowed.call(this, value) || loopbackAnyPort(value, this.postLogoutRedirectUris || []);
  };
  provider.on('server_error', (_ctx, err) => console.error(`[${id}] server_error`, err));
  return provider;
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

// ------------------------------------------------------------------ HTTP: route by path prefix
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 64 * 1024) { reject(new Error('body too large')); req.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function unknownLoginPage(res, formUrl, issuerConfig) {
  const known = Object.keys(issuerConfig.accounts).map((a) => `<li><code>${escapeHtml(a)}</code></li>`).join('');
  res.writeHead(400, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Ukendt konto</title></head>
<body><h1>Ukendt konto</h1><p>Denne udbyder kender kun disse demokonti:</p><ul>${known}</ul>
<p><a href="${escapeHtml(formUrl)}">Prøv igen</a></p></body></html>`);
}

// Beside the development login form: which logins this issuer knows (any password works).
function showDemoAccounts(res, issuerConfig) {
  const items = Object.entries(issuerConfig.accounts)
    .map(([login, claims]) => `<li><code>${escapeHtml(login)}</code> (${escapeHtml(claims.name)})</li>`).join('');
  const hint = `<div class="login-card"><p>Demokonti hos denne udbyder (vilkårlig adgangskode):</p><ul>${items}</ul></div>`;
  const setHeader = res.setHeader.bind(res);
  res.setHeader = (name, value) => (String(name).toLowerCase() === 'content-length' ? res : setHeader(name, value));
  const end = res.end.bind(res);
  res.end = (chunk, ...rest) => {
    if (chunk && res.statusCode === 200 && String(res.getHeader('content-type') || '').includes('html')) {
      return end(Buffer.from(String(chunk).replace('</body>', `${hint}</body>`)), ...rest);
    }
    return end(chunk, ...rest);
  };
}

async function main() {
  const keys = loadKeys();
  const mounts = [];
  const server = http.createServer(async (req, res) => {
    const mount = mounts.find((m) => req.url === m.prefix || req.url.startsWith(`${m.prefix}/`)
      || req.url.startsWith(`${m.prefix}?`));
    if (!mount) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(mounts.length ? `issuers: ${mounts.map((m) => m.prefix).join(' ')}\n` : 'starting\n');
      return;
    }
    const inner = req.url.slice(mount.prefix.length) || '/';
    // Guard the development login form: only the demo accounts of this issuer may sign in.
    const interaction = inner.match(/^\/interaction\/([^/?]+)$/);
    if (req.method === 'POST' && interaction) {
      try {
        const body = querystring.parse(await readBody(req));
        if (body.prompt === 'login' && !Object.hasOwn(mount.config.accounts, String(body.login))) {
          unknownLoginPage(res, `${mount.prefix}${inner}`, mount.config);
          return;
        }
        req.body = body;
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('bad request\n');
        return;
      }
    }
    if (req.method === 'GET' && interaction) showDemoAccounts(res, mount.config);
    req.originalUrl = req.url;
    req.url = inner;
    mount.handler(req, res);
  });

  await new Promise((resolve) => server.listen(port, host, resolve));
  const actualPort = server.address().port;
  const base = `http://${host}:${actualPort}`;
  for (const [id, issuerConfig] of Object.entries(config.issuers)) {
    const provider = makeProvider(id, issuerConfig, `${base}${issuerConfig.path}`, keys[id]);
    mounts.push({ prefix: issuerConfig.path, handler: provider.callback(), config: issuerConfig });
  }
  console.log(`dev-idp listening on ${base}`);

  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started by a test run or `make token`: end with the parent, even when it is killed.
  if (process.argv.includes('--exit-with-stdin')) {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('close', () => process.exit(0));
    process.stdin.resume();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
