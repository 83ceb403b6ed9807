import { assign, setup } from 'xstate';
import { z } from 'zod';
import {
  ChildSchema,
  ConsentSchema,
  ContactDetailsSchema,
  GV_CAUSE_IDS,
  GV_SUPPORT_FORMS,
  GV_TASKS,
  HouseholdSchema,
  LeefgebiedSchema,
  ReferrerRoleSchema,
  MeldcodeStepSchema,
  SafetyActionSchema,
  type Child,
  type MeldcodeStep,
  type Consent,
  type ContactDetails,
  type GvCause,
  type Household,
  type Leefgebied,
  type ReferrerRole,
  type SafetyAction,
} from '../data/aanmelding.schema.js';
import { consentGivers } from './consent.js';

/**
 * The steps of an aanmelding, each written once, and the flows built from them: the gezinscoach intake and the
 * casemanager's request for a gezinsverzorger are two machines made of two lists of these steps. Pure: answers
 * arrive as events the dialogs already parsed and validated; no I/O and no wall clock.
 */

export const STEP_IDS = [
  'role',
  'safety',
  'children',
  'consent',
  'household',
  'wijk',
  'hoofdvraag',
  'goal',
  'tasks',
  'supportForm',
  'hours',
  'duration',
  'cause',
  'criteria',
  'specialist',
  'explanation',
  'contact',
] as const;
export type EditableStep = (typeof STEP_IDS)[number];
export type IntakeStep = EditableStep | 'summary';

/** The gezinscoach intake (issue: "Een aanmelding doen"). */
export const INTAKE_STEPS = ['role', 'safety', 'children', 'consent', 'household', 'wijk', 'hoofdvraag', 'criteria', 'specialist', 'explanation', 'contact'] as const satisfies readonly EditableStep[];
/** A casemanager's request for a gezinsverzorger: the plan's goal and the help asked, plus the shared steps. */
export const GEZINSVERZORGER_STEPS = ['safety', 'children', 'consent', 'household', 'wijk', 'hoofdvraag', 'goal', 'tasks', 'supportForm', 'hours', 'duration', 'cause', 'criteria', 'explanation', 'contact'] as const satisfies readonly EditableStep[];

export const IntakeContextSchema = z.object({
  intakeId: z.string().min(1),
  service: z.enum(['gezinscoach', 'gezinsverzorger']),
  editing: z.boolean(),
  role: ReferrerRoleSchema.optional(),
  safety: z.object({ concern: z.boolean(), action: SafetyActionSchema.optional(), signal: z.object({ meldcode: MeldcodeStepSchema }).optional() }).optional(),
  children: z.array(ChildSchema).optional(),
  /** Whether a child is in the gemeente's target group (triage rule 4); the dialog knows the age limit. */
  inTargetGroup: z.boolean().optional(),
  consent: z.object({ referral: ConsentSchema, recordedAt: z.string(), feedbackToHuisarts: z.boolean().optional() }).optional(),
  /** The family's own huisartspraktijk, kept only while the family allows informing its huisarts. */
  huisartsPraktijk: z.string().optional(),
  /** What the team configuration knows of the referrer: their practice, and the wijk it suggests. Defaults, not answers. */
  referrer: z.object({ praktijk: z.string().optional(), wijk: z.string().optional(), gezinsverzorgerRole: ReferrerRoleSchema.optional() }).optional(),
  household: HouseholdSchema.optional(),
  wijk: z.string().optional(),
  hoofdvraag: z.array(LeefgebiedSchema).optional(),
  criteria: z.array(z.string()).optional(),
  specialistCareNeeded: z.boolean().optional(),
  /** null: the referrer chose to add nothing. */
  explanation: z.string().nullable().optional(),
  contact: ContactDetailsSchema.optional(),
  /** Who of the team supported this family before (an aadObjectId; only with consent "ja", asked on the contact card). */
  eerderBegeleidDoor: z.string().optional(),
  goal: z.string().optional(),
  tasks: z.array(z.enum(GV_TASKS)).optional(),
  supportForm: z.enum(GV_SUPPORT_FORMS).optional(),
  hoursPerWeek: z.number().optional(),
  durationMonths: z.number().int().optional(),
  cause: z.enum(GV_CAUSE_IDS).optional(),
  /** The short acute form's own answers ("Nu met spoed versturen"). */
  spoed: z.object({ situation: z.string(), referrerPhone: z.string() }).optional(),
  /** Filling in the rest of a short acute aanmelding: its reference. Submitting completes that one. */
  completes: z.string().optional(),
});
export type IntakeContext = z.infer<typeof IntakeContextSchema>;

