/**
 * Checking hyper-parameters. Every optimizer and schedule describes its options with a table of
 * rules; a bad value throws a `GatedError` that names the class, the option and the value
 * (`Adam: invalid beta parameter at index 0: betas[0] = 1 (expected a number in [0, 1))`).
 */
import { GatedError } from '@gated/backend-api';

/** Checks one option's value; `where` is appended to the description (e.g. ` in paramGroups[1]`). */
export type Rule = (owner: string, name: string, value: unknown, where: string) => void;

/** A value as error messages print it. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describeValue).join(', ')}]`;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  return typeof value;
}

/** A finite number satisfying `test`; `what` names the option in PyTorch's words ("learning rate"). */
export function numberRule(what: string, expected: string, test: (value: number) => boolean): Rule {
  return (owner, name, value, where) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || !test(value)) {
      throw new GatedError(owner, `invalid ${what}${where}: ${name} = ${describeValue(value)} (expected ${expected})`);
    }
  };
}

/** A finite number >= 0. */
export const nonNegative = (what: string): Rule => numberRule(what, 'a finite number >= 0', (v) => v >= 0);
/** A finite number > 0. */
export const positive = (what: string): Rule => numberRule(what, 'a finite number > 0', (v) => v > 0);
/** Any finite number. */
export const finite = (what: string): Rule => numberRule(what, 'a finite number', () => true);
/** An integer >= `min`. */
export const integer = (what: string, min: number): Rule =>
  numberRule(what, `an integer >= ${min}`, (v) => Number.isInteger(v) && v >= min);

/** A boolean. */
export const bool: Rule = (owner, name, value, where) => {
  if (typeof value !== 'boolean') throw new GatedError(owner, `invalid ${name}${where}: ${describeValue(value)} (expected true or false)`);
};

/** One of the given strings. */
export function oneOf(...choices: readonly string[]): Rule {
  return (owner, name, value, where) => {
    if (typeof value !== 'string' || !choices.includes(value)) {
      throw new GatedError(
        owner,
        `invalid ${name}${where}: ${describeValue(value)} (expected ${choices.map((c) => `"${c}"`).join(' or ')})`,
      );
    }
  };
}

/** Adam-style `betas`: two numbers, each in [0, 1). */
export const betasRule: Rule = (owner, name, value, where) => {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new GatedError(owner, `invalid ${name}${where}: ${describeValue(value)} (expected two numbers, each in [0, 1))`);
  }
  value.forEach((beta: unknown, index) => {
    if (typeof beta !== 'number' || !(beta >= 0 && beta < 1)) {
      throw new GatedError(
        owner,
        `invalid beta parameter at index ${index}${where}: ${name}[${index}] = ${describeValue(beta)} (expected a number in [0, 1))`,
      );
    }
  });
};

/** A rule for every key of an options type. */
export type Rules<O> = { readonly [K in keyof O]-?: Rule };

/**
 * Throws unless `options` is a plain object whose keys all have rules (`allowed` lists extra keys
 * that are accepted without a rule), and every present value passes its rule.
 */
export function checkOptions<O extends object>(
  owner: string,
  rules: Rules<O>,
  options: unknown,
  where = '',
  allowed: readonly string[] = [],
): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new GatedError(owner, `options${where} must be an object, got ${describeValue(options)}`);
  }
  const record = options as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const rule = (rules as Record<string, Rule | undefined>)[key];
    if (rule === undefined) {
      if (allowed.includes(key)) continue;
      throw new GatedError(owner, `unknown option "${key}"${where} (known: ${Object.keys(rules).join(', ')})`);
    }
    if (record[key] !== undefined) rule(owner, key, record[key], where);
  }
}
