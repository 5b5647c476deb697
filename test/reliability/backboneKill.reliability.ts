import { expect } from 'chai';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEventCodec } from '../../src/adapters/eventstore/eventCodec';
import { createSqliteEventStore } from '../../src/adapters/eventstore/sqlite/sqliteEventStore';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import { createLogger } from '../../src/lib/logger';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { upcasters } from '../../src/domain/upcasters';
import { createProjections } from '../../src/projections';
import { startReadModels } from '../../src/projections/manager';
import { setTimeout as sleep } from 'node:timers/promises';
import { client, makeKeys } from '../support/apiClient';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { orderSpec } from '../support/fixtures';
import { dumpReadModels, TEST_PLANT } from '../support/readStoreDump';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';
import { byScale, figure } from './figures';

const LANES = 3;
const PER_LANE = byScale(150, 1_000);
const KILLS = byScale(3, 10);
const T0 = Date.parse('2026-11-20T00:00:00Z');

type Ack = { key: string; streamId: string; revision: number };

describe('reliability: the backbone killed with SIGKILL during a shift, and restarted', function () {
  const temp = makeTempDir('mes-reliability-kill-');
  const keys = makeKeys(temp.dir);
  const env = { DATA_DIR: join(temp.dir, 'data'), API_KEYS_FILE: keys.file, LOG_LEVEL: 'error' };
  let backbone: BackboneProcess;
  after(async () => {
    await backbone?.stop('SIGKILL');
    temp.remove();
  });

  /** Sends until acknowledged: a dead backbone or a 503 means the same request again, same key. */
  const send = async (path: string, body: unknown, key: string): Promise<Record<string, unknown>> => {
    for (let attempt = 0; attempt < 2_000; attempt += 1) {
      // the backbone's address changes with each restart
      const answer = await client(backbone.baseUrl, keys.tokens)
        .post(path, body, 'all', { 'idempotency-key': key })
        .catch(() => undefined);
      if (answer && answer.status < 300) return answer.body as Record<string, unknown>;
      if (answer && answer.status < 500) throw new Error(`${path} refused: ${answer.status} ${answer.text}`);
      await sleep(50);
    }
    throw new Error(`${path} was never acknowledged`);
  };

  it('keeps every acknowledged command’s events once, chains whole, and read models equal to a full rebuild; a changed byte is found', async () => {
    backbone = await startBackboneProcess(env);
    const acks: Ack[] = [];
    const ack = (key: string, answer: Record<string, unknown>) =>
      acks.push({ key, streamId: answer['streamId'] as string, revision: answer['revision'] as number });
    for (let i = 1; i <= LANES; i += 1) {
      ack(
        `reg-M${i}`,
        await send(
          '/api/machines',
          {
            machineId: `M${i}`,
            code: `M${i}`,
            name: `Press ${i}`,
            type: 'press',
            workCenter: 'WC-PRESS',
            ratedPowerKw: 7.5,
          },
          `reg-M${i}`,
        ),
      );
      const { source: _source, ...spec } = orderSpec({ quantity: 100_000 });
      ack(`plan-PO-${i}`, await send('/api/orders', { orderId: `PO-${i}`, ...spec }, `plan-PO-${i}`));
      ack(`release-PO-${i}`, await send(`/api/orders/PO-${i}/release`, {}, `release-PO-${i}`));
      ack(
        `start-PO-${i}`,
        await send(`/api/orders/PO-${i}/operations/010/start`, { machineId: `M${i}` }, `start-PO-${i}`),
      );
    }
    ack('probe', await send('/api/machines/M1/state', { state: 'down', reasonCode: 'TAMPER-PROBE-1' }, 'probe'));

    // the shift: each machine reports energy minute by minute, each order reports units, all at once
    const lanes = Array.from({ length: LANES }, (_, lane) => [
      (async () => {
        for (let k = 0; k < PER_LANE; k += 1) {
          const key = `energy-M${lane + 1}-${k}`;
          const body = {
            intervalStart: new Date(T0 + k * 60_000).toISOString(),
            intervalEnd: new Date(T0 + (k + 1) * 60_000).toISOString(),
            kWh: 0.125,
          };
          ack(key, await send(`/api/machines/M${lane + 1}/energy`, body, key));
        }
      })(),
      (async () => {
        for (let k = 0; k < PER_LANE; k += 1) {
          const key = `report-PO-${lane + 1}-${k}`;
          const body = { good: 2, scrap: 0, rework: 0 };
          ack(key, await send(`/api/orders/PO-${lane + 1}/operations/010/report`, body, key));
        }
      })(),
    ]).flat();
    const done = Promise.all(lanes);
    let finished = false;
    void done.then(() => (finished = true));
    const total = LANES * 2 * PER_LANE;
    let kills = 0;
    for (let k = 1; k <= KILLS && !finished; k += 1) {
      const threshold = Math.floor((total * k) / (KILLS + 1));
      while (acks.length < threshold && !finished) await sleep(10);
      if (finished) break;
      await backbone.stop('SIGKILL');
      kills += 1;
      backbone = await startBackboneProcess(env);
    }
    await done;
    expect(kills, 'kills during the shift').to.equal(KILLS);

    // the read models catch up, then the process stops cleanly
    await waitFor(
      async () => {
        const ready = (await (await fetch(`${backbone.baseUrl}/ready`)).json()) as {
          projections: { lagEvents: number | null }[];
        };
        return ready.projections.every((p) => p.lagEvents === 0);
      },
      'the read models to catch up',
      60_000,
    );
    await backbone.stop('SIGTERM');

    const schemas = loadSchemaRegistry();
    const codec = createEventCodec(schemas, upcasters);
    const store = createSqliteEventStore({ path: join(env.DATA_DIR, 'events.db'), codec });
    let eventsChecked = 0;
    try {
      // every acknowledged command: its event at the revision it was answered with, caused by it
      for (const { key, streamId, revision } of acks) {
        const [event] = await store.readStream(streamId, { fromRevision: revision, maxCount: 1 });
        expect(event?.metadata.causationId, `${key} at ${streamId}@${revision}`).to.equal(`http:all-1:${key}`);
      }
      // none doubled: exactly the commands sent, and every chain whole
      for (let i = 1; i <= LANES; i += 1) {
        const energy = (await store.readStream(`machine-M${i}`)).filter((e) => e.type === 'EnergyMeasured');
        expect(energy, `M${i} energy readings`).to.have.length(PER_LANE);
        expect(new Set(energy.map((e) => e.data['intervalStart'])).size).to.equal(PER_LANE);
        const reports = (await store.readStream(`order-PO-${i}`)).filter((e) => e.type === 'OperationQuantityReported');
        expect(reports, `PO-${i} reports`).to.have.length(PER_LANE);
        expect(new Set(reports.map((e) => e.metadata.causationId)).size).to.equal(PER_LANE);
      }
      for (const streamId of new Set(acks.map((a) => a.streamId))) {
        const verified = await store.verifyStream(streamId);
        expect(verified.ok, `${streamId} chain`).to.equal(true);
        eventsChecked += verified.events;
      }
      expect(await store.checkContinuity()).to.deep.include({ ok: true });

      // the live read models, built across the kills, equal a rebuild from the log
      const rebuiltStore = createSqliteReadStore(join(temp.dir, 'rebuilt.db'));
      const rebuild = await startReadModels(
        { store, readStore: rebuiltStore, logger: createLogger('error') },
        createProjections(TEST_PLANT),
      );
      await rebuild.idle();
      await rebuild.stop();
      const live = createSqliteReadStore(join(env.DATA_DIR, 'readmodels.db'));
      const liveDump = await dumpReadModels(live);
      expect(liveDump).to.deep.equal(await dumpReadModels(rebuiltStore));
      const documents = Object.values(liveDump).reduce((n, docs) => n + docs.length, 0);
      await Promise.all([live.close(), rebuiltStore.close()]);
      figure('backbone SIGKILLs survived', kills);
      figure('acknowledged commands checked', acks.length);
      figure('events verified (hash chains)', eventsChecked);
      figure('read-model documents equal to a rebuild', documents);
    } finally {
      await store.close();
    }

    // one byte changed in a copy of the file: the chain names the event
    const tampered = join(temp.dir, 'tampered.db');
    copyFileSync(join(env.DATA_DIR, 'events.db'), tampered);
    const bytes = readFileSync(tampered);
    const probe = Buffer.from('TAMPER-PROBE-1');
    let changed = 0;
    for (let at = bytes.indexOf(probe); at >= 0; at = bytes.indexOf(probe, at + 1)) {
      bytes[at + probe.length - 1] = '7'.charCodeAt(0);
      changed += 1;
    }
    expect(changed, 'the probe is in the file').to.be.greaterThan(0);
    writeFileSync(tampered, bytes);
    const altered = createSqliteEventStore({ path: tampered, codec });
    try {
      const verified = await altered.verifyStream('machine-M1');
      expect(verified.ok).to.equal(false);
      if (!verified.ok) expect(verified.break).to.deep.include({ reason: 'altered' });
      figure('changed bytes found by verification', `${changed} of ${changed} (machine-M1)`);
    } finally {
      await altered.close();
    }
  });
});
