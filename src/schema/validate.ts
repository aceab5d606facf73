// Validates messages against schema/ds-kafka-message.schema.json (JSON Schema draft 2020-12, Ajv).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { join } from 'node:path';
import { packageRoot } from '../native/addon.js';

export const messageSchemaPath = join(packageRoot, 'schema', 'ds-kafka-message.schema.json');

/** Returns a function that gives undefined for a valid message, or a one-line description of the problems. */
export function loadMessageValidator(): (json: string | object) => string | undefined {
  // Ajv ships CommonJS with a default-export class; require() sidesteps ESM interop differences.
  const require = createRequire(import.meta.url);
  const Ajv2020 = require('ajv/dist/2020.js') as new (opts: object) => { compile(schema: object): ValidateFunction };
  const addFormats = require('ajv-formats') as (ajv: object) => void;
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(messageSchemaPath, 'utf8')) as object);
  return (json) => {
    let value: unknown;
    try {
      value = typeof json === 'string' ? JSON.parse(json) : json;
    } catch (e) {
      return `not JSON: ${(e as Error).message}`;
    }
    if (validate(value)) return undefined;
    return (validate.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message}`).join('; ');
  };
}
