import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { fieldPath } from './field-path.js';

type SchemaArgument = NonNullable<Parameters<typeof AppManifestUtils.validateAgainstSchema>[1]>;
type ManifestArgument = Parameters<typeof AppManifestUtils.validateAgainstSchema>[0];

// @microsoft/app-manifest ships Microsoft's schemas as files beside its code (build/json-schemas/teams/vX.Y).
// Given no schema, validateAgainstSchema looks for the manifest's $schema there and downloads it when it is
// missing; handing it the bundled file keeps the build offline whatever $schema says.
const schemasDir = path.join(path.dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest')), 'json-schemas', 'teams');

/** The Teams manifest versions whose schema the package ships, oldest first ("1.0" … "1.30"). */
export function bundledSchemaVersions(): string[] {
  return readdirSync(schemasDir)
    .map((name) => /^v(\d+\.\d+)$/.exec(name)?.[1])
    .filter((version): version is string => version !== undefined && existsSync(schemaFile(version)))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

const schemaFile = (version: string) => path.join(schemasDir, `v${version}`, 'MicrosoftTeams.schema.json');

/** Validates a filled-in manifest against the official schema of its manifestVersion; one line per problem. */
export async function validateAgainstOfficialSchema(manifest: unknown): Promise<string[]> {
  const version = (manifest as { manifestVersion?: unknown } | null)?.manifestVersion;
  if (typeof version !== 'string' || !bundledSchemaVersions().includes(version)) {
    const known = bundledSchemaVersions();
    return [`manifestVersion: geen officieel schema voor ${JSON.stringify(version)}; @microsoft/app-manifest kent ${known[0]} t/m ${known.at(-1)}`];
  }
  const schema = JSON.parse(readFileSync(schemaFile(version), 'utf8')) as SchemaArgument;
  const failures = await AppManifestUtils.validateAgainstSchema(manifest as ManifestArgument, schema);
  return [...new Set(failures.map(describeFailure))];
}

const GUID_PATTERN = '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$';

/**
 * validateAgainstSchema reports ajv's errors as "<instancePath> <message>. Details: <params as JSON>".
 * This turns one into "bots[0].botId: ontbreekt"; a line of another shape is passed on as it is.
 */
export function describeFailure(failure: string): string {
  const match = /^(\S*) (.*?)\. Details: (.*)$/s.exec(failure);
  if (!match) return failure;
  const [, pointer = '', message = '', details = ''] = match;
  const segments: (string | number)[] = pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
  let params: Record<string, unknown> = {};
  try {
    params = JSON.parse(details) as Record<string, unknown>;
  } catch {
    // no details: keep ajv's message
  }

  if (typeof params.missingProperty === 'string') return `${fieldPath([...segments, params.missingProperty])}: ontbreekt`;
  if (typeof params.additionalProperty === 'string') {
    return `${fieldPath([...segments, params.additionalProperty])}: onbekend veld`;
  }
  return `${fieldPath(segments)}: ${dutch(message, params)}`;
}

function dutch(message: string, params: Record<string, unknown>): string {
  const { limit, pattern, allowedValue, allowedValues, type, format } = params;
  if (typeof limit === 'number') {
    const most = message.includes('more than');
    if (message.endsWith('characters')) return most ? `mag hoogstens ${limit} tekens lang zijn` : `moet minstens ${limit} tekens lang zijn`;
    if (message.endsWith('items')) return most ? `mag hoogstens ${limit} elementen hebben` : `moet minstens ${limit} elementen hebben`;
  }
  if (pattern === GUID_PATTERN) return 'moet een GUID zijn';
  if (typeof pattern === 'string') return `heeft niet de juiste vorm (patroon ${pattern})`;
  if (allowedValue !== undefined) return `moet ${JSON.stringify(allowedValue)} zijn`;
  if (Array.isArray(allowedValues)) return `kies uit ${allowedValues.map((value) => JSON.stringify(value)).join(', ')}`;
  if (typeof type === 'string') return `verwacht ${type}`;
  if (typeof format === 'string') return `heeft niet de juiste vorm (${format})`;
  return message;
}
