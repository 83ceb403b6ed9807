import { flowStates, INTAKE_STEPS, stepsSetup, type EditableStep } from './steps.js';

export {
  INTAKE_STEPS,
  IntakeContextSchema,
  mayHoldIdentifyingData,
  progressOf,
  stepOf,
  type EditableStep,
  type IntakeContext,
  type IntakeEvent,
  type IntakeInput,
  type IntakeStep,
} from './steps.js';

/** The steps of the gezinscoach intake that can be changed from the summary. */
export const EDITABLE_STEPS: readonly EditableStep[] = INTAKE_STEPS;

/**
 * The aanmelding for a gezinscoach as a statechart: role, safety first (112, Veilig Thuis and the meldcode on
 * acute concern), children, consent asked of the right person, household, wijk, hoofdvraag, complexity
 * criteria, specialist care, explanation, contact details (consent "ja" only), summary. A casemanager is asked
 * first whether they want a gezinscoach or a gezinsverzorger; the latter ends this flow in "toGezinsverzorger".
 */
export const intakeMachine = stepsSetup.createMachine({
  id: 'intake',
  initial: 'start',
  context: ({ input }) => ({
    intakeId: input.intakeId,
    service: 'gezinscoach' as const,
    editing: false,
    ...(input.role ? { role: input.role } : {}),
    ...(input.referrer ? { referrer: input.referrer } : {}),
  }),
  on: {
    'nav.cancel': '.cancelled',
    // Help changes nothing: the dialog explains the current step and asks it again.
    help: {},
  },
  states: {
    // A role the team configuration knows is not asked again (issue 16: fewer taps); Terug still reaches it.
    start: { always: [{ guard: 'knowsRole', target: 'safety' }, { target: 'role' }] },
    ...(flowStates(INTAKE_STEPS, { serviceChoice: true, spoedForm: true }) as Record<string, object>),
  },
});

export type IntakeMachine = typeof intakeMachine;
