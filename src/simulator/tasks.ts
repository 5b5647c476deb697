import { MINUTE } from './catalog';
import type { ApiClient } from './client';

/** Work due at a simulated time; `run` answers false when it must wait (tried again five minutes later). */
export type Task = { at: number; run: (t: number) => Promise<boolean>; what: string };

/** Runs the tasks due at `t`, in the order they were scheduled; tasks they schedule wait for a later minute. */
export const runDueTasks = async (tasks: Task[], t: number): Promise<void> => {
  const due = tasks.filter((task) => task.at <= t);
  for (const task of due) {
    if (await task.run(t)) tasks.splice(tasks.indexOf(task), 1);
    else task.at = t + 5 * MINUTE;
  }
};

const DISPOSITION_NOTES = {
  BURR: 'burr is cosmetic: accepted as it is',
  DRIFT: 'bore in tolerance, drifting: spindle offset corrected, parts accepted as they are',
};

/**
 * Quality's part: the inspection the routing asks for; a failure raises a nonconformance (the backbone's
 * quality loop) of the operation's output, which quality accepts as it is (a burr found cosmetic): the
 * NC closes and its hold and lot are released. (A rework would add a rework operation the crew does not run.)
 */
export const qualityTasks = (api: Pick<ApiClient, 'post'>, schedule: (task: Task) => void) => {
  const inspect = (inspectionId: string, passed: boolean, at: number): Task => ({
    at,
    what: `inspection ${inspectionId}`,
    run: async (t) => {
      const answer = await api.post(`/api/inspections/${inspectionId}/results`, {
        results: [{ characteristic: 'visual', passed }],
      });
      if (answer.status === 404) return false; // the quality loop has not requested it yet
      if (!passed) schedule(dispose(`NC-${inspectionId}`, t + 20 * MINUTE));
      return true;
    },
  });
  /** Quality accepts the nonconformance's parts as they are; `done` runs once it is disposed. */
  const dispose = (
    nonconformanceId: string,
    at: number,
    reasonCode: 'BURR' | 'DRIFT' = 'BURR',
    done?: (t: number) => void,
  ): Task => ({
    at,
    what: `disposition of ${nonconformanceId}`,
    run: async (t) => {
      const answer = await api.post(`/api/nonconformances/${nonconformanceId}/disposition`, {
        disposition: 'use-as-is',
        reasonCode,
        note: DISPOSITION_NOTES[reasonCode],
      });
      if (answer.status === 404) return false; // the quality loop has not opened it yet
      done?.(t);
      return true;
    },
  });
  return { inspect, dispose };
};
