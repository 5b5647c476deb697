import { addDays, zonedInstant } from '../../lib/time';

/**
 * The instant (ms) a local date ends in the zone (its next local midnight), remembered by date:
 * projections cut segments at midnights for every state change and reading, over a few dates at a time.
 */
export const dayEnds = (timeZone: string): ((date: string) => number) => {
  const ends = new Map<string, number>();
  return (date) => {
    let end = ends.get(date);
    if (end === undefined) {
      if (ends.size > 10_000) ends.clear();
      end = zonedInstant(addDays(date, 1), '00:00', timeZone);
      ends.set(date, end);
    }
    return end;
  };
};
