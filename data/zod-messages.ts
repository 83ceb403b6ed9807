import type { z } from 'zod';

/** One line per problem, each starting with the dotted path of the field ("children.0.age: ..."). */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(geheel)';
    return `${where}: ${describeIssue(issue)}`;
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'ontbreekt' : `verwacht ${typeName(issue.expected)}, kreeg ${valueType(issue.input)}`;
    case 'invalid_value':
      return `onbekende waarde ${JSON.stringify(issue.input)}; kies uit ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `onbekend veld ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'array') return `moet minstens ${String(issue.minimum)} element(en) hebben`;
      if (issue.origin === 'string') return `moet minstens ${String(issue.minimum)} teken(s) lang zijn`;
      return `moet ${issue.inclusive ? 'minstens' : 'groter zijn dan'} ${String(issue.minimum)}${issue.inclusive ? ' zijn' : ''}`;
    case 'too_big':
      if (issue.origin === 'array') return `mag hoogstens ${String(issue.maximum)} element(en) hebben`;
      if (issue.origin === 'string') return `mag hoogstens ${String(issue.maximum)} tekens lang zijn`;
      return `mag hoogstens ${String(issue.maximum)} zijn`;
    case 'invalid_union':
      return 'heeft niet de verwachte vorm';
    case 'invalid_format':
      return `heeft niet de juiste vorm (${issue.format})`;
    default:
      return issue.message;
  }
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
  if (typeof input === 'number') return Number.isInteger(input) ? 'een geheel getal' : 'een getal';
  if (typeof input === 'boolean') return 'true/false';
  if (typeof input === 'object') return 'een object';
  return typeof input;
}
