import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { SwitchboardError, type ErrorDetail } from '../../sdk/errors/switchboard-error.js';

const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });

export type Validator<T> = (value: unknown) => T;

/** Compiles a JSON Schema into a function that returns the value or throws `invalid_request`. */
export function compileValidator<T>(schema: object): Validator<T> {
  const validate: ValidateFunction = ajv.compile(schema);
  return (value: unknown): T => {
    if (validate(value)) return value as T;
    const details = toDetails(validate.errors ?? []);
    throw new SwitchboardError(
      'invalid_request',
      `Invalid request: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`,
      { details },
    );
  };
}

function toDetails(errors: ErrorObject[]): ErrorDetail[] {
  const details: ErrorDetail[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    // "must match then schema" repeats the real error found inside it.
    if (e.keyword === 'if') continue;
    let path = e.instancePath || '';
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      path = `${path}/${(e.params as { additionalProperty: string }).additionalProperty}`;
      message = 'is not an allowed field';
    } else if (e.keyword === 'required') {
      path = `${path}/${(e.params as { missingProperty: string }).missingProperty}`;
      message = 'is required';
    }
    const key = `${path || '/'} ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    details.push({ path: path || '/', message });
  }
  return details;
}
