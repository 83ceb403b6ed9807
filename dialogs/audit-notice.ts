import type { Reply } from './card.js';

/** To each coordinator, 1:1, when the access log does not verify (bot/audit-watch.ts). Names the entry, never a person. */
export function auditVerifyFailed(seq: number, problem: string): Reply {
  return {
    text: [
      `**Let op: het toegangslog klopt niet meer** (NEN 7513). De controle faalt bij regel ${seq}: ${problem}.`,
      'Het log kan zijn gewijzigd, ingekort of geleegd. De bot werkt gewoon door en blijft alles vastleggen.',
      'Vraag de beheerder om `npm run --silent audit -- verify` te draaien en uit te zoeken wat er gebeurd is; meld het als beveiligingsincident volgens jullie eigen afspraken.',
    ].join('\n\n'),
  };
}
