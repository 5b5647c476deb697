import { expect } from 'chai';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { client, makeKeys } from '../support/apiClient';
import { orderSpec } from '../support/fixtures';
import type { GcBackboneReply } from '../support/gcBackboneChild';
import { makeTempDir } from '../support/tmp';
import { waitFor } from '../support/waitFor';
import { byScale, figure } from './figures';

const CYCLES = byScale(10_000, 50_000);
const FIRST = 1_000;
const CONCURRENT = 4;
/** How much the heap may grow from the first 1,000 cycles to the last: far less than a leak of 1 kB a stream. */
const BOUND_BYTES = 4 * 1024 * 1024;
const MB = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

describe('reliability: live streams (SSE) opened and closed 10,000 times', function () {
  const temp = makeTempDir('mes-reliability-sse-');
  const keys = makeKeys(temp.dir);
  let child: ChildProcess | undefined;
  after(async () => {
    if (child && child.exitCode === null) {
      child.send('stop');
      await once(child, 'exit');
    }
    temp.remove();
  });

  it(`keeps the backbone's heap flat over ${CYCLES.toLocaleString('en-US')} open-and-close cycles and closes every subscription`, async () => {
    // the backbone in its own process, with --expose-gc, so its heap is measured after a full collection
    const backbone = fork(resolve(__dirname, '../support/gcBackboneChild.ts'), [], {
      execArgv: ['--expose-gc', '-r', 'ts-node/register/transpile-only'],
      env: {
        ...process.env,
        DATA_DIR: join(temp.dir, 'data'),
        API_KEYS_FILE: keys.file,
        LOG_LEVEL: 'error',
        HOST: '127.0.0.1',
        PORT: '0',
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    child = backbone;
    const replies: GcBackboneReply[] = [];
    const waiters: (() => void)[] = [];
    backbone.on('message', (reply: GcBackboneReply) => {
      replies.push(reply);
      waiters.shift()?.();
    });
    const reply = async (): Promise<GcBackboneReply> => {
      if (replies.length === 0) await new Promise<void>((done) => waiters.push(done));
      return replies.shift() as GcBackboneReply;
    };
    const started = await reply();
    if (!('port' in started)) throw new Error('the backbone did not say its port');
    const baseUrl = `http://127.0.0.1:${started.port}`;
    const heap = async () => {
      backbone.send('heap');
      const answer = await reply();
      if (!('heapUsed' in answer)) throw new Error('the backbone did not say its heap');
      return answer;
    };

    // an operator's stream: the shop floor's feed, which records no read in the trail (the log stays as it is)
    const headers = { authorization: `Bearer ${keys.tokens.operator}`, accept: 'text/event-stream' };
    let refused = 0;
    /** Opens a stream, waits for its 200 and its headers, and closes it. */
    const cycle = async (): Promise<void> => {
      for (;;) {
        const controller = new AbortController();
        const response = await fetch(`${baseUrl}/api/events/stream`, { headers, signal: controller.signal });
        if (response.status === 429) {
          // the backbone has not yet seen an earlier close: the place comes back when it does
          refused += 1;
          await response.arrayBuffer();
          await sleep(10);
          continue;
        }
        expect(response.status).to.equal(200);
        expect(response.headers.get('content-type')).to.match(/^text\/event-stream/);
        controller.abort();
        return;
      }
    };
    let done = 0;
    const run = async (until: number): Promise<void> => {
      await Promise.all(
        Array.from({ length: CONCURRENT }, async () => {
          while (done < until) {
            done += 1;
            await cycle();
          }
        }),
      );
    };

    const before = await heap();
    const began = Date.now();
    await run(FIRST);
    const settled = await heap();
    await run(CYCLES);
    const seconds = (Date.now() - began) / 1000;
    // every stream's subscription is given back once the backbone has seen the last closes
    const last = await waitFor(async () => {
      const now = await heap();
      return now.openSubscriptions === before.openSubscriptions && now;
    }, 'the store subscriptions back to where they were');

    // still serving: a stream opened now gets an order created now, and closing it closes its subscription
    const api = client(baseUrl, keys.tokens);
    const controller = new AbortController();
    const stream = await fetch(`${baseUrl}/api/events/stream?category=order`, { headers, signal: controller.signal });
    const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
    const { source: _source, ...spec } = orderSpec({ dueDate: '2027-12-01T00:00:00Z' });
    expect((await api.call('POST', '/api/orders', { body: { orderId: 'PO-CHURN', ...spec } })).status).to.equal(201);
    // a stream that never brings it fails the test in 30 s rather than holding it
    const giveUp = setTimeout(() => controller.abort(), 30_000);
    let text = '';
    while (!text.includes('event: OrderPlanned')) text += new TextDecoder().decode((await reader.read()).value);
    clearTimeout(giveUp);
    expect(text).to.include('"streamId":"order-PO-CHURN"');
    controller.abort();

    figure(`SSE open-and-close cycles (${CONCURRENT} at a time)`, CYCLES);
    figure('SSE cycles per second', Math.round(CYCLES / seconds));
    figure('SSE opens refused 429 while a close was in flight (retried)', refused);
    figure(
      `backbone heap after GC: before / after ${FIRST.toLocaleString('en-US')} / after all cycles`,
      `${MB(before.heapUsed)} / ${MB(settled.heapUsed)} / ${MB(last.heapUsed)}`,
    );
    figure(
      `backbone heap growth from ${FIRST.toLocaleString('en-US')} cycles to the end`,
      MB(last.heapUsed - settled.heapUsed),
    );
    expect(last.heapUsed - settled.heapUsed, 'heap growth after the first 1,000 cycles').to.be.below(BOUND_BYTES);
  });
});
