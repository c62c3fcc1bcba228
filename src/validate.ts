/**
 * Checks for numeric and enumerated options, shared by every public entry point (parseCsv,
 * prepareDataset, loadWeights, fit, layer configs), so a bad value gets one kind of message: the
 * option, what was expected and the value received, described so that a string that looks like a
 * number is not mistaken for one (`received the string "8"`).
 */
import { InvalidArgumentError } from './errors';

/** A value as a message shows it: `8`, `the string "8"`, `null`, `an object`, `a Blob`. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') {
    const text = v.length > 40 ? `${v.slice(0, 40)}...` : v;
    return `the string ${JSON.stringify(text)}`;
  }
  if (typeof v === 'bigint') return `the bigint ${v}n`;
  if (typeof v === 'function') return 'a function';
  if (v === null || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  const name = (v as object).constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}

/** `received 8`, or for text that reads as a number `a number was expected, received the string "8"`. */
export function received(v: unknown): string {
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) {
    return `a number was expected, received ${describeValue(v)}`;
  }
  return `received ${describeValue(v)}`;
}

export interface NumberRule {
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
  /** The lower bound is exclusive. */
  minExclusive?: boolean;
  integer?: boolean;
}

function ruleText(rule: NumberRule): string {
  if (rule.integer && rule.max === undefined && !rule.minExclusive) {
    if (rule.min === 1) return 'a positive integer';
    if (rule.min === 0) return 'a non-negative integer';
  }
  const kind = rule.integer ? 'an integer' : 'a finite number';
  const bounds: string[] = [];
  if (rule.min !== undefined) bounds.push(`${rule.minExclusive ? '>' : '>='} ${rule.min}`);
  if (rule.max !== undefined) bounds.push(`<= ${rule.max}`);
  return bounds.length ? `${kind} ${bounds.join(' and ')}` : kind;
}

/** `value` itself when it is a number within `rule`; otherwise an InvalidArgumentError naming `what`. */
export function checkNumber(what: string, value: unknown, rule: NumberRule = {}): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || (rule.minExclusive ? value > rule.min : value >= rule.min)) &&
    (rule.max === undefined || value <= rule.max);
  if (!ok) throw new InvalidArgumentError(`${what} must be ${ruleText(rule)}, ${received(value)}`);
  return value as number;
}

/** The same, for an option that may be left out (undefined passes). */
export function checkOptionalNumber(what: string, value: unknown, rule: NumberRule = {}): void {
  if (value !== undefined) checkNumber(what, value, rule);
}

/** An option that must be one of a few literal values (or left out). */
export function checkOneOf<T>(what: string, value: unknown, allowed: readonly T[]): void {
  if (value === undefined || allowed.includes(value as T)) return;
  const list = allowed.map((a) => (typeof a === 'string' ? `'${a}'` : String(a))).join(', ');
  throw new InvalidArgumentError(`${what} must be one of ${list}, ${received(value)}`);
}

/** An option that must be a function (or left out). */
export function checkOptionalFunction(what: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'function') {
    throw new InvalidArgumentError(`${what} must be a function, ${received(value)}`);
  }
}

/** The options argument itself: an object or left out (a number or a string is a misplaced argument). */
export function checkOptionsObject(what: string, value: unknown): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(`${what} must be an options object, ${received(value)}`);
  }
}
