import { fieldPath } from './field-path.js';
import type { Checked } from './package.settings.js';

const PLACEHOLDER = /\$\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/**
 * Replaces every `${{NAME}}` in the template's strings with `values[NAME]`. The template is parsed JSON,
 * so a value never needs escaping. A placeholder without a value is a problem naming its field.
 */
export function fillTemplate(template: unknown, values: Readonly<Record<string, string>>): Checked<unknown> {
  const problems: string[] = [];
  const fill = (node: unknown, at: (string | number)[]): unknown => {
    if (typeof node === 'string') {
      return node.replace(PLACEHOLDER, (whole, name: string) => {
        const value = values[name];
        if (value === undefined) problems.push(`${fieldPath(at)}: onbekende variabele ${whole}`);
        return value ?? whole;
      });
    }
    if (Array.isArray(node)) return node.map((item, index) => fill(item, [...at, index]));
    if (typeof node === 'object' && node !== null) {
      return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, fill(value, [...at, key])]));
    }
    return node;
  };
  const filled = fill(template, []);
  return problems.length === 0 ? { ok: true, value: filled } : { ok: false, problems };
}
