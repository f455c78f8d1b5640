import type pg from 'pg';

/**
 * Sends a transaction's BEGIN together with its first statement (PostgreSQL only). Every tenant transaction starts
 * with BEGIN and then the statement that sets its tenant (enterTenant), each a round trip of its own; on a busy
 * public server those round trips cost both processes more than a small read does. A BEGIN is therefore held back
 * and sent in the same message as the next statement, when that one is a simple query (no values): PostgreSQL runs
 * "begin; select …" one after another and the transaction stays open after it. A next statement with values goes
 * by the extended protocol, which cannot carry a second statement, so the BEGIN goes just before it, as before.
 *
 * The statement's own result is what the caller gets (the last result of the message); the BEGIN's is not seen. A
 * BEGIN is never left held on a connection handed back: Kysely ends every transaction it began with COMMIT or
 * ROLLBACK, which is the next statement if no other came.
 */
export function beginWithFirstStatement(client: pg.PoolClient): void {
  let held = false;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  (client as { query: (...args: unknown[]) => unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
    const simple = typeof config === 'string' && (values === undefined || (Array.isArray(values) && values.length === 0)) && callback === undefined;
    if (simple && /^\s*begin\s*$/i.test(config)) {
      held = true;
      return Promise.resolve({ command: 'BEGIN', rowCount: null, rows: [], fields: [] });
    }
    if (!held) return query(config, values, callback);
    held = false;
    // A statement PostgreSQL cannot parse fails the whole message, the BEGIN too; its caller's rollback then only
    // warns. Every transaction here rolls back on an error, so nothing runs on outside it.
    if (simple) return (query(`begin; ${config}`) as Promise<unknown>).then((results) => (Array.isArray(results) ? results[results.length - 1] : results));
    // Both queued on the connection now, the BEGIN first, so that statements begun meanwhile keep their order.
    const begun = query('begin') as Promise<unknown>;
    const result = query(config, values, callback);
    if (!(result instanceof Promise)) {
      // A cursor or a callback: given back as it is; a failed BEGIN shows in the statement's own error.
      begun.catch(() => undefined);
      return result;
    }
    return Promise.all([begun, result]).then(([, answer]) => answer);
  };
}
