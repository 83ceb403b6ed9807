import { flowStates, GEZINSVERZORGER_STEPS, stepsSetup } from './steps.js';

/**
 * A casemanager's request for a gezinsverzorger (seeds 000 and 001): the shared steps (safety, family, consent,
 * wijk, criteria, contact, summary) plus the goal from the casemanager's plan, tasks, form of support, hours a
 * week, expected duration and the cause, which sets the target group (tijdelijk or langdurig). "Terug" at its
 * first question ends it in "backToIntake": back to the intake's question what the casemanager asks for.
 */
export const gezinsverzorgerMachine = stepsSetup.createMachine({
  id: 'gezinsverzorger',
  initial: 'safety',
  context: ({ input }) => ({ intakeId: input.intakeId, service: 'gezinsverzorger' as const, editing: false, role: input.role ?? 'casemanager' }),
  on: {
    'nav.cancel': '.cancelled',
    help: {},
  },
  states: flowStates(GEZINSVERZORGER_STEPS, { backToIntake: true }) as Record<string, object>,
});

export type GezinsverzorgerMachine = typeof gezinsverzorgerMachine;
