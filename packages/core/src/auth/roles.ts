/** Token roles, weakest first: each role may do everything the ones before it may. */
export const ROLES = ['reader', 'editor', 'admin'] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * Whether a caller holding `actual` may do what needs `required`.
 *
 * @example
 * ```ts
 * hasRole('admin', 'editor');  // true
 * hasRole('reader', 'editor'); // false
 * ```
 */
export function hasRole(actual: Role, required: Role): boolean {
  return ROLES.indexOf(actual) >= ROLES.indexOf(required);
}
