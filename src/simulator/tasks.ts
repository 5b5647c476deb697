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
  const dispose = (nonconformanceId: string, at: number): Task => ({
    at,
    what: `disposition of ${nonconformanceId}`,
    run: async () => {
      const answer = await api.post(`/api/nonconformances/${nonconformanceId}/disposition`, {
        disposition: 'use-as-is',
        reasonCode: 'BURR',
        note: 'burr is cosmetic: accepted as it is',
      });
      return answer.status !== 404;
    },
  });
  return { inspect };
};
