import { expect } from 'vitest';
import type { AdaptiveCard, Reply } from '../../dialogs/card.js';

/** Reading Adaptive Cards in tests: walking their elements, their buttons, the one card of a reply. */

export type Json = Record<string, unknown>;

export interface Button {
  title: string;
  data: Json;
  associatedInputs?: string;
}

/** Visits every object in a card, but not the data of a button: that is ours, not the card's. */
export function walk(node: unknown, visit: (element: Json) => void): void {
  if (Array.isArray(node)) return node.forEach((child) => walk(child, visit));
  if (node === null || typeof node !== 'object') return;
  visit(node as Json);
  for (const [key, value] of Object.entries(node)) if (key !== 'data') walk(value, visit);
}

/** Visits every object in a card, the data of its buttons included. */
export function walkAll(node: unknown, visit: (element: Json) => void): void {
  if (Array.isArray(node)) return node.forEach((child) => walkAll(child, visit));
  if (node === null || typeof node !== 'object') return;
  visit(node as Json);
  for (const value of Object.values(node)) walkAll(value, visit);
}

/** The Action.Submit buttons of a card. */
export function buttonsOf(card: AdaptiveCard | undefined): Button[] {
  const buttons: Button[] = [];
  walk(card, (element) => {
    if (element.type === 'Action.Submit') buttons.push(element as unknown as Button);
  });
  return buttons;
}

/** The one card a dialog answered with. */
export function cardOf(replies: Reply[]): AdaptiveCard {
  expect(replies).toHaveLength(1);
  const card = replies[0]?.card;
  if (!card) throw new Error('expected a card');
  return card;
}
