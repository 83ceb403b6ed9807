import type { AnyStateMachine, EventFromLogic, InputFrom, SnapshotFrom } from 'xstate';
import { z } from 'zod';
import type { ReferrerRole } from '../data/aanmelding.schema.js';
import type { Reply } from './card.js';

/** What a person sent in one turn: typed text, or the values of a card they submitted. */
export interface UserInput {
  text?: string;
  value?: Record<string, unknown>;
  at: Date;
}

/** What the team configuration knows of a referrer (team config verwijzers): defaults a flow need not ask. */
export interface ReferrerDefaults {
  role?: ReferrerRole;
  praktijk?: string;
  /** The wijk the referrer's practice suggests. */
  wijk?: string;
  /**
   * The role the team knows this person in, when the gemeente lets that role request a gezinsverzorger
   * (gezinsverzorgerAanvragers): only then does the intake offer the request.
   */
  gezinsverzorgerRole?: ReferrerRole;
}

/** How a dialog reads a turn. */
export type Interpretation<TEvent> =
  /** then: the answers to the next questions on the same card, sent in order while the flow accepts them. */
  | { kind: 'event'; event: TEvent; then?: TEvent[] }
  /** draft: what was sent, so that asking again keeps it (the valid fields stay filled in). */
  | { kind: 'problem'; message: string; draft?: Record<string, string> }
  /** A card of an earlier step or an earlier flow: answered politely, nothing changes. */
  | { kind: 'stale' };

export interface RenderNote {
  /** The answer just recorded, shown as confirmation ("Genoteerd: ..."). */
  ack?: string;
  /** Why the last answer did not fit. */
  problem?: string;
  /** What was sent with that answer: the card's inputs show it again instead of emptying. */
  draft?: Readonly<Record<string, string>>;
  help?: boolean;
  stale?: boolean;
}

/** A conversation flow: a machine plus how its states are asked and its answers read. One per machine. */
export interface FlowDialog<TMachine extends AnyStateMachine = AnyStateMachine> {
  id: string;
  /** Raised when a change makes stored snapshots of this flow unusable. */
  version: number;
  machine: TMachine;
  input(instanceId: string, referrer?: ReferrerDefaults): InputFrom<TMachine>;
  instanceOf(snapshot: SnapshotFrom<TMachine>): string;
  /** A stored snapshot back as a live one; undefined when it does not fit this flow (any more). */
  restore(persisted: unknown): SnapshotFrom<TMachine> | undefined;
  /** A confirmation of the answer that moved the flow from previous to next, if any. */
  acknowledgement(previous: SnapshotFrom<TMachine>, next: SnapshotFrom<TMachine>): string | undefined;
  interpret(snapshot: SnapshotFrom<TMachine>, input: UserInput): Interpretation<EventFromLogic<TMachine>>;
  render(snapshot: SnapshotFrom<TMachine>, note?: RenderNote): Reply[];
  /**
   * What the card of an answered question becomes, in place: one line with the answer (ack), or else with the
   * question itself (asked again below, or left with Terug); outcome: the summary once sent or stopped.
   */
  recordOf(snapshot: SnapshotFrom<TMachine>, what: { ack?: string; outcome?: 'verstuurd' | 'gestopt' }): Reply;
}

/** The data every button and card of a flow carries: which flow instance, which step, what action. */
export const CardDataSchema = z.looseObject({
  flow: z.string().min(1),
  instance: z.string().min(1),
  step: z.string().min(1),
  action: z.enum(['answer', 'back', 'cancel', 'help', 'submit', 'edit', 'anonymous']),
  value: z.string().max(2000).optional(),
});
export type CardData = z.infer<typeof CardDataSchema>;
