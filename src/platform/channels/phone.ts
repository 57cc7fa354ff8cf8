import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * A phone number in E.164 (`+4915112345678`), or undefined when it is not a
 * number that can exist. The full metadata set (`/max`) checks number
 * lengths and ranges per region, not just the digit count. Without a leading
 * `+` the number is read as national to `defaultRegion`.
 */
export function toE164(input: string, defaultRegion?: CountryCode): string | undefined {
  const parsed = parsePhoneNumberFromString(input, defaultRegion);
  return parsed?.isValid() ? parsed.number : undefined;
}
