import { describe, expect, it } from 'vitest';
import { intakeMachine, type IntakeContext } from '../../machines/intake.machine.js';
import type { AdaptiveCard } from '../../dialogs/card.js';
import { createIntakeDialog } from '../../dialogs/intake.dialog.js';
import { dossierCard, evaluationReminder, referralCard, referrerCard, referrerUpdate, type CardView } from '../../dialogs/referral.card.js';
import { hisSummaryCard, statusOverview } from '../../dialogs/status.dialog.js';
import { cancelled, generalHelp, submitted, welcome } from '../../dialogs/welcome.dialog.js';
import { decide, type Actor, type CaseRequest } from '../../machines/referral-case.js';
import { aanmelding, adele, config, megan, team } from '../fixtures/referral.js';
import type { Json } from '../support/cards.js';

/**
 * Every card must stay readable in Teams' three themes: each piece of text at least 4.5:1 against what it is drawn on
 * (WCAG 2.1, 1.4.3), computed from the colours the card asks for and the theme's palette.
 */

type ColorName = 'default' | 'dark' | 'light' | 'accent' | 'good' | 'warning' | 'attention';
type ContainerStyle = 'default' | 'emphasis' | 'accent' | 'good' | 'attention' | 'warning';
interface Palette {
  background: Record<ContainerStyle, string>;
  /** Per container style: the text colours (#AARRGGBB or #RRGGBB), normal and subtle. */
  foreground: Record<ContainerStyle, Record<ColorName, { default: string; subtle: string }>>;
  /** The style Teams gives a card opened by Action.ShowCard (actions.showCard.style). */
  showCardStyle: ContainerStyle;
}

const fg = (entries: Record<ColorName, [string, string]>) =>
  Object.fromEntries(Object.entries(entries).map(([name, [normal, subtle]]) => [name, { default: normal, subtle }])) as Palette['foreground']['default'];
const sameFor = (styles: Partial<Record<ContainerStyle, Palette['foreground']['default']>>, rest: Palette['foreground']['default']) =>
  ({ default: rest, emphasis: rest, accent: rest, good: rest, attention: rest, warning: rest, ...styles }) as Palette['foreground'];

// Source: microsoft/AdaptiveCards, samples/HostConfig/microsoft-teams-light.json (Teams' host config, light theme).
const LIGHT_FG = fg({
  default: ['#ff252424', '#bf252424'],
  dark: ['#252424', '#bf252424'],
  light: ['#ffffff', '#fff3f2f1'],
  accent: ['#6264a7', '#8b8cc7'],
  good: ['#92c353', '#e592c353'],
  warning: ['#f8d22a', '#e5f8d22a'],
  attention: ['#c4314b', '#e5c4314b'],
});
const LIGHT: Palette = {
  background: { default: '#ffffff', emphasis: '#fff9f8f7', accent: '#C7DEF9', good: '#CCFFCC', attention: '#FFC5B2', warning: '#FFE2B2' },
  foreground: sameFor({}, LIGHT_FG),
  showCardStyle: 'emphasis',
};

// Source: microsoft/AdaptiveCards, samples/HostConfig/microsoft-teams-dark.json (Teams' host config, dark theme). The
// coloured container styles keep their light backgrounds there, with dark default text.
const DARK_FG = fg({
  default: ['#ffffffff', '#bfffffff'],
  dark: ['#ff201f1f', '#ff2d2c2c'],
  light: ['#ffffffff', '#bfffffff'],
  accent: ['#ffa6a7dc', '#ff8b8cc7'],
  good: ['#ff92c353', '#e592c353'],
  warning: ['#fff8d22a', '#e5f8d22a'],
  attention: ['#ffd74654', '#e5d74654'],
});
const DARK_ON_LIGHT_STYLE = { ...DARK_FG, default: { default: '#ff201f1f', subtle: '#ff2d2c2c' } };
const DARK: Palette = {
  background: { default: '#ff2d2c2c', emphasis: '#ff292828', accent: '#C7DEF9', good: '#CCFFCC', attention: '#FFC5B2', warning: '#FFE2B2' },
  foreground: sameFor({ accent: DARK_ON_LIGHT_STYLE, good: DARK_ON_LIGHT_STYLE, attention: DARK_ON_LIGHT_STYLE, warning: DARK_ON_LIGHT_STYLE }, DARK_FG),
  showCardStyle: 'emphasis',
};

