import { expect } from 'chai';
import { loadConfig } from '../../src/main/config';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { rejection } from '../support/assert';
import { makeTempDir } from '../support/tmp';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

describe('configuration variables', () => {
  const schemas = loadSchemaRegistry();
  const refused = (env: Record<string, string>) => rejection(Promise.resolve().then(() => loadConfig(env, schemas)));

  it('refuses waits of zero, which would spin a retry loop or close an interval that never had a length', async () => {
    for (const [name, value] of [
      ['OUTBOX_RETRY_SECONDS', '0'],
      ['OUTBOX_RETRY_SECONDS', '0.000'],
      ['DEVICE_INTERVAL_SECONDS', '0'],
      ['DEVICE_MAX_IN_FLIGHT', '0'],
    ] as const) {
      const error = (await refused({ [name]: value })) as { problems: { path: string }[] };
      expect(
        error.problems.map((p) => p.path),
        `${name}=${value}`,
      ).to.include(`/env/${name}`);
    }
  });

  it('reads the device and outbox settings, with their defaults', () => {
    expect(loadConfig({}, schemas)).to.deep.include({
      outboxRetrySeconds: 1,
      devices: { intervalMs: 60_000, graceMs: 5_000, maxInFlight: 50_000 },
    });
    const set = loadConfig(
      {
        OUTBOX_RETRY_SECONDS: '0.25',
        DEVICE_INTERVAL_SECONDS: '15',
        DEVICE_GRACE_SECONDS: '0',
        DEVICE_MAX_IN_FLIGHT: '9',
      },
      schemas,
    );
    expect(set).to.deep.include({
      outboxRetrySeconds: 0.25,
      devices: { intervalMs: 15_000, graceMs: 0, maxInFlight: 9 },
    });
  });

  it('refuses NATS without credentials unless NATS_INSECURE=true says so, and reads them from files or the URL', async () => {
    const bare = (await refused({ NATS_URL: 'nats://broker:4222' })) as { problems: { path: string }[] };
    expect(bare.problems.map((p) => p.path)).to.deep.equal(['/env/NATS_URL']);
    expect(loadConfig({ NATS_URL: 'nats://broker:4222', NATS_INSECURE: 'true' }, schemas).natsAuth.insecure).to.equal(
      true,
    );
    const half = (await refused({ NATS_URL: 'nats://broker:4222', NATS_USER: 'backbone' })) as {
      problems: { path: string }[];
    };
    expect(half.problems.map((p) => p.path)).to.deep.equal(['/env/NATS_PASSWORD_FILE']);
    const withFiles = loadConfig(
      {
        NATS_URL: 'tls://broker:4222',
        NATS_USER: 'backbone',
        NATS_PASSWORD_FILE: '/run/secrets/nats',
        NATS_TLS_CA_FILE: '/etc/mes/ca.pem',
      },
      schemas,
    ).natsAuth;
    expect(withFiles).to.deep.equal({
      user: 'backbone',
      passwordFile: '/run/secrets/nats',
      tls: { caFile: '/etc/mes/ca.pem' },
      insecure: false,
    });
    expect(loadConfig({ NATS_URL: 'nats://backbone:pw@broker:4222' }, schemas).natsAuth.insecure).to.equal(false);
  });

  it('takes the user and password out of a NATS URL, which nats.js does not read there', async () => {
    const { natsOptionsFromUrl } = await import('../../src/main/natsConnection');
    expect(natsOptionsFromUrl('nats://backbone:p%40ss@127.0.0.1:4222')).to.deep.equal({
      servers: 'nats://127.0.0.1:4222',
      user: 'backbone',
      pass: 'p@ss',
    });
    expect(natsOptionsFromUrl('nats://127.0.0.1:4222')).to.deep.equal({ servers: 'nats://127.0.0.1:4222' });
  });

  it('refuses a port outside 0-65535 by name and in words, and reads the clock skew (default 300 s)', async () => {
    const error = (await refused({ PORT: '99999' })) as Error & { problems: { path: string }[] };
    expect(error.message).to.match(/\/env\/PORT 99999 is not a port number/);
    expect(error.problems.map((p) => p.path)).to.deep.equal(['/env/PORT']);
    expect(loadConfig({ PORT: '65535' }, schemas).port).to.equal(65_535);
    expect(loadConfig({}, schemas).clientClockSkewSeconds).to.equal(300);
    expect(loadConfig({ CLIENT_CLOCK_SKEW_SECONDS: '30' }, schemas).clientClockSkewSeconds).to.equal(30);
    for (const value of ['0', '-5', 'soon']) {
      const skew = (await refused({ CLIENT_CLOCK_SKEW_SECONDS: value })) as { problems: { path: string }[] };
      expect(skew.problems.map((p) => p.path)).to.include('/env/CLIENT_CLOCK_SKEW_SECONDS');
    }
  });

  it('reads how far the heap may grow past what is live (default 50 %, 0: V8 decides), refusing anything but a whole percentage', async () => {
    expect(loadConfig({}, schemas).heapGrowingPercent).to.equal(50);
    expect(loadConfig({ HEAP_GROWING_PERCENT: '0' }, schemas).heapGrowingPercent).to.equal(0);
    expect(loadConfig({ HEAP_GROWING_PERCENT: '100' }, schemas).heapGrowingPercent).to.equal(100);
    for (const value of ['-5', '1.5', 'half', '1000']) {
      const error = (await refused({ HEAP_GROWING_PERCENT: value })) as Error & { problems: { path: string }[] };
      expect(
        error.problems.map((p) => p.path),
        value,
      ).to.deep.equal(['/env/HEAP_GROWING_PERCENT']);
    }
  });

  it('refuses files that are not there or not valid, and a data folder that is a file, before anything is written', async () => {
    const temp = makeTempDir('mes-config-');
    try {
      const notJson = join(temp.dir, 'plant.json');
      writeFileSync(notJson, '{ shifts');
      const aFile = join(temp.dir, 'a-file');
      writeFileSync(aFile, 'x');
      for (const [env, path] of [
        [{ PLANT_CONFIG: join(temp.dir, 'missing.json') }, '/env/PLANT_CONFIG'],
        [{ PLANT_CONFIG: notJson }, '/env/PLANT_CONFIG'],
        [{ API_KEYS_FILE: join(temp.dir, 'missing-keys.json') }, '/env/API_KEYS_FILE'],
        [{ DATA_DIR: aFile }, '/env/DATA_DIR'],
        [{ DATA_DIR: join(aFile, 'below') }, '/env/DATA_DIR'],
      ] as const) {
        const error = (await refused(env)) as { problems: { path: string }[] };
        expect(
          error.problems.map((p) => p.path),
          JSON.stringify(env),
        ).to.deep.equal([path]);
      }
      writeFileSync(notJson, JSON.stringify({ shifts: 'none' }));
      const invalid = (await refused({ PLANT_CONFIG: notJson })) as { problems: { path: string }[] };
      expect(invalid.problems[0]?.path).to.match(/^\/env\/PLANT_CONFIG/);
    } finally {
      temp.remove();
    }
  });
});
