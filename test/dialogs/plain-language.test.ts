import { describe, expect, it } from 'vitest';
import { gemeenteConfigPath, loadGemeenteConfig, type GemeenteConfig } from '../../data/gemeente.config.js';
import { createIntakeDialog } from '../../dialogs/intake.dialog.js';
import { generalHelp } from '../../dialogs/welcome.dialog.js';
import { gezinsverzorgerMachine } from '../../machines/gezinsverzorger.machine.js';
import { intakeMachine, type IntakeContext } from '../../machines/intake.machine.js';
import { cardOf, walk } from '../support/cards.js';

/** Issue 16: texts come from the gemeente's configuration, not from one gemeente that happened to be first. */

const gemeente = (name: string) => loadGemeenteConfig(gemeenteConfigPath({ GEMEENTE: name }));
const context: IntakeContext = { intakeId: 'test', service: 'gezinscoach', editing: false, role: 'huisarts', children: [{ age: 5 }] };

function allText(replies: ReturnType<ReturnType<typeof createIntakeDialog>['render']>): string {
  const parts: string[] = [];
  walk(cardOf(replies), (element) => {
    if (typeof element.text === 'string') parts.push(element.text);
  });
  return parts.join('\n');
}

const helpAt = (config: GemeenteConfig, state: string, kind: 'intake' | 'gezinsverzorger' = 'intake') => {
  const machine = kind === 'intake' ? intakeMachine : gezinsverzorgerMachine;
  const snapshot = machine.resolveState({ value: state, context: { ...context, service: kind === 'intake' ? 'gezinscoach' : 'gezinsverzorger' } });
  return allText(createIntakeDialog({ config, kind }).render(snapshot as never, { help: true }));
};

describe('texts from the configuration', () => {
  it('promises a keukentafelgesprek only where the gemeente offers one', () => {
    expect(helpAt(gemeente('venray'), 'criteria')).toContain('keukentafelgesprek');
    expect(helpAt(gemeente('voorbeeldstad-18'), 'criteria')).not.toContain('keukentafelgesprek');
    expect(helpAt(gemeente('voorbeeldstad-18'), 'criteria')).toContain('jeugdconsulent');
  });

  it('names only the routes the gemeente offers in the general help', () => {
    const text = JSON.stringify(generalHelp(gemeente('voorbeeldstad-18')));
    expect(text).toContain('gezinscoach en jeugdconsulent');
    expect(text).not.toContain('keukentafelgesprek');
  });

  it('shows the Groningen averages for a gezinsverzorger only where the configuration has them', () => {
    const groningen = gemeente('groningen');
    expect(helpAt(groningen, 'hours', 'gezinsverzorger')).toContain('de inzet was gemiddeld 4 tot 5 uur per week per gezin (Groningen, 2022–2023)');
    const elsewhere = { ...groningen, gezinsverzorgerGemiddelden: undefined };
    for (const state of ['hours', 'duration']) expect(helpAt(elsewhere, state, 'gezinsverzorger')).not.toMatch(/Groningen|4 tot 5|7,7/);
  });
});