// Teams publishes no host config for its high-contrast theme; in it Teams draws cards white on black without style
// backgrounds, with the contrast theme's own accents (Fluent UI teamsHighContrastTheme: #FFFF01, #1AEBFF, #3FF23F).
const CONTRAST: Palette = {
  background: { default: '#000000', emphasis: '#000000', accent: '#000000', good: '#000000', attention: '#000000', warning: '#000000' },
  foreground: sameFor(
    {},
    fg({
      default: ['#ffffff', '#ffffff'],
      dark: ['#ffffff', '#ffffff'],
      light: ['#ffffff', '#ffffff'],
      accent: ['#1aebff', '#1aebff'],
      good: ['#3ff23f', '#3ff23f'],
      warning: ['#ffff01', '#ffff01'],
      attention: ['#ffff01', '#ffff01'],
    }),
  ),
  showCardStyle: 'emphasis',
};

const THEMES: [string, Palette][] = [
  ['light', LIGHT],
  ['dark', DARK],
  ['high contrast', CONTRAST],
];

/** #AARRGGBB or #RRGGBB to [r, g, b, alpha] in 0–1. */
function rgba(hex: string): [number, number, number, number] {
  const h = hex.replace('#', '');
  const [a, rgb] = h.length === 8 ? [parseInt(h.slice(0, 2), 16) / 255, h.slice(2)] : [1, h];
  return [0, 2, 4].map((i) => parseInt(rgb.slice(i, i + 2), 16) / 255).concat(a) as [number, number, number, number];
}

/** The colour a translucent foreground shows on an opaque background. */
function over(foreground: string, background: string): [number, number, number] {
  const [r, g, b, a] = rgba(foreground);
  const [br, bg, bb] = rgba(background);
  return [r * a + br * (1 - a), g * a + bg * (1 - a), b * a + bb * (1 - a)];
}

