import { assign, setup } from 'xstate';
import { z } from 'zod';
import {
  ChildSchema,
  ConsentSchema,
  ContactDetailsSchema,
  HouseholdSchema,
  LeefgebiedSchema,
  ReferrerRoleSchema,
  SafetyActionSchema,
  type Child,
  type Consent,
  type ContactDetails,
  type Household,
  type Leefgebied,
  type ReferrerRole,
  type SafetyAction,
} from '../data/aanmelding.schema.js';
import { consentGivers } from './consent.js';

/**
 * The aanmelding conversation as a statechart. Pure: answers arrive as events that the dialogs already
 * parsed and validated; no I/O and no wall clock (times come in with the events).
 */

/** The steps a referrer sees, in order; the progress line counts these. */
export const INTAKE_STEPS = [
  'role',
  'safety',
  'children',
  'consent',
  'household',
  'wijk',
  'hoofdvraag',
  'criteria',
  'specialist',
  'explanation',
  'contact',
  'summary',
] as const;
export type IntakeStep = (typeof INTAKE_STEPS)[number];
export const EDITABLE_STEPS = INTAKE_STEPS.filter((s): s is Exclude<IntakeStep, 'summary'> => s !== 'summary');
export type EditableStep = (typeof EDITABLE_STEPS)[number];

export const IntakeContextSchema = z.object({
  intakeId: z.string().min(1),
  service: z.enum(['gezinscoach', 'gezinsverzorger']),
  editing: z.boolean(),
  role: ReferrerRoleSchema.optional(),
  safety: z.object({ concern: z.boolean(), action: SafetyActionSchema.optional() }).optional(),
  children: z.array(ChildSchema).optional(),
  consent: z
    .object({ referral: ConsentSchema, recordedAt: z.string(), feedbackToHuisarts: z.boolean().optional() })
    .optional(),
  household: HouseholdSchema.optional(),
  wijk: z.string().optional(),
  hoofdvraag: z.array(LeefgebiedSchema).optional(),
  criteria: z.array(z.string()).optional(),
  specialistCareNeeded: z.boolean().optional(),
  /** null: the referrer chose to add nothing. */
  explanation: z.string().nullable().optional(),
  contact: ContactDetailsSchema.optional(),
});
export type IntakeContext = z.infer<typeof IntakeContextSchema>;

export interface IntakeInput {
  intakeId: string;
  service?: 'gezinscoach' | 'gezinsverzorger';
}

export type IntakeEvent =
  | { type: 'answer.role'; role: ReferrerRole }
  | { type: 'answer.safety'; concern: boolean }
  | { type: 'answer.safetyAction'; action: SafetyAction }
  | { type: 'answer.children'; children: Child[] }
  | { type: 'answer.consent'; consent: Consent; at: string }
  | { type: 'answer.consentFeedback'; allowed: boolean }
  | { type: 'consent.anonymous'; at: string }
  | { type: 'answer.household'; household: Household }
  | { type: 'answer.wijk'; wijk: string }
  | { type: 'answer.hoofdvraag'; hoofdvraag: Leefgebied[] }
  | { type: 'answer.criteria'; criteria: string[] }
  | { type: 'answer.specialist'; needed: boolean }
  | { type: 'answer.explanation'; explanation: string | null }
  | { type: 'answer.contact'; contact: ContactDetails }
  | { type: 'summary.submit' }
  | { type: 'summary.edit' }
  | { type: 'edit.step'; step: EditableStep }
  | { type: 'nav.back' }
  | { type: 'nav.cancel' }
  | { type: 'help' };

/** Consent "ja" is the only consent under which the family's contact details are asked and kept. */
export const mayHoldIdentifyingData = (context: IntakeContext) => context.consent?.referral === 'ja';

/** "nee" ends the aanmelding, unless there is a safety concern: then it goes on without identifying data. */
const refusesConsent = (context: IntakeContext) => context.consent?.referral === 'nee' && context.safety?.concern !== true;

