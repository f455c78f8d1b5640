/*
 * The embedded PostgreSQL's own thread. PGlite runs each statement synchronously in WebAssembly, so in the web
 * process's thread a long statement (an import's batch, a report) held every request, /healthz included. Here it holds
 * only this thread. Messages: {id, op: 'query' | 'exec' | 'listen' | 'close', ...} in; {id, result} or {id, error} out,
 * and {notify, payload} for each NOTIFY on a channel listened to. A notification is posted before the answer to the
 * statement that committed it, and messages keep their order, so the other side sees it before that commit returns.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openPGlite } from './pglite-open.mjs';

/** What a PostgreSQL error carries (code, constraint, detail …), as plain values that cross to the other thread. */
function errorOf(err) {
  const fields = {};
  for (const [key, value] of Object.entries(err ?? {})) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
  }
  return { message: err?.message ?? String(err), name: err?.name ?? 'Error', fields };
}

let pg;
try {
  pg = await openPGlite(workerData);
  parentPort.postMessage({ ready: true });
} catch (err) {
  parentPort.postMessage({ ready: false, error: errorOf(err) });
}

parentPort.on('message', async (m) => {
  try {
    let result;
    if (m.op === 'query') result = await pg.query(m.sql, m.params);
    else if (m.op === 'exec') result = await pg.exec(m.sql);
    else if (m.op === 'listen') result = void (await pg.listen(m.channel, (payload) => parentPort.postMessage({ notify: m.channel, payload })));
    else if (m.op === 'close') result = void (await pg.close());
    else throw new Error(`unknown operation ${m.op}`);
    parentPort.postMessage({ id: m.id, result });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: errorOf(err) });
  }
});