function luminance([r, g, b]: [number, number, number]): number {
  const linear = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

export function contrastRatio(foreground: string, background: string): number {
  const fore = luminance(over(foreground, background));
  const back = luminance(over(background, '#ffffff'));
  return (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
}

/** Every text of a card with the ratio it gets in a theme, following container styles and shown cards. */
function textContrasts(card: AdaptiveCard, palette: Palette): { text: string; ratio: number }[] {
  const found: { text: string; ratio: number }[] = [];
  const measure = (text: string, color: string | undefined, subtle: boolean, style: ContainerStyle) => {
    const name = (color?.toLowerCase() ?? 'default') as ColorName;
    const colours = palette.foreground[style][name] ?? palette.foreground[style].default;
    found.push({ text, ratio: contrastRatio(subtle ? colours.subtle : colours.default, palette.background[style]) });
  };
  const visit = (node: unknown, style: ContainerStyle): void => {
    if (Array.isArray(node)) return node.forEach((child) => visit(child, style));
    if (node === null || typeof node !== 'object') return;
    const element = node as Json;
    let inner = style;
    if ((element.type === 'Container' || element.type === 'Column' || element.type === 'ColumnSet') && typeof element.style === 'string') inner = element.style as ContainerStyle;
    if (element.type === 'Action.ShowCard') inner = palette.showCardStyle;
    if (element.type === 'TextBlock' || element.type === 'TextRun') measure(String(element.text), element.color as string | undefined, element.isSubtle === true, inner);
    if (element.type === 'FactSet') {
      for (const fact of element.facts as { title: string; value: string }[]) {
        measure(fact.title, undefined, false, inner);
        measure(fact.value, undefined, false, inner);
      }
    }
    if (typeof element.label === 'string' && String(element.type).startsWith('Input.')) measure(element.label, undefined, false, inner);
    for (const [key, value] of Object.entries(element)) if (key !== 'data') visit(value, inner);
  };
  visit(card, 'default');
  return found;
}

// ---------------------------------------------------------------------------------------------------------
// The cards: what the bot sends a referrer, the team and a professional, in their busiest forms.

const T = team();
function after(a: ReturnType<typeof aanmelding>, request: CaseRequest, actor: Actor) {
  const decision = decide(a, request, actor, T, new Date('2026-03-04T10:00:00.000Z'));
  if (!decision.ok) throw new Error(`refused: ${decision.refusal}`);
  return { ...decision.next, version: a.version + 1 };
}
const view = (extra: Partial<CardView> = {}): CardView => ({ config, team: T, ...extra });
const spoed = aanmelding({
  answers: { safety: { concern: true, action: 'veilig-thuis-gemeld' }, consent: undefined, contact: undefined, spoed: { situation: 'Kind alleen thuis', referrerPhone: '0612345678' } },
  triage: { route: 'jeugdconsulent', urgent: true },
  escalation: { level: 1, at: '2026-03-02T10:00:00.000Z' },
});
const claimed = after(aanmelding(), { kind: 'claim' }, adele);
const asked = after(claimed, { kind: 'ask', question: 'Wanneer is het gezin thuis?', questionId: 'q1' }, adele);
const closed = after(claimed, { kind: 'close', reason: 'eenzijdig-gestopt' }, adele);
const intake = createIntakeDialog({ config });
const context: IntakeContext = {
  intakeId: 'contrast',
  service: 'gezinscoach',
  editing: false,
  role: 'huisarts',
  safety: { concern: true, action: 'veilig-thuis-gemeld' },
  children: [{ age: 5 }],
  consent: { referral: 'ja', recordedAt: '2026-03-02T09:30:00.000Z', feedbackToHuisarts: true },
  household: 'ouders-met-kinderen',
  wijk: 'Oostrum',
  hoofdvraag: ['pedagogisch'],
  criteria: [],
  specialistCareNeeded: false,
  explanation: null,
  contact: { name: 'A. de Vries', phone: '06 12345678' },
};
const intakeCard = (state: string, note = {}) => intake.render(intakeMachine.resolveState({ value: state, context }), note)[0]!.card!;

const CARDS: [string, AdaptiveCard][] = [
  ['the welcome card', welcome('Alex').card!],
  ['general help', generalHelp(config).card!],
  ['stopped', cancelled().card!],
  ['sent, with SPOED', submitted(spoed, config, 'Het team ziet de aanmelding nu.').card!],
  ['status', statusOverview([spoed, claimed, closed], [claimed], config).card!],
  ['the HIS summary', hisSummaryCard(claimed, config).card!],
  ['a question re-asked after a problem, a stale button and help', intakeCard('safety', { problem: 'Kies ja of nee.', stale: true, help: true, ack: 'Genoteerd.' })],
  ['the summary with SPOED', intakeCard('summary')],
  ['the channel card, SPOED, escalated, without consent', referralCard(spoed, view({ notice: { text: 'Opgepakt.', tone: 'good' } }))],
  ['the channel card, claimed, with a zorgsignaal', referralCard(aanmelding({ answers: { safety: { concern: false, signal: { meldcode: 'stap-1' } } } }), view({ notice: { text: 'Let op.', tone: 'warning' } }))],
  ['the channel card, closed', referralCard(closed, view({ viewer: { aadObjectId: megan.aadObjectId, role: 'coordinator' } }))],
  ["the referrer's card", referrerCard(closed, config)],
  ['the dossier', dossierCard(asked, config)],
  ['a question to the referrer', referrerUpdate(asked, 'vraag', 0).card!],
  ['an evaluation reminder', evaluationReminder(claimed, '2026-09-04', config, team())],
];

describe("cards in Teams' light, dark and high-contrast themes", () => {
  it('has palettes that compute the known ratios (black on white 21:1, and Teams\' green text on white below 4.5:1)', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#92c353', '#ffffff')).toBeLessThan(4.5);
  });

  describe.each(THEMES)('in the %s theme', (_theme, palette) => {
    it.each(CARDS)('keeps every text of %s at 4.5:1 or more', (_name, card) => {
      const low = textContrasts(card, palette).filter((t) => t.ratio < 4.5);
      expect(low.map((t) => `${t.ratio.toFixed(2)}: ${t.text.slice(0, 60)}`)).toEqual([]);
    });
  });

  it('finds text to measure in every card', () => {
    for (const [, card] of CARDS) expect(textContrasts(card, LIGHT).length).toBeGreaterThan(0);
  });
});