export interface IntakeInput {
  intakeId: string;
  service?: 'gezinscoach' | 'gezinsverzorger';
  /** Known from the team configuration: the role question is then skipped (it can still be changed). */
  role?: ReferrerRole;
  referrer?: IntakeContext['referrer'];
}

export type IntakeEvent =
  | { type: 'answer.role'; role: ReferrerRole }
  | { type: 'answer.service'; service: 'gezinscoach' | 'gezinsverzorger' }
  /** worry: a concern about safety that is not acute (a zorgsignaal); only with concern false. */
  | { type: 'answer.safety'; concern: boolean; worry?: boolean }
  | { type: 'answer.safetySignal'; meldcode: MeldcodeStep }
  | { type: 'answer.safetyAction'; action: SafetyAction }
  /** The short acute form: ages, wijk, one line and how to reach the referrer; sent at once. */
  | { type: 'answer.spoedForm'; children: Child[]; wijk: string; situation: string; referrerPhone: string }
  /** The acute path, but the whole aanmelding first. */
  | { type: 'spoed.full' }
  /** inTargetGroup: a child is within the gemeente's age limit or on the way (triage rule 4; the dialog knows the limit). */
  | { type: 'answer.children'; children: Child[]; inTargetGroup?: boolean }
  | { type: 'answer.consent'; consent: Consent; at: string }
  /** praktijk: the family's huisartspraktijk, when known. */
  | { type: 'answer.consentFeedback'; allowed: boolean; praktijk?: string }
  | { type: 'consent.anonymous'; at: string }
  | { type: 'answer.household'; household: Household }
  | { type: 'answer.wijk'; wijk: string }
  | { type: 'answer.hoofdvraag'; hoofdvraag: Leefgebied[] }
  | { type: 'answer.goal'; goal: string }
  | { type: 'answer.tasks'; tasks: (typeof GV_TASKS)[number][] }
  | { type: 'answer.supportForm'; form: (typeof GV_SUPPORT_FORMS)[number] }
  | { type: 'answer.hours'; hours: number }
  | { type: 'answer.duration'; months: number }
  | { type: 'answer.cause'; cause: GvCause }
  | { type: 'answer.criteria'; criteria: string[] }
  | { type: 'answer.specialist'; needed: boolean }
  | { type: 'answer.explanation'; explanation: string | null }
  /** eerderBegeleidDoor: who of the team supported the family before (null: nobody, or unknown). */
  | { type: 'answer.contact'; contact: ContactDetails; eerderBegeleidDoor?: string | null }
  | { type: 'summary.submit' }
  | { type: 'summary.edit' }
  | { type: 'edit.step'; step: EditableStep }
  | { type: 'nav.back' }
  | { type: 'nav.cancel' }
  | { type: 'help' };

/**
 * Consent "ja" is the only consent under which the family's contact details are asked and kept; and not for a family
 * outside the target group (issue 14: nothing kept that nobody acts on), unless an acute concern or a casemanager's
 * request for a gezinsverzorger puts it on a route the team works on (triage rules 1 and 3 come before rule 4).
 */
export const mayHoldIdentifyingData = (context: IntakeContext) => context.consent?.referral === 'ja' && !isOutsideTargetGroup(context);

const isOutsideTargetGroup = (context: IntakeContext) => context.inTargetGroup === false && context.safety?.concern !== true && context.service !== 'gezinsverzorger';

/** "nee" ends the aanmelding, unless there is a safety concern: then it goes on without identifying data. */
const refusesConsent = (context: IntakeContext) => context.consent?.referral === 'nee' && context.safety?.concern !== true;

