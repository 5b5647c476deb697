import type { SecurityDirectory } from './directory';

/**
 * Who holds a badge. The employee master data answers this once it is wired; until then the
 * person accounts' own badge field does. Either way the answer is the person's login.
 */
export type EmployeeDirectory = { findByBadge(badgeId: string): Promise<string | undefined> };

export const accountsAsEmployees = (directory: SecurityDirectory): EmployeeDirectory => ({
  async findByBadge(badgeId) {
    await directory.refresh();
    return directory.byBadge(badgeId);
  },
});
