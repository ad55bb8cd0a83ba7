/** A JSON object (not null, not an array): what a parsed body or resource must be before its members are read. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
