/**
 * Exact decimal money arithmetic on bigints. Prices are held in units of 10^-18 USD per million
 * tokens (per thousand for counts), so a token count times a price is an integer number of
 * 10^-24 USD; only the final total is rounded, once, to the 10^-12 USD of the record.
 */

/** Decimals kept of a price per million tokens: a price written with up to 18 decimals is exact. */
const PRICE_DECIMALS = 18;

/** 10^-24 USD per 10^-12 USD: the one rounding step, from the sum of products to the record. */
const TO_RECORD = 10n ** 12n;
const HALF = TO_RECORD / 2n;

/**
 * A non-negative decimal string as integer units of 10^-`decimals`, rounded half up past that.
 * Returns null for anything but plain decimal digits.
 */
export function decimalToUnits(text: string, decimals = PRICE_DECIMALS): bigint | null {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) return null;
  const frac = m[2] ?? '';
  const units = BigInt(m[1]! + frac.slice(0, decimals).padEnd(decimals, '0'));
  return frac.length > decimals && frac.charCodeAt(decimals) >= 53 /* '5' */ ? units + 1n : units;
}

/**
 * The decimal a JavaScript number was written as in source data: its shortest round-trip form
 * (`0.075` → "0.075", `1e-7` → "0.0000001"). Price data written as decimal literals comes back as
 * the exact decimal that was written, not the binary float nearest to it. Null for negative,
 * non-finite or non-number values.
 */
export function numberToDecimal(n: unknown): string | null {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return null;
  const s = String(n);
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const digits = m[1]! + (m[2] ?? '');
  const point = 1 + Number(m[3]); // position of the decimal point within `digits`
  if (point <= 0) return `0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + '0'.repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Units of 10^-24 USD as the record's decimal USD string (at most 12 decimals), rounded half up. */
export function formatUsd(units24: bigint): string {
  return unitsToUsd((units24 + HALF) / TO_RECORD);
}

/** Integer units of 10^-12 USD as a decimal USD string: `1500n` → "0.0000000015", negative with a minus. */
export function unitsToUsd(units: bigint): string {
  if (units < 0n) return `-${unitsToUsd(-units)}`;
  const s = units.toString().padStart(13, '0');
  const whole = s.slice(0, -12);
  const frac = s.slice(-12).replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole;
}

/** A record's decimal USD string as integer units of 10^-12 USD (for comparing and summing costs). */
export function usdToUnits(usd: string): bigint | null {
  return decimalToUnits(usd, 12);
}
