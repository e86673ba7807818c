// Runs the graphql-http server audits (GraphQL over HTTP conformance) against a running server and
// prints one JSON document: every audit with its id, name, status (ok | warn | error) and reason.
// Usage: node graphql_http_audit.cjs http://127.0.0.1:PORT/graphql
const path = require('path');

// graphql-http is a test tool of frontend/package.json.
const frontendDir = path.resolve(__dirname, '..', '..', 'frontend');
const { serverAudits } = require(require.resolve('graphql-http', { paths: [frontendDir] }));

async function main() {
  const url = process.argv[2];
  if (!url) throw new Error('usage: graphql_http_audit.cjs URL');
  const results = [];
  for (const audit of serverAudits({ url, fetchFn: fetch })) {
    const result = await audit.fn();
    const entry = { id: audit.id, name: audit.name, status: result.status };
    if (result.status !== 'ok') {
      entry.reason = result.reason;
      try {
        entry.response = { status: result.response.status, headers: Object.fromEntries(result.response.headers) };
      } catch (_) { /* no response */ }
    }
    results.push(entry);
  }
  process.stdout.write(JSON.stringify(results, null, 1) + '\n');
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(2);
});
