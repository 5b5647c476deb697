// npm run bench:xml
// Hostile XML to the B2MML reader (issue 18): 1 MiB of unterminated `<a` and 1 MiB of nesting are
// refused in one linear pass; beside them, the XML parser alone on 1 MiB of well-formed XML, same run.
import { XMLValidator } from 'fast-xml-parser';
import { parseSchedule } from '../src/adapters/erp/b2mml';
import { report, result, secondsSince } from './lib/report';

const MIB = 1024 * 1024;
const RUNS = 15;

/** The median of `RUNS` timings of `run`, in ms. */
const median = (run: () => void): number => {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const started = process.hrtime.bigint();
    run();
    times.push(secondsSince(started) * 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(RUNS / 2)] as number;
};
const refused = (body: string) => () => {
  try {
    parseSchedule(body, 'application/xml');
  } catch {
    return;
  }
  throw new Error('a hostile body was accepted');
};

const unterminated = '<a'.repeat(MIB / 2);
const nested = `${'<a>'.repeat(MIB / 8)}${'</a>'.repeat(MIB / 8)}`;
const wellFormed = `<r>${'<b>x</b>'.repeat(Math.floor(MIB / 8))}</r>`;
const baseline = median(() => XMLValidator.validate(wellFormed));

report('XML benchmark: hostile bodies to the B2MML reader (1 MiB each)', [
  result({
    name: "1 MiB of unterminated '<a' refused",
    value: median(refused(unterminated)),
    unit: 'ms',
    baseline: 'XML parser on 1 MiB well formed',
    baselineValue: baseline,
    maximumValue: 50,
  }),
  result({
    name: '1 MiB of nested elements refused',
    value: median(refused(nested)),
    unit: 'ms',
    baseline: 'XML parser on 1 MiB well formed',
    baselineValue: baseline,
    maximumValue: 50,
  }),
]);
