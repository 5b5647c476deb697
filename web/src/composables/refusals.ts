import type { Problem } from './api';

/** The part of vue-i18n a sentence needs. */
export type Translator = {
  t: (key: string, values?: Record<string, unknown>) => string;
  te: (key: string) => boolean;
};

/** What was being done, for a sentence that names it when the problem alone does not (a 404 of a lot). */
export type ProblemContext = 'card' | 'lot' | 'order';

const fieldKey = (pointer: string): string => pointer.replace(/^\//, '').replace(/[^A-Za-z0-9]+/g, '-');

/**
 * A refusal as a sentence in the operator's language: by the problem's rule, else by the failing
 * field, else by its status; else the backbone's own detail. Never a stack, never a bare status.
 */
export const describeProblem = (problem: Problem, i18n: Translator, context?: ProblemContext): string => {
  const candidates = [
    problem.rule && `refusal.${problem.rule}`,
    problem.errors?.[0] && `invalid.${fieldKey(problem.errors[0].path)}`,
    context && `status.${context}.${problem.status}`,
    `status.${problem.status}`,
  ];
  const key = candidates.find((k): k is string => typeof k === 'string' && i18n.te(k));
  if (key) return i18n.t(key);
  if (problem.detail) return problem.detail;
  return i18n.t(problem.status >= 500 ? 'status.server' : 'status.other');
};