/** One event and one field: most steps are just this. */
const SIMPLE_STEPS = {
  role: ['answer.role', 'assignRole'],
  household: ['answer.household', 'assignHousehold'],
  wijk: ['answer.wijk', 'assignWijk'],
  hoofdvraag: ['answer.hoofdvraag', 'assignHoofdvraag'],
  goal: ['answer.goal', 'assignGoal'],
  tasks: ['answer.tasks', 'assignTasks'],
  supportForm: ['answer.supportForm', 'assignSupportForm'],
  hours: ['answer.hours', 'assignHours'],
  duration: ['answer.duration', 'assignDuration'],
  cause: ['answer.cause', 'assignCause'],
  criteria: ['answer.criteria', 'assignCriteria'],
  specialist: ['answer.specialist', 'assignSpecialist'],
  explanation: ['answer.explanation', 'assignExplanation'],
  contact: ['answer.contact', 'assignContact'],
} as const;

/** Every guard and action the steps use, declared once for every flow. */
export const stepsSetup = setup({
  types: {
    context: {} as IntakeContext,
    events: {} as IntakeEvent,
    input: {} as IntakeInput,
  },
  guards: {
    isEditing: ({ context }) => context.editing,
    knowsRole: ({ context }) => context.role !== undefined,
    // Completing a short acute aanmelding never offers to send another one.
    offersSpoedForm: ({ context }) => context.completes === undefined,
    hasSafetyConcern: ({ event }) => event.type === 'answer.safety' && event.concern,
    hasSafetyWorry: ({ event }) => event.type === 'answer.safety' && !event.concern && event.worry === true,
    refusesConsent: ({ context }) => refusesConsent(context),
    gaveConsent: ({ context }) => mayHoldIdentifyingData(context),
    answersNoConsent: ({ context, event }) => event.type === 'answer.consent' && event.consent === 'nee' && context.safety?.concern !== true,
    // The huisarts hears nothing of a family outside the target group: there is nothing to report back.
    answersConsent: ({ context, event }) => event.type === 'answer.consent' && event.consent === 'ja' && !isOutsideTargetGroup(context),
    needsConsentFeedback: ({ context }) => mayHoldIdentifyingData(context) && context.consent?.feedbackToHuisarts === undefined,
    needsContact: ({ context }) => mayHoldIdentifyingData(context) && context.contact === undefined,
    lacksConsent: ({ context }) => context.consent === undefined,
    changesWhoConsents: ({ context, event }) =>
      event.type === 'answer.children' &&
      context.consent !== undefined &&
      consentGivers(event.children).join() !== consentGivers(context.children ?? []).join(),
    // The request for a gezinsverzorger only for whom the team knows in a role the gemeente allows it (issue 15):
    // answering "Casemanager" proves nothing.
    mayRequestGezinsverzorger: ({ context, event }) =>
      event.type === 'answer.role' && context.referrer?.gezinsverzorgerRole !== undefined && event.role === context.referrer.gezinsverzorgerRole,
    choosesGezinsverzorger: ({ event }) => event.type === 'answer.service' && event.service === 'gezinsverzorger',
    isStep: ({ event }, params: { step: EditableStep }) => event.type === 'edit.step' && event.step === params.step,
  },
  actions: {
    startEditing: assign({ editing: true }),
    stopEditing: assign({ editing: false }),
    assignRole: assign({ role: ({ context, event }) => (event.type === 'answer.role' ? event.role : context.role) }),
    assignSafety: assign({
      safety: ({ context, event }) =>
        event.type === 'answer.safety'
          ? {
              concern: event.concern,
              action: event.concern ? context.safety?.action : undefined,
              signal: !event.concern && event.worry ? context.safety?.signal : undefined,
            }
          : context.safety,
    }),
    assignSafetySignal: assign({
      safety: ({ context, event }) => (event.type === 'answer.safetySignal' ? { concern: false, signal: { meldcode: event.meldcode } } : context.safety),
    }),
    assignSafetyAction: assign({
      safety: ({ context, event }) => (event.type === 'answer.safetyAction' ? { concern: true, action: event.action } : context.safety),
    }),
    assignSpoedForm: assign(({ event }) =>
      event.type === 'answer.spoedForm'
        ? { children: event.children, wijk: event.wijk, spoed: { situation: event.situation, referrerPhone: event.referrerPhone } }
        : {},
    ),
    assignChildren: assign(({ context, event }) => {
      if (event.type !== 'answer.children') return {};
      const next = { ...context, children: event.children, inTargetGroup: event.inTargetGroup };
      // Contact details typed before the ages changed go when the family turns out to be outside the target group.
      return { children: event.children, inTargetGroup: event.inTargetGroup, contact: mayHoldIdentifyingData(next) ? context.contact : undefined };
    }),
    forgetConsent: assign({ consent: undefined }),
    assignConsent: assign(({ context, event }) => {
      if (event.type !== 'answer.consent' && event.type !== 'consent.anonymous') return {};
      const referral = event.type === 'consent.anonymous' ? 'anoniem' : event.consent;
      const keepsFeedback = referral === 'ja' && context.consent?.referral === 'ja';
      return {
        consent: { referral, recordedAt: event.at, feedbackToHuisarts: keepsFeedback ? context.consent?.feedbackToHuisarts : undefined },
        // Without consent "ja" nothing that identifies the family may be kept (domain.md, privacy rules).
        contact: referral === 'ja' ? context.contact : undefined,
        huisartsPraktijk: keepsFeedback ? context.huisartsPraktijk : undefined,
      };
    }),
    assignConsentFeedback: assign(({ context, event }) =>
      event.type === 'answer.consentFeedback' && context.consent
        ? { consent: { ...context.consent, feedbackToHuisarts: event.allowed }, huisartsPraktijk: event.allowed ? event.praktijk : undefined }
        : {},
    ),
    assignHousehold: assign({ household: ({ context, event }) => (event.type === 'answer.household' ? event.household : context.household) }),
    assignWijk: assign({ wijk: ({ context, event }) => (event.type === 'answer.wijk' ? event.wijk : context.wijk) }),
    assignHoofdvraag: assign({ hoofdvraag: ({ context, event }) => (event.type === 'answer.hoofdvraag' ? event.hoofdvraag : context.hoofdvraag) }),
    assignGoal: assign({ goal: ({ context, event }) => (event.type === 'answer.goal' ? event.goal : context.goal) }),
    assignTasks: assign({ tasks: ({ context, event }) => (event.type === 'answer.tasks' ? event.tasks : context.tasks) }),
    assignSupportForm: assign({ supportForm: ({ context, event }) => (event.type === 'answer.supportForm' ? event.form : context.supportForm) }),
    assignHours: assign({ hoursPerWeek: ({ context, event }) => (event.type === 'answer.hours' ? event.hours : context.hoursPerWeek) }),
    assignDuration: assign({ durationMonths: ({ context, event }) => (event.type === 'answer.duration' ? event.months : context.durationMonths) }),
    assignCause: assign({ cause: ({ context, event }) => (event.type === 'answer.cause' ? event.cause : context.cause) }),
    assignCriteria: assign({ criteria: ({ context, event }) => (event.type === 'answer.criteria' ? event.criteria : context.criteria) }),
    assignSpecialist: assign({
      specialistCareNeeded: ({ context, event }) => (event.type === 'answer.specialist' ? event.needed : context.specialistCareNeeded),
    }),
    assignExplanation: assign({ explanation: ({ context, event }) => (event.type === 'answer.explanation' ? event.explanation : context.explanation) }),
    assignContact: assign(({ context, event }) =>
      event.type === 'answer.contact'
        ? { contact: event.contact, eerderBegeleidDoor: event.eerderBegeleidDoor === undefined ? context.eerderBegeleidDoor : (event.eerderBegeleidDoor ?? undefined) }
        : {},
    ),
  },
});

