/**
 * Numbers as a reader wants them: rounded to the digits they carry, never `0.24875621890547267`.
 * Counts and values of 1000 or more print whole, grouped by thin spaces (`29 671`); smaller
 * values keep `digits` significant digits (`0.25`, `1.17`, `0.0761`).
 */

/** `value` rounded to `digits` significant digits (3 unless told), as text without an exponent. */
export function numberText(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1000) return groupThousands(Math.round(value));
  if (value === 0) return '0';
  const rounded = Number(value.toPrecision(digits));
  // toPrecision never gives an exponent for |value| >= 1e-6 once passed through Number
  return Math.abs(rounded) >= 1e-6 ? String(rounded) : rounded.toExponential(digits - 1);
}

/** An integer with its thousands grouped by a narrow no-break space: `29 671`. */
export function groupThousands(value: number): string {
  const sign = value < 0 ? '-' : '';
  return `${sign}${String(Math.abs(value)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f')}`;
}

/** "1.23 s" / "29 671 events": a value with its unit, rounded as {@link numberText} does. */
export function valueText(value: number, unit: string, digits = 3): string {
  return unit === '' ? numberText(value, digits) : `${numberText(value, digits)} ${unit}`;
}

/**
 * Decimal places that give `value` about `significant` significant digits (0 for 0 and for values
 * of 100 or more at 3 digits), at most 6: the decimals a row's mean, spread and interval share.
 */
export function decimalsFor(value: number, significant = 3): number {
  if (!Number.isFinite(value) || value === 0) return 0;
  return Math.min(6, Math.max(0, significant - 1 - Math.floor(Math.log10(Math.abs(value)))));
}

/** `value` at `decimals` places; 1000 or more whole, with grouped thousands. */
export function fixedText(value: number, decimals: number): string {
  if (Math.abs(value) >= 1000) return groupThousands(Math.round(value));
  return value.toFixed(decimals);
}

/**
 * A thesis value as the thesis printed it: a value read from its text keeps its digits (`244.2`, `3.58`, `29 671`);
 * one derived from printed values (a ratio to the bare host, a unit conversion) has more digits than anything
 * printed and is rounded to 3 significant digits (`1.1700055648302727` -> `1.17`, `0.24875621890547267` -> `0.249`).
 */
export function printedText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  // six significant digits are more than the thesis ever printed: a value that needs more was computed
  const asPrinted = Number(value.toPrecision(6)) === value;
  if (!asPrinted) return numberText(value, 3);
  return Math.abs(value) >= 1000 && Number.isInteger(value) ? groupThousands(value) : String(value);
}
