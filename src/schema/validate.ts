// Validates messages against schema/ds-kafka-message.schema.json (JSON Schema draft 2020-12, Ajv).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../native/addon.js';

export const messageSchemaPath = join(packageRoot, 'schema', 'ds-kafka-message.schema.json');

/** Returns a function that gives undefined for a valid message, or a one-line description of the problems. */
export async function loadMessageValidator(): Promise<(json: string | object) => string | undefined> {
  const { default: Ajv2020 } = await import('ajv/dist/2020.js');
  const { default: addFormats } = await import('ajv-formats');
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  (addFormats as unknown as (a: unknown) => void)(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(messageSchemaPath, 'utf8')));
  return (json) => {
    let value: unknown;
    try {
      value = typeof json === 'string' ? JSON.parse(json) : json;
    } catch (e) {
      return `not JSON: ${(e as Error).message}`;
    }
    if (validate(value)) return undefined;
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');
  };
}
