import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';
import { formatIssues } from './zod-messages.js';

/** Every route the product knows. Which of them a gemeente offers is configuration. */
export const ROUTE_IDS = [
  'gezinscoach',
  'keukentafelgesprek',
  'jeugdconsulent',
  'gezinsverzorger',
  'toestemming-nodig',
  'buiten-doelgroep',
] as const;
export const RouteIdSchema = z.enum(ROUTE_IDS);
export type RouteId = z.infer<typeof RouteIdSchema>;

/** Routes that are a service someone delivers (the others are outcomes of triage). */
export const SERVICE_ROUTE_IDS = ['gezinscoach', 'keukentafelgesprek', 'jeugdconsulent', 'gezinsverzorger'] as const;
export const ServiceRouteIdSchema = z.enum(SERVICE_ROUTE_IDS);
export type ServiceRouteId = z.infer<typeof ServiceRouteIdSchema>;

const idSchema = z
  .string()
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'gebruik kleine letters, cijfers en streepjes (bijv. "meerdere-leefgebieden")');

export const CriterionSchema = z.strictObject({
  id: idSchema,
  /** The wording of the gemeente's own document, shown to referrers and in reasons. */
  label: z.string().min(3).max(140),
  /** One or two sentences that help a referrer decide whether the criterion applies. */
  explanation: z.string().min(3).max(400),
  /** Counts only together with another criterion (Venray: cultuur-taal, seed 004 Bijlage 3). */
  onlyInCombination: z.boolean().default(false),
});
export type Criterion = z.infer<typeof CriterionSchema>;

const RouteTextSchema = z.strictObject({
  label: z.string().min(2).max(60),
  description: z.string().min(3).max(400),
});

/**
 * How much support a running case gets (seed 004, domain.md "Intensity classes and capacity norms"): licht is the
 * default; waakvlam and complex-intensief count against the team's norms and need the gedragswetenschapper's agreement.
 */
export const INTENSITIES = ['licht', 'waakvlam', 'complex-intensief'] as const;
export const IntensitySchema = z.enum(INTENSITIES);
export type Intensity = z.infer<typeof IntensitySchema>;

/** The seeds' definitions (seed 004), as the team reads them on the card; a gemeente may word its own. */
export const DEFAULT_INTENSITEITEN: Record<Intensity, { label: string; description: string }> = {
  licht: { label: 'Licht', description: 'Kortdurende, lichte ondersteuning; gemiddeld ongeveer een half jaar.' },
  waakvlam: { label: 'Waakvlam', description: 'Duurzame waakvlamondersteuning: hoogstens 2 uur per maand, minstens een jaar.' },
  'complex-intensief': { label: 'Complex-intensief', description: 'Gemiddeld meer dan 2 uur per week, enkele maanden lang.' },
};

/** Days of the week, as a team writes them in its working hours. */
export const WEEKDAY_IDS = ['ma', 'di', 'wo', 'do', 'vr', 'za', 'zo'] as const;
const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const clockTime = z.string().regex(CLOCK_TIME, 'gebruik uu:mm, bijv. "08:30"');

/** When the jeugdconsulenten work, in Dutch time (Europe/Amsterdam). */
export const WerktijdenSchema = z
  .strictObject({
    dagen: z.array(z.enum(WEEKDAY_IDS)).min(1).max(7),
    van: clockTime,
    tot: clockTime,
  })
  // Compared as text, which is right for two well-formed times only (a malformed one has its own message).
  .refine((w) => !CLOCK_TIME.test(w.van) || !CLOCK_TIME.test(w.tot) || w.van < w.tot, { message: '"van" moet vóór "tot" liggen', path: ['tot'] });
export type Werktijden = z.infer<typeof WerktijdenSchema>;
export const DEFAULT_WERKTIJDEN: Werktijden = { dagen: ['ma', 'di', 'wo', 'do', 'vr'], van: '08:30', tot: '17:00' };

export const DEFAULT_LEEFTIJDSGROEPEN = [0, 4, 12];

/** The intake's referrer roles (aanmelding.schema.ts REFERRER_ROLES; repeated here, as that file imports this one). */
export const GV_REQUESTER_ROLES = ['huisarts', 'poh', 'casemanager', 'jgz', 'school', 'soj', 'ouder', 'anders'] as const;