export const intakeMachine = setup({
  types: {
    context: {} as IntakeContext,
    events: {} as IntakeEvent,
    input: {} as IntakeInput,
  },
  guards: {
    isEditing: ({ context }) => context.editing,
    hasSafetyConcern: ({ event }) => event.type === 'answer.safety' && event.concern,
    refusesConsent: ({ context }) => refusesConsent(context),
    gaveConsent: ({ context }) => mayHoldIdentifyingData(context),
    answersNoConsent: ({ context, event }) =>
      event.type === 'answer.consent' && event.consent === 'nee' && context.safety?.concern !== true,
    answersConsent: ({ event }) => event.type === 'answer.consent' && event.consent === 'ja',
    needsConsentFeedback: ({ context }) => mayHoldIdentifyingData(context) && context.consent?.feedbackToHuisarts === undefined,
    needsContact: ({ context }) => mayHoldIdentifyingData(context) && context.contact === undefined,
    lacksConsent: ({ context }) => context.consent === undefined,
    changesWhoConsents: ({ context, event }) =>
      event.type === 'answer.children' &&
      context.consent !== undefined &&
      consentGivers(event.children).join() !== consentGivers(context.children ?? []).join(),
    isStep: ({ event }, params: { step: EditableStep }) => event.type === 'edit.step' && event.step === params.step,
  },
  actions: {
    startEditing: assign({ editing: true }),
    stopEditing: assign({ editing: false }),
    assignRole: assign({ role: ({ event }) => (event.type === 'answer.role' ? event.role : undefined) }),
    assignSafety: assign({
      safety: ({ context, event }) =>
        event.type === 'answer.safety'
          ? { concern: event.concern, action: event.concern ? context.safety?.action : undefined }
          : context.safety,
    }),
    assignSafetyAction: assign({
      safety: ({ event }) => (event.type === 'answer.safetyAction' ? { concern: true, action: event.action } : undefined),
    }),
    assignChildren: assign({ children: ({ context, event }) => (event.type === 'answer.children' ? event.children : context.children) }),
    forgetConsent: assign({ consent: undefined }),
    assignConsent: assign(({ context, event }) => {
      if (event.type !== 'answer.consent' && event.type !== 'consent.anonymous') return {};
      const referral = event.type === 'consent.anonymous' ? 'anoniem' : event.consent;
      const keepsFeedback = referral === 'ja' && context.consent?.referral === 'ja';
      return {
        consent: { referral, recordedAt: event.at, feedbackToHuisarts: keepsFeedback ? context.consent?.feedbackToHuisarts : undefined },
        // Without consent "ja" nothing that identifies the family may be kept (domain.md, privacy rules).
        contact: referral === 'ja' ? context.contact : undefined,
      };
    }),
    assignConsentFeedback: assign({
      consent: ({ context, event }) =>
        event.type === 'answer.consentFeedback' && context.consent ? { ...context.consent, feedbackToHuisarts: event.allowed } : context.consent,
    }),
    assignHousehold: assign({ household: ({ context, event }) => (event.type === 'answer.household' ? event.household : context.household) }),
    assignWijk: assign({ wijk: ({ context, event }) => (event.type === 'answer.wijk' ? event.wijk : context.wijk) }),
    assignHoofdvraag: assign({
      hoofdvraag: ({ context, event }) => (event.type === 'answer.hoofdvraag' ? event.hoofdvraag : context.hoofdvraag),
    }),
    assignCriteria: assign({ criteria: ({ context, event }) => (event.type === 'answer.criteria' ? event.criteria : context.criteria) }),
    assignSpecialist: assign({
      specialistCareNeeded: ({ context, event }) => (event.type === 'answer.specialist' ? event.needed : context.specialistCareNeeded),
    }),
    assignExplanation: assign({
      explanation: ({ context, event }) => (event.type === 'answer.explanation' ? event.explanation : context.explanation),
    }),
    assignContact: assign({ contact: ({ context, event }) => (event.type === 'answer.contact' ? event.contact : context.contact) }),
  },
}).createMachine({
  id: 'intake',
  initial: 'role',
  context: ({ input }) => ({ intakeId: input.intakeId, service: input.service ?? 'gezinscoach', editing: false }),
  on: {
    'nav.cancel': '.cancelled',
    // Help changes nothing: the dialog explains the current step and asks it again.
    help: {},
  },
  states: {
    role: {
      // Only while changing an answer: there is no step before the first.
      on: { 'answer.role': answered('safety', 'assignRole'), 'nav.back': { guard: 'isEditing', target: 'resume' } },
    },
    safety: {
      on: {
        'answer.safety': [
          { guard: 'hasSafetyConcern', target: 'safetyAdvice', actions: 'assignSafety' },
          ...answered('children', 'assignSafety'),
        ],
        'nav.back': back('role'),
      },
    },
    // Acute concern: 112, Veilig Thuis and the meldcode come before anything else; then the case goes on as urgent.
    safetyAdvice: {
      on: {
        'answer.safetyAction': answered('children', 'assignSafetyAction'),
        'nav.back': back('safety'),
      },
    },
    children: {
      on: {
        'answer.children': [
          { guard: 'changesWhoConsents', target: 'consent', actions: ['assignChildren', 'forgetConsent'] },
          ...answered('consent', 'assignChildren'),
        ],
        'nav.back': back('safety'),
      },
    },
    consent: {
      on: {
        'answer.consent': [
          { guard: 'answersNoConsent', target: 'consentRefused', actions: 'assignConsent' },
          { guard: 'answersConsent', target: 'consentFeedback', actions: 'assignConsent' },
          ...answered('household', 'assignConsent'),
        ],
        'nav.back': back('children'),
      },
    },
    consentFeedback: {
      on: {
        'answer.consentFeedback': answered('household', 'assignConsentFeedback'),
        'nav.back': 'consent',
      },
    },
    // No consent and no safety concern: guidance on asking consent, and the offer of an anonymous consultation.
    consentRefused: {
      on: {
        'consent.anonymous': answered('household', 'assignConsent'),
        'nav.back': 'consent',
      },
    },
    household: {
      on: { 'answer.household': answered('wijk', 'assignHousehold'), 'nav.back': back('consent') },
    },
    wijk: {
      on: { 'answer.wijk': answered('hoofdvraag', 'assignWijk'), 'nav.back': back('household') },
    },
    hoofdvraag: {
      on: { 'answer.hoofdvraag': answered('criteria', 'assignHoofdvraag'), 'nav.back': back('wijk') },
    },
    criteria: {
      on: { 'answer.criteria': answered('specialist', 'assignCriteria'), 'nav.back': back('hoofdvraag') },
    },
    specialist: {
      on: { 'answer.specialist': answered('explanation', 'assignSpecialist'), 'nav.back': back('criteria') },
    },
    explanation: {
      on: {
        'answer.explanation': [
          { guard: 'isEditing', target: 'resume', actions: 'assignExplanation' },
          { guard: 'gaveConsent', target: 'contact', actions: 'assignExplanation' },
          { target: 'summary', actions: 'assignExplanation' },
        ],
        'nav.back': back('specialist'),
      },
    },
    contact: {
      on: { 'answer.contact': answered('summary', 'assignContact'), 'nav.back': back('explanation') },
    },
    // After a change from the summary: ask what the change made necessary, then show the summary again.
    resume: {
      always: [
        { guard: 'lacksConsent', target: 'consent' },
        { guard: 'refusesConsent', target: 'consentRefused' },
        { guard: 'needsConsentFeedback', target: 'consentFeedback' },
        { guard: 'needsContact', target: 'contact' },
        { target: 'summary', actions: 'stopEditing' },
      ],
    },
    summary: {
      on: {
        'summary.submit': 'submitted',
        'summary.edit': 'editMenu',
        'nav.back': [{ guard: 'gaveConsent', target: 'contact' }, { target: 'explanation' }],
      },
    },
    editMenu: {
      on: {
        'edit.step': EDITABLE_STEPS.map((step) => ({
          guard: { type: 'isStep' as const, params: { step } },
          target: step,
          actions: 'startEditing' as const,
        })),
        'nav.back': 'summary',
      },
    },
    submitted: { type: 'final' },
    cancelled: { type: 'final' },
  },
});