type Transition = { guard?: string | { type: string; params: unknown }; target: string; actions?: string | string[] };

/**
 * The states of one flow from its list of steps. Each step moves on to the next one, or back to the summary
 * (through "resume") when the referrer was changing an answer; "terug" goes to the previous step. Contact
 * details are a step only with consent "ja".
 */
export function flowStates(steps: readonly EditableStep[], options: { serviceChoice?: boolean; backToIntake?: boolean; spoedForm?: boolean } = {}) {
  const states: Record<string, unknown> = {};
  const afterContact = (i: number) => steps[i + 1] ?? 'summary';
  /** Where an answer at step i goes: the next step (skipping contact without consent "ja"). */
  const forward = (i: number, actions: string | string[]): Transition[] => {
    const next = steps[i + 1] ?? 'summary';
    const editing: Transition = { guard: 'isEditing', target: 'resume', actions };
    if (next === 'contact') return [editing, { guard: 'gaveConsent', target: 'contact', actions }, { target: afterContact(i + 1), actions }];
    return [editing, { target: next, actions }];
  };
  /** "terug" from step i: the previous step, or the summary (through resume) while changing an answer. */
  const back = (i: number): Transition[] => {
    const previous = steps[i - 1];
    // The first question of a flow that was chosen in the intake: "terug" goes back to that choice.
    if (!previous) return options.backToIntake ? [{ guard: 'isEditing', target: 'resume' }, { target: 'backToIntake' }] : [{ guard: 'isEditing', target: 'resume' }];
    if (previous === 'contact') return [{ guard: 'isEditing', target: 'resume' }, { guard: 'gaveConsent', target: 'contact' }, { target: steps[i - 2]! }];
    return [{ guard: 'isEditing', target: 'resume' }, { target: previous }];
  };

  steps.forEach((step, i) => {
    switch (step) {
      case 'safety':
        states.safety = {
          on: {
            'answer.safety': [
              { guard: 'hasSafetyConcern', target: 'safetyAdvice', actions: 'assignSafety' },
              { guard: 'hasSafetyWorry', target: 'safetySignal', actions: 'assignSafety' },
              ...forward(i, 'assignSafety'),
            ],
            'nav.back': back(i),
          },
        };
        // A worry that is not acute: where the referrer is in the meldcode, recorded as a zorgsignaal.
        states.safetySignal = { on: { 'answer.safetySignal': forward(i, 'assignSafetySignal'), 'nav.back': [{ target: 'safety' }] } };
        // Acute concern: 112, Veilig Thuis and the meldcode come before anything else; then the case goes on as urgent.
        if (options.spoedForm) {
          // ... and it can be sent at once with the minimum, the rest filled in later (domain.md, "Safety in practice").
          const [editing, ...onwards] = forward(i, 'assignSafetyAction');
          states.safetyAdvice = {
            on: { 'answer.safetyAction': [editing!, { guard: 'offersSpoedForm', target: 'spoedForm', actions: 'assignSafetyAction' }, ...onwards], 'nav.back': [{ target: 'safety' }] },
          };
          states.spoedForm = {
            on: {
              'answer.spoedForm': { target: 'submitted', actions: 'assignSpoedForm' },
              'spoed.full': forward(i, []).slice(1),
              'nav.back': 'safetyAdvice',
            },
          };
        } else {
          states.safetyAdvice = { on: { 'answer.safetyAction': forward(i, 'assignSafetyAction'), 'nav.back': [{ target: 'safety' }] } };
        }
        break;
      case 'children':
        states.children = {
          on: {
            'answer.children': [{ guard: 'changesWhoConsents', target: 'consent', actions: ['assignChildren', 'forgetConsent'] }, ...forward(i, 'assignChildren')],
            'nav.back': back(i),
          },
        };
        break;
      case 'consent': {
        const next = forward(i, 'assignConsent');
        states.consent = {
          on: {
            'answer.consent': [
              { guard: 'answersNoConsent', target: 'consentRefused', actions: 'assignConsent' },
              { guard: 'answersConsent', target: 'consentFeedback', actions: 'assignConsent' },
              ...next,
            ],
            'nav.back': back(i),
          },
        };
        states.consentFeedback = { on: { 'answer.consentFeedback': forward(i, 'assignConsentFeedback'), 'nav.back': 'consent' } };
        // No consent and no safety concern: guidance on asking consent, and the offer of an anonymous consultation.
        states.consentRefused = { on: { 'consent.anonymous': next, 'nav.back': 'consent' } };
        break;
      }
      case 'role': {
        const [event, action] = SIMPLE_STEPS.role;
        states.role = {
          on: {
            // A casemanager first says what they ask for: a gezinscoach, or a gezinsverzorger (its own flow).
            [event]: options.serviceChoice
              ? [{ guard: 'isEditing', target: 'resume', actions: action }, { guard: 'mayRequestGezinsverzorger', target: 'service', actions: action }, ...forward(i, action).slice(1)]
              : forward(i, action),
            'nav.back': back(i),
          },
        };
        if (options.serviceChoice) {
          states.service = {
            on: {
              'answer.service': [{ guard: 'choosesGezinsverzorger', target: 'toGezinsverzorger' }, { target: steps[i + 1] ?? 'summary' }],
              'nav.back': 'role',
            },
          };
          states.toGezinsverzorger = { type: 'final' };
        }
        break;
      }
      default: {
        const [event, action] = SIMPLE_STEPS[step];
        states[step] = { on: { [event]: forward(i, action), 'nav.back': back(i) } };
      }
    }
  });

  const lastBeforeSummary = steps.length - 1;
  Object.assign(states, {
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
        // "wijzig de wijk" typed at the summary: straight to that step.
        'edit.step': steps.map((step) => ({ guard: { type: 'isStep', params: { step } }, target: step, actions: 'startEditing' })),
        // A whole aanmelding is one click from lost: ask once.
        'nav.cancel': 'confirmCancel',
        'nav.back': steps[lastBeforeSummary] === 'contact' ? [{ guard: 'gaveConsent', target: 'contact' }, { target: steps[lastBeforeSummary - 1]! }] : steps[lastBeforeSummary]!,
      },
    },
    editMenu: {
      on: {
        'edit.step': steps.map((step) => ({ guard: { type: 'isStep', params: { step } }, target: step, actions: 'startEditing' })),
        'nav.back': 'summary',
        'nav.cancel': 'confirmCancel',
      },
    },
    // "Weet je het zeker?": stopping again stops; Terug (or Nee) goes back to the summary.
    confirmCancel: {
      on: {
        'nav.cancel': 'cancelled',
        'nav.back': 'summary',
      },
    },
    submitted: { type: 'final' },
    cancelled: { type: 'final' },
    ...(options.backToIntake ? { backToIntake: { type: 'final' } } : {}),
  });
  return states;
}

