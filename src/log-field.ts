/**
 * Longest caller-controlled string (request path, method, error text, quarantine reason) a log
 * line carries, in UTF-16 code units. A caller decides what such strings hold and how long
 * they are (a request path can be as long as the URL limit); every log line is billed.
 */
export const LOG_FIELD_MAX_CHARS = 256;

/** The string as a log line may carry it: at most LOG_FIELD_MAX_CHARS, then a count of what was cut. */
export function capLogField(value: string, max = LOG_FIELD_MAX_CHARS): string {
  if (value.length <= max) return value;
  // Cutting can halve a surrogate pair; the kept part stays well-formed.
  return `${value.slice(0, max).toWellFormed()}…[+${value.length - max} chars]`;
}
