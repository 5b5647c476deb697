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

/**
 * The employee master data first: an employee in force holding the badge, then the person linked to
 * them (whose employee number, or else whose login, is the employee's code); a badge no employee holds
 * falls back to the accounts' own badge field.
 */
export const masterEmployees = (
  directory: SecurityDirectory,
  employeesWithBadge: (badgeId: string) => Promise<string[]>,
): EmployeeDirectory => ({
  async findByBadge(badgeId) {
    await directory.refresh();
    for (const code of await employeesWithBadge(badgeId)) {
      const person = directory.people().find((p) => p.profile.employeeNumber === code) ?? directory.person(code);
      if (person) return person.profile.personId;
    }
    return directory.byBadge(badgeId);
  },
});
