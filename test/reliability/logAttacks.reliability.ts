import { makeTempDir } from '../support/tmp';
import { attacks, buildProvedLog, expectDetected, runAttack, type ProvedLog } from '../support/logAttacks';
import { byScale, figure } from './figures';

const PER_CHECKPOINT = byScale(1_000, 10_000);
const CHECKPOINTS = 3;

describe('reliability: an attacker with the database file, caught by the checkpoints at the witness', function () {
  const temp = makeTempDir('mes-reliability-attacks-');
  let log: ProvedLog;
  before(async () => {
    log = await buildProvedLog(temp.dir, { checkpoints: CHECKPOINTS, perCheckpoint: PER_CHECKPOINT });
  });
  after(() => temp.remove());

  // the same attacks as the proof's integration test, on a longer log and away from its start
  const events = CHECKPOINTS * PER_CHECKPOINT;
  const scenarios = attacks({
    rewritten: Math.floor(events / 3) + 7,
    kept: events - 3,
    retimed: Math.floor(events / 2) + 1,
    swapped: events - PER_CHECKPOINT / 2,
  });
  let detected = 0;
  const timings: [string, string][] = [];
  for (const [n, attack] of scenarios.entries()) {
    it(`names ${attack.name}`, async () => {
      const result = await runAttack(log, attack, `attack-${n}`);
      expectDetected(log, attack, result);
      detected += 1;
      timings.push([attack.name, `${result.named.length} named, verified in ${Math.round(result.ms)} ms`]);
    });
  }
  after(() => {
    figure(
      `log attacks detected (log of ${events.toLocaleString('en-US')} events, ${CHECKPOINTS} checkpoints)`,
      `${detected} of ${scenarios.length}`,
    );
    for (const [name, value] of timings) figure(`attack: ${name}`, value);
  });
});
