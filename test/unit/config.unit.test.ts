import { expect } from 'chai';
import { loadConfig } from '../../src/main/config';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { rejection } from '../support/assert';

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
});

describe('NATS connection options', () => {
  it('takes the user and password out of a NATS URL, which nats.js does not read there', async () => {
    const { natsOptionsFromUrl } = await import('../../src/main/natsConnection');
    expect(natsOptionsFromUrl('nats://backbone:p%40ss@127.0.0.1:4222')).to.deep.equal({
      servers: 'nats://127.0.0.1:4222',
      user: 'backbone',
      pass: 'p@ss',
    });
    expect(natsOptionsFromUrl('nats://127.0.0.1:4222')).to.deep.equal({ servers: 'nats://127.0.0.1:4222' });
  });
});
