/** Where `YYYY-MM-DD HH:MM:SS` holds its digits. */
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const isDigit = (text: string, at: number) => {
  const code = text.charCodeAt(at);
  return code >= 48 && code <= 57;
};
const number2 = (text: string, at: number) => (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;

/**
 * A timestamptz parser for the form PostgreSQL sends in a UTC session,
 * `2026-12-03 14:50:33.969041+00` (fraction optional), that makes the same
 * Date as pg-types' parser (the same Date.UTC call on the same numbers, the
 * fraction through the same parseFloat) without its three regular
 * expressions; any other form (another offset, BC, infinity, a year outside
 * 1000–9999, anything malformed) goes to `fallback`, pg-types' own.
 */
export function timestamptzParser(fallback: (value: string) => unknown): (value: string) => unknown {
  return (value: string) => {
    const end = value.length - 3;
    if (
      end < 19 ||
      !value.endsWith('+00') ||
      value.charCodeAt(4) !== 45 || // -
      value.charCodeAt(7) !== 45 ||
      value.charCodeAt(10) !== 32 || // space
      value.charCodeAt(13) !== 58 || // :
      value.charCodeAt(16) !== 58 ||
      value.charCodeAt(0) === 48 || // a year below 1000
      (end > 19 && (end === 20 || value.charCodeAt(19) !== 46)) // . and at least one digit
    ) {
      return fallback(value);
    }
    for (const at of DIGITS) if (!isDigit(value, at)) return fallback(value);
    for (let at = 20; at < end; at++) if (!isDigit(value, at)) return fallback(value);
    const ms = end > 19 ? 1000 * Number.parseFloat(value.slice(19, end)) : 0;
    return new Date(
      Date.UTC(
        number2(value, 0) * 100 + number2(value, 2),
        number2(value, 5) - 1,
        number2(value, 8),
        number2(value, 11),
        number2(value, 14),
        number2(value, 17),
        ms,
      ),
    );
  };
}
