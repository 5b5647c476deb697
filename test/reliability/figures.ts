/** The figures the reliability suite prints at its end: what was tried and what held. */
const figures: [string, string][] = [];

export const scale = process.env['RELIABILITY_SCALE'] === 'full' ? 'full' : 'ci';
export const byScale = <T>(ci: T, full: T): T => (scale === 'full' ? full : ci);

export const figure = (name: string, value: number | string): void => {
  figures.push([name, typeof value === 'number' ? value.toLocaleString('en-US') : value]);
};

export const mochaHooks = {
  afterAll(): void {
    if (figures.length === 0) return;
    const width = Math.max(...figures.map(([name]) => name.length));
    process.stdout.write(`\nReliability figures (scale: ${scale}; RELIABILITY_SCALE=full for the full suite)\n`);
    for (const [name, value] of figures) process.stdout.write(`  ${name.padEnd(width)}  ${value}\n`);
  },
};
