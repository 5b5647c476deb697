// The API benchmark's baseline: bare express 5 doing the store work of the backbone's requests and
// nothing else (no authentication, validation, domain, logging or headers). Started by api.bench.ts
// as a process of its own, as the backbone is (plain JavaScript: the backbone runs compiled, as
// `npm start` runs it, after `npm run build:server`), and loaded with the same autocannon settings.
//   POST /append/<stream>  a durable append of the body as one event row of the event log's shape
//                          (WAL, synchronous=FULL: answered once its commit is on disk)
//   GET  /doc/<id>         one document from a read-store table, parsed and answered as JSON
// Env: PORT, EVENTS_DB (a file of its own), DOCS_DB (the backbone's read models), DOCS_TABLE.
'use strict';
const Database = require('better-sqlite3');
const express = require('express');
const { randomUUID } = require('node:crypto');
// the event log's table and durability settings, from the compiled server
const { EVENT_LOG_DDL, openDurable } = require('../dist/adapters/eventstore/sqlite/schema');

/** @param {string} name */
const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const log = new Database(env('EVENTS_DB'));
openDurable(log);
log.exec(EVENT_LOG_DDL);
const insert = log.prepare(
  'INSERT INTO events (stream_id, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
);
/** @type {Map<string, number>} */
const revisions = new Map();

const docs = new Database(env('DOCS_DB'), { readonly: true, fileMustExist: true });
const getDoc = docs.prepare(`SELECT doc FROM ${env('DOCS_TABLE')} WHERE id = ?`);

const app = express();
app.disable('x-powered-by');
app.post('/append/:stream', express.json({ limit: '256kb' }), (req, res) => {
  const streamId = req.params.stream;
  const revision = (revisions.get(streamId) ?? -1) + 1;
  revisions.set(streamId, revision);
  const now = new Date().toISOString();
  const id = randomUUID();
  const metadata = { occurredAt: now, actor: 'baseline', source: 'api', correlationId: id, causationId: id };
  const { lastInsertRowid } = insert.run(
    streamId,
    revision,
    id,
    'Appended',
    JSON.stringify(req.body),
    JSON.stringify(metadata),
    now,
  );
  res.json({ streamId, revision, position: String(lastInsertRowid) });
});
app.get('/doc/:id', (req, res) => {
  const row = getDoc.get(req.params.id);
  if (!row) {
    res.status(404).json({ title: 'not found' });
    return;
  }
  res.json(JSON.parse(row.doc));
});

const server = app.listen(Number(env('PORT')), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  log.close();
  docs.close();
  process.exit(0);
});
