import type { z } from 'zod';

type Issue = z.core.$ZodIssue;
/** The value a problem is about, when known; `undefined` inside means the field is absent. */
type Input = { value: unknown } | undefined;

/**
 * One line per problem, each starting with the dotted path of the field ("children.0.age: ...").
 * Parse with `{ reportInput: true }`: only then can a missing field be told from a wrong one.
 */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues
    .flatMap((issue) => locate(issue, [], reportedInput(issue)))
    .map(({ path, text }) => `${path.length > 0 ? path.map(String).join('.') : '(geheel)'}: ${text}`);
}

/**
 * A union that fails reports every branch's issues. When exactly one branch fits the shape of the input
 * (its problems all lie in a field, none at the top: no unknown keys, no wrong type), its issues say more
 * than the union's own message: `{ "age": 7.5 }` becomes "children.0.age: ..." instead of "children.0: ...".
 */
function locate(issue: Issue, base: PropertyKey[], input: Input): { path: PropertyKey[]; text: string }[] {
  const path = [...base, ...issue.path];
  if (issue.code === 'invalid_union') {
    const fitting = issue.errors.filter((branch) => branch.every((inner) => inner.path.length > 0));
    const [branch] = fitting;
    if (fitting.length === 1 && branch) {
      // zod does not report the input of a branch's issues; take it from the union's own input.
      return branch.flatMap((inner) => locate(inner, path, input && { value: valueAt(input.value, inner.path) }));
    }
  }
  return [{ path, text: describeIssue(issue, input) }];
}

function describeIssue(issue: Issue, input: Input): string {
  const missing = input !== undefined && input.value === undefined;
  switch (issue.code) {
    case 'invalid_type':
      if (missing) return 'ontbreekt';
      return `verwacht ${typeName(issue.expected)}${input ? `, kreeg ${valueType(input.value)}` : ''}`;
    case 'invalid_value': {
      // zod reports a missing enum or literal as a wrong value; say that it is missing.
      const given = missing ? 'ontbreekt; ' : input ? `onbekende waarde ${JSON.stringify(input.value)}; ` : '';
      const allowed = issue.values.map((v) => JSON.stringify(v));
      return allowed.length === 1 ? `${missing ? given : ''}moet ${allowed[0]} zijn` : `${given}kies uit ${allowed.join(', ')}`;
    }
    case 'unrecognized_keys':
      return `onbekend veld ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return issue.minimum === 1 ? 'mag niet leeg zijn' : `moet minstens ${String(issue.minimum)} elementen hebben`;
      if (issue.origin === 'string') return `moet minstens ${String(issue.minimum)} teken(s) lang zijn`;
      return `moet ${issue.inclusive ? 'minstens' : 'groter zijn dan'} ${String(issue.minimum)}${issue.inclusive ? ' zijn' : ''}`;
    case 'too_big':
      if (issue.origin === 'array') return `mag hoogstens ${String(issue.maximum)} element(en) hebben`;
      if (issue.origin === 'string') return `mag hoogstens ${String(issue.maximum)} tekens lang zijn`;
      return `mag hoogstens ${String(issue.maximum)} zijn`;
    case 'invalid_union':
      // A schema can describe its accepted shapes itself (z.union([...], { error: '...' })); zod's default is English.
      return issue.message !== 'Invalid input' ? issue.message : 'heeft niet de verwachte vorm';
    case 'invalid_format':
      // A schema that says what it wants (z.string().regex(re, '...')) is heard; zod's own text is English.
      return issue.message.startsWith('Invalid') ? `heeft niet de juiste vorm (${issue.format})` : issue.message;
    default:
      return issue.message;
  }
}

function reportedInput(issue: Issue): Input {
  return 'input' in issue ? { value: issue.input } : undefined;
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function typeName(expected: string): string {
  const names: Record<string, string> = {
    string: 'tekst',
    number: 'een getal',
    int: 'een geheel getal',
    boolean: 'true of false',
    array: 'een lijst',
    object: 'een object',
    literal: 'een vaste waarde',
  };
  return names[expected] ?? expected;
}

function valueType(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'een lijst';
  if (typeof input === 'string') return 'tekst';
  if (typeof input === 'number') return Number.isInteger(input) ? 'een geheel getal' : 'een kommagetal';
  if (typeof input === 'boolean') return 'true/false';
  if (typeof input === 'object') return 'een object';
  return typeof input;
}
