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
});