/** Which visible step a state belongs to (sub-states share the number of their step). */
export function stepOf(state: string): IntakeStep | undefined {
  const sub: Record<string, IntakeStep> = {
    safetyAdvice: 'safety',
    safetySignal: 'safety',
    // spoedForm is no step of the intake: the short acute form stands apart (no "Stap n van m").
    consentFeedback: 'consent',
    consentRefused: 'consent',
    service: 'role',
    editMenu: 'summary',
    confirmCancel: 'summary',
  };
  if (sub[state]) return sub[state];
  return state === 'summary' || (STEP_IDS as readonly string[]).includes(state) ? (state as IntakeStep) : undefined;
}

/** The steps of the flow this context belongs to. */
export function stepsOf(context: IntakeContext): readonly EditableStep[] {
  return context.service === 'gezinsverzorger' ? GEZINSVERZORGER_STEPS : INTAKE_STEPS;
}

/** The progress line's numbers: contact details are only a step when consent is "ja". */
export function progressOf(state: string, context: IntakeContext): { step: number; total: number } | undefined {
  const step = stepOf(state);
  if (!step) return undefined;
  const steps: IntakeStep[] = [...stepsOf(context).filter((s) => s !== 'contact' || context.consent === undefined || mayHoldIdentifyingData(context)), 'summary'];
  const index = steps.indexOf(step);
  return index < 0 ? undefined : { step: index + 1, total: steps.length };
}
