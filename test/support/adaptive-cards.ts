import { createRequire } from 'node:module';

/**
 * The adaptivecards library (the renderer Teams' cards are built on), to check that a card parses cleanly.
 * Its ESM entry does not resolve in Node, so it is loaded from its UMD bundle.
 */
interface SerializationContext {
  eventCount: number;
  getEventAt(index: number): { message: string };
}
interface AdaptiveCardsLibrary {
  AdaptiveCard: new () => { parse(json: unknown, context: SerializationContext): void };
  SerializationContext: new () => SerializationContext;
}

const library = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.js') as AdaptiveCardsLibrary;

/** Every warning or error the library raises while parsing the card (unknown elements, bad values, ...). */
export function adaptiveCardProblems(card: unknown): string[] {
  const context = new library.SerializationContext();
  new library.AdaptiveCard().parse(card, context);
  return Array.from({ length: context.eventCount }, (_, i) => context.getEventAt(i).message);
}