/** Where a family is referred on to at closure, when a gemeente names none (seed 004: voorliggend veld and tweede lijn). */
export const DEFAULT_ORGANISATIES = [
  'Jeugdconsulent van de gemeente',
  'Specialistische jeugdhulp',
  'Jeugd-GGZ',
  'Wijkteam',
  'Algemeen maatschappelijk werk',
  'Schuldhulpverlening',
  'Jeugdgezondheidszorg (JGZ)',
  'Veilig Thuis',
  'Andere organisatie',
];

/** Room for the wijk names on the wijk card (see the check below). */
export const MAX_WIJKEN_BYTES = 8000;

export const GemeenteConfigSchema = z
  .strictObject({
    gemeente: z.string().min(2).max(80),
    /** Youth up to and including this age are in the target group (seed 004: 23). */
    ageLimit: z.number().int().min(12).max(27),
    /** The services this gemeente offers. gezinscoach and jeugdconsulent are always needed. */
    services: z.array(ServiceRouteIdSchema).min(2),
    routes: z.strictObject(
      Object.fromEntries(ROUTE_IDS.map((id) => [id, RouteTextSchema])) as Record<RouteId, typeof RouteTextSchema>,
    ),
    criteria: z.array(CriterionSchema).min(1).max(20),
    /** Wijken and dorpen a family can live in, in the order a referrer expects to see them. */
    wijken: z.array(z.string().min(2).max(60)).min(1).max(200),
    /** Months from the assignment of a gezinsverzorger to the first evaluation (and between evaluations). */
    evaluatieNaMaanden: z.number().int().min(1).max(12).default(3),
    /**
     * Months from the assignment of a gezinscoach (or a keukentafelgesprek) to its first evaluation, and between
     * evaluations (seed 004: trajectories of about half a year).
     */
    evaluatieGezinscoachNaMaanden: z.number().int().min(1).max(12).default(6),
    /** The receiving organisations a case can be referred on to at closure (seed 004: "naam organisatie"). */
    organisaties: z.array(z.string().trim().min(2).max(100)).min(1).max(60).default(DEFAULT_ORGANISATIES),
    /** The intensity classes as the team reads them on the card (default: the definitions of seed 004). */
    intensiteiten: z
      .strictObject(Object.fromEntries(INTENSITIES.map((id) => [id, RouteTextSchema])) as Record<Intensity, typeof RouteTextSchema>)
      .default(DEFAULT_INTENSITEITEN),
    /** Months without any change after which an open case is shown to the coordinators to close (issue 14). */
    stilstandMaanden: z.number().int().min(1).max(24).default(6),
    /** Where the bot sends people outside the target group (rule 4). */
    buitenDoelgroepVerwijzing: z.string().min(3).max(300),
    /**
     * How a referrer with an acute concern reaches the jeugdconsulenten by phone when Teams cannot (no channel
     * linked), e.g. "0478 52 33 33 (gemeente Venray, vraag naar de jeugdconsulent van dienst)".
     */
    jeugdconsulentTelefoon: z.string().min(3).max(200).optional(),
    /** Working days within which the team contacts the referrer of an anonymous consultation (or a case without consent). */
    reactieTermijnWerkdagen: z.number().int().min(1).max(10).default(2),
    /**
     * Working minutes after which a SPOED aanmelding nobody picked up goes 1:1 to every coordinator; after as many
     * minutes more, again (bot/spoed-escalation.ts). Only minutes within `werktijden` count.
     */
    spoedEscalatieNaMinuten: z.number().int().min(5).max(480).default(30),
    /** The jeugdconsulenten's working hours: escalation counts only these; outside them the referrer hears whom to call. */
    werktijden: WerktijdenSchema.default(DEFAULT_WERKTIJDEN),
    /**
     * What a gezinsverzorger's help took on average, shown for comparison when a casemanager asks for one, e.g.
     * { "urenPerWeek": "4 tot 5", "duurMaanden": "7,7", "bron": "Groningen, 2022–2023" } (seed 000). Without it: no comparison.
     */
    gezinsverzorgerGemiddelden: z
      .strictObject({ urenPerWeek: z.string().min(1).max(20), duurMaanden: z.string().min(1).max(20), bron: z.string().min(2).max(80) })
      .optional(),
    /**
     * The referrer roles that may request a gezinsverzorger (seed 000: "Een casemanager kan een aanmelding doen bij de
     * gezinsverzorgers"; the casemanager owns the family's plan). The same ids as the intake's roles.
     */
    gezinsverzorgerAanvragers: z.array(z.enum(GV_REQUESTER_ROLES)).min(1).default(['casemanager']),
    /** Whom a referrer with an acute concern calls outside working hours, e.g. "0800-1234 (crisisdienst jeugd, dag en nacht)". */
    buitenWerktijdenTelefoon: z.string().min(3).max(200).optional(),
    /**
     * The age bands the cards show, as the age each band starts at; the last runs up to and including ageLimit.
     * Default [0, 4, 12]: 0 t/m 3, 4 t/m 11, 12 t/m 23 (seed 004, sturingsmatrix "0–4, 4–12, 12–23").
     */
    leeftijdsgroepen: z.array(z.number().int().min(0).max(27)).min(1).max(8).default(DEFAULT_LEEFTIJDSGROEPEN),
  })
  .superRefine((config, ctx) => {
    for (const needed of ['gezinscoach', 'jeugdconsulent'] as const) {
      if (!config.services.includes(needed)) {
        ctx.addIssue({ code: 'custom', path: ['services'], message: `"${needed}" ontbreekt; die route is altijd nodig` });
      }
    }
    reportDuplicates(config.services, ['services'], ctx);
    reportDuplicates(config.criteria.map((c) => c.id), ['criteria'], ctx, 'id');
    reportDuplicates(config.wijken, ['wijken'], ctx);
    reportDuplicates(config.organisaties, ['organisaties'], ctx);
    // The wijk question lists every name twice (title and value) in one card, and Teams refuses a message over ~28 KB.
    const wijkBytes = config.wijken.reduce((sum, wijk) => sum + Buffer.byteLength(wijk, 'utf8'), 0);
    if (wijkBytes > MAX_WIJKEN_BYTES) {
      ctx.addIssue({
        code: 'custom',
        path: ['wijken'],
        message: `de namen zijn samen ${wijkBytes} bytes; hoogstens ${MAX_WIJKEN_BYTES}, anders past de keuzelijst niet in één bericht in Teams`,
      });
    }
    const bands = config.leeftijdsgroepen;
    if (bands[0] !== 0) ctx.addIssue({ code: 'custom', path: ['leeftijdsgroepen', 0], message: 'de eerste groep begint bij 0' });
    bands.forEach((start, index) => {
      if (index > 0 && start <= bands[index - 1]!) ctx.addIssue({ code: 'custom', path: ['leeftijdsgroepen', index], message: 'elke groep begint na de vorige (oplopend)' });
      if (start > config.ageLimit) ctx.addIssue({ code: 'custom', path: ['leeftijdsgroepen', index], message: `een groep begint hoogstens bij ageLimit (${config.ageLimit})` });
    });
    if (config.criteria.every((c) => c.onlyInCombination)) {
      ctx.addIssue({
        code: 'custom',
        path: ['criteria'],
        message: 'minstens één criterium moet zelfstandig meetellen (onlyInCombination: false)',
      });
    }
  });
