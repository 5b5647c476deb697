import { expect } from 'chai';
import { Writable } from 'node:stream';
import { createLogger, type LogLevel } from '../../src/lib/logger';

/** A logger writing into an array of parsed lines. */
const capture = (level: LogLevel = 'debug') => {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger(level, destination), lines, raw };
};

type SerializedError = { type: string; message: string; stack: string; cause?: SerializedError };

describe('logger (pino)', () => {
  it('writes one JSON line with level, ISO time, msg and the fields, from the configured level up', () => {
    const { logger, lines } = capture('info');
    logger.debug('hidden');
    logger.info('request', { status: 200, path: '/health' });
    expect(lines).to.have.length(1);
    expect(lines[0]).to.include({ level: 'info', msg: 'request', status: 200, path: '/health' });
    expect(new Date(lines[0]?.['time'] as string).toISOString()).to.equal(lines[0]?.['time']);
  });

  it('keeps an error with its type, message, stack and its whole cause chain', () => {
    const { logger, lines } = capture();
    const root = new RangeError('disk full');
    const middle = new Error('checkpoint not saved', { cause: root });
    logger.error('projection stopped', { error: new Error('projection failed', { cause: middle }) });
    const error = lines[0]?.['error'] as SerializedError;
    expect(error).to.include({ type: 'Error', message: 'projection failed' });
    expect(error.stack).to.match(/^Error: projection failed\n\s+at /);
    expect(error.cause).to.include({ type: 'Error', message: 'checkpoint not saved' });
    expect(error.cause?.cause).to.include({ type: 'RangeError', message: 'disk full' });
    expect(error.cause?.cause?.stack).to.match(/^RangeError: disk full/);
  });

  it('writes an error nested in a field as the error, not as {}', () => {
    const { logger, lines } = capture();
    logger.warn('lane failed', { lane: { machineId: 'M1', failure: new TypeError('bad count') } });
    const lane = lines[0]?.['lane'] as { machineId: string; failure: SerializedError };
    expect(lane.machineId).to.equal('M1');
    expect(lane.failure).to.include({ type: 'TypeError', message: 'bad count' });
    expect(lane.failure.stack).to.include('TypeError: bad count');
  });

  it('does not throw on circular or BigInt fields, and still writes the line', () => {
    const { logger, lines, raw } = capture();
    const order: Record<string, unknown> = { id: 'PO-1' };
    order['self'] = order;
    const error = new Error('looped') as Error & { order?: unknown };
    error.order = order;
    expect(() => logger.info('odd fields', { order, count: 12345678901234567890n, error })).to.not.throw();
    expect(lines[0]).to.deep.include({ msg: 'odd fields', order: { id: 'PO-1', self: '[Circular]' } });
    expect(raw[0]).to.include('"count":12345678901234567890');
    expect(lines[0]?.['error']).to.include({ message: 'looped' });
  });

  it('redacts tokens, passwords, secrets and authorization headers by key', () => {
    const { logger, lines } = capture();
    logger.info('secrets', {
      token: 'mes_abc',
      password: 'hunter2',
      config: { secret: 's3', apiKey: 'k-1', name: 'kept' },
      headers: { authorization: 'Bearer mes_abc', cookie: 'sid=1', accept: 'text/plain' },
    });
    const text = JSON.stringify(lines[0]);
    for (const secret of ['mes_abc', 'hunter2', 's3', 'k-1', 'sid=1']) expect(text).to.not.include(secret);
    expect(lines[0]).to.deep.include({
      token: '[Redacted]',
      password: '[Redacted]',
      config: { secret: '[Redacted]', apiKey: '[Redacted]', name: 'kept' },
      headers: { authorization: '[Redacted]', cookie: '[Redacted]', accept: 'text/plain' },
    });
  });

  it('masks credentials in URLs in any field, in error messages and in the message', () => {
    const { logger, lines } = capture();
    logger.error('cannot reach nats://ops:pa55@nats.local:4222', {
      url: 'nats://user:pass@host:4222',
      endpoint: new URL('https://erp:s3cret@erp.example/b2mml'),
      servers: ['mongodb://admin:pw@db1/mes', 'http://plain.example/path'],
      error: new Error('connect failed to https://tok3n@erp.example/api'),
    });
    const line = lines[0] as Record<string, unknown>;
    expect(line['msg']).to.equal('cannot reach nats://ops:***@nats.local:4222');
    expect(line['url']).to.equal('nats://user:***@host:4222');
    expect(line['endpoint']).to.equal('https://erp:***@erp.example/b2mml');
    expect(line['servers']).to.deep.equal(['mongodb://admin:***@db1/mes', 'http://plain.example/path']);
    expect((line['error'] as SerializedError).message).to.equal('connect failed to https://***@erp.example/api');
    expect(JSON.stringify(line)).to.not.match(/pa55|:pass@|:pw@|tok3n|s3cret/);
  });
});
