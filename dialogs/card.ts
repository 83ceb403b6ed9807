/**
 * Minimal builders for Adaptive Cards 1.5 (what Teams renders). Plain JSON, no botbuilder: the bot layer
 * wraps a card in an attachment.
 */

export type CardElement = Record<string, unknown> & { type: string };
export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: '1.5';
  body: CardElement[];
  actions?: CardElement[];
  [key: string]: unknown;
}

/** What a dialog asks the bot to send: text, a card, or both in one message. */
export interface Reply {
  text?: string;
  card?: AdaptiveCard;
  /** The open question of a flow: the bot keeps the id of the message it became, to replace it once answered. */
  question?: true;
  /**
   * Goes in place of an earlier message of the bot (issue 16, a readable chat): an answered question becomes a one-line
   * record of its answer. When Teams refuses the update: 'skip' (the old card just stays) or 'send' as a new message.
   */
  replaces?: { activityId: string; ifRefused: 'skip' | 'send' };
}

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

export function adaptiveCard(body: CardElement[], actions: CardElement[] = []): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body,
    ...(actions.length > 0 ? { actions } : {}),
  };
}

/**
 * Text in the theme's own colour (subtle or not): Teams' 'Good', 'Warning' and 'Attention' text colours fall below
 * 4.5:1 contrast in its light or dark theme, so emphasis is weight, or a container style around default text.
 */
export function text(value: string, options: { weight?: 'Bolder'; size?: 'Small' | 'Medium' | 'Large'; subtle?: boolean; spacing?: string } = {}): CardElement {
  const { subtle, ...rest } = options;
  return { type: 'TextBlock', text: value, wrap: true, ...rest, ...(subtle ? { isSubtle: true } : {}) };
}

export function facts(rows: [title: string, value: string][]): CardElement {
  return { type: 'FactSet', facts: rows.map(([title, value]) => ({ title, value })) };
}

export function container(items: CardElement[], style?: 'emphasis' | 'attention' | 'good' | 'warning' | 'accent'): CardElement {
  return { type: 'Container', items, ...(style ? { style, bleed: false } : {}) };
}

export function submit(title: string, data: Record<string, unknown>, style?: 'positive' | 'destructive'): CardElement {
  return { type: 'Action.Submit', title, data, ...(style ? { style } : {}) };
}

export function showCard(title: string, card: AdaptiveCard): CardElement {
  return { type: 'Action.ShowCard', title, card };
}

/** Teams shows at most a handful of buttons side by side: long lists go in rows. */
export function actionRows(actions: CardElement[], perRow = 3): CardElement[] {
  const rows: CardElement[] = [];
  for (let i = 0; i < actions.length; i += perRow) rows.push({ type: 'ActionSet', actions: actions.slice(i, i + perRow) });
  return rows;
}

export interface Choice {
  title: string;
  value: string;
}

export function choiceSet(
  id: string,
  label: string,
  choices: Choice[],
  options: { multi?: boolean; style?: 'compact' | 'expanded' | 'filtered'; value?: string; placeholder?: string; required?: boolean; errorMessage?: string } = {},
): CardElement {
  return {
    type: 'Input.ChoiceSet',
    id,
    label,
    choices,
    isMultiSelect: options.multi ?? false,
    style: options.style ?? 'expanded',
    wrap: true,
    ...(options.value !== undefined ? { value: options.value } : {}),
    ...(options.placeholder ? { placeholder: options.placeholder } : {}),
    ...(options.required ? { isRequired: true, errorMessage: options.errorMessage ?? 'Maak een keuze.' } : {}),
  };
}

export function textInput(
  id: string,
  label: string,
  options: { placeholder?: string; multiline?: boolean; maxLength?: number; value?: string; required?: boolean; errorMessage?: string; style?: 'Tel' | 'Email' } = {},
): CardElement {
  return {
    type: 'Input.Text',
    id,
    label,
    ...(options.placeholder ? { placeholder: options.placeholder } : {}),
    ...(options.multiline ? { isMultiline: true } : {}),
    ...(options.maxLength ? { maxLength: options.maxLength } : {}),
    ...(options.value ? { value: options.value } : {}),
    ...(options.style ? { style: options.style } : {}),
    ...(options.required ? { isRequired: true, errorMessage: options.errorMessage ?? 'Dit veld is nodig.' } : {}),
  };
}