export type GemeenteConfig = z.infer<typeof GemeenteConfigSchema>;

function reportDuplicates(values: readonly string[], at: (string | number)[], ctx: z.RefinementCtx, field?: string) {
  const seen = new Set<string>();
  values.forEach((value, index) => {
    const key = value.toLowerCase();
    if (seen.has(key)) {
      ctx.addIssue({ code: 'custom', path: field ? [...at, index, field] : [...at, index], message: `"${value}" staat er dubbel in` });
    }
    seen.add(key);
  });
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Configuratie ${file} is ongeldig:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const GEMEENTEN_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'gemeenten');
export const DEFAULT_GEMEENTE = 'standaard';

/**
 * Which configuration file to use: GEMEENTE_CONFIG (a path) wins over GEMEENTE (the name of a file in
 * data/gemeenten/), and without either the domain's default rules ("standaard") apply.
 */
export function gemeenteConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GEMEENTE_CONFIG) return path.resolve(env.GEMEENTE_CONFIG);
  const name = env.GEMEENTE || DEFAULT_GEMEENTE;
  if (!/^[a-z0-9-]+$/.test(name)) throw new ConfigError(`GEMEENTE=${name}`, ['GEMEENTE: alleen kleine letters, cijfers en streepjes']);
  return path.join(GEMEENTEN_DIR, `${name}.json`);
}

/** Reads and validates a gemeente configuration; throws ConfigError naming every bad field. */
export function loadGemeenteConfig(file: string = gemeenteConfigPath()): GemeenteConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'bestand bestaat niet' : 'geen geldige JSON';
    throw new ConfigError(file, [reason]);
  }
  return parseGemeenteConfig(raw, file);
}

export function parseGemeenteConfig(raw: unknown, source = 'configuratie'): GemeenteConfig {
  const parsed = GemeenteConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(source, formatIssues(parsed.error));
  return parsed.data;
}
