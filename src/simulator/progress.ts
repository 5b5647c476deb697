import type { Progress } from './plantSimulator';

/** A one-line progress bar on stderr (redrawn on a terminal, a line every 10% otherwise). */
export const progressBar = (stream: NodeJS.WriteStream = process.stderr) => {
  let lastTenth = -1;
  return (p: Progress): void => {
    const width = 30;
    const filled = Math.round(p.fraction * width);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(p.fraction * 100).toFixed(0).padStart(3)}%  ${p.simTime.slice(0, 16).replace('T', ' ')} UTC  orders done ${p.ordersCompleted}/${p.orders}  requests ${p.requests}`;
    if (stream.isTTY) {
      stream.write(`\r${line}`);
      if (p.fraction >= 1) stream.write('\n');
    } else if (Math.floor(p.fraction * 10) > lastTenth) {
      lastTenth = Math.floor(p.fraction * 10);
      stream.write(`${line}\n`);
    }
  };
};
