/**
 * What a total adds since the last total recorded: the difference, or after a reset (the total went
 * down: the machine restarted, the counter rolled over) the new total, what was made since the reset.
 */
export const sinceLast = (last: number, total: number): number => (total >= last ? total - last : total);