/** An answer moves on to the next step, or back to the summary when the referrer was changing it. */
function answered<const TAction extends string>(next: string, action: TAction) {
  return [
    { guard: 'isEditing' as const, target: 'resume', actions: action },
    { target: next, actions: action },
  ];
}

/**
 * "terug" goes to the previous step, or back to the summary (unchanged) when the referrer was changing it —
 * unless the change already made another answer necessary (new ages: consent again; consent "ja": feedback
 * and contact details); then that question comes first, so the summary never shows an incomplete aanmelding.
 */
function back(previous: string) {
  return [{ guard: 'isEditing' as const, target: 'resume' }, { target: previous }];
}

export type IntakeMachine = typeof intakeMachine;
export type IntakeState = keyof (typeof intakeMachine)['config']['states'] & string;

/** Which visible step a state belongs to (sub-steps share the number of their step). */
export function stepOf(state: string): IntakeStep | undefined {
  const sub: Record<string, IntakeStep> = {
    safetyAdvice: 'safety',
    consentFeedback: 'consent',
    consentRefused: 'consent',
    editMenu: 'summary',
  };
  return sub[state] ?? (INTAKE_STEPS as readonly string[]).find((s) => s === state) as IntakeStep | undefined;
}

/** The progress line's numbers: contact details are only a step when consent is "ja". */
export function progressOf(state: string, context: IntakeContext): { step: number; total: number } | undefined {
  const step = stepOf(state);
  if (!step) return undefined;
  const steps = INTAKE_STEPS.filter((s) => s !== 'contact' || context.consent === undefined || mayHoldIdentifyingData(context));
  return { step: steps.indexOf(step) + 1, total: steps.length };
}
