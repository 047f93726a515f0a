import type { FastifySchemaCompiler, FastifyTypeProvider } from 'fastify';
import { z } from 'zod';
import { CairnError } from '@cairn/core';

/**
 * Lets route handlers see the parsed output of the zod schemas in their route `schema`
 * (Fastify's type-provider mechanism), so `request.body` is typed from the same schema that checks it.
 */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodType ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodType ? z.input<this['schema']> : unknown;
}

const PART_NAMES: Record<string, string> = { body: 'body', querystring: 'query parameter', params: 'path parameter', headers: 'header' };

/**
 * Fastify validator compiler for zod schemas: the parsed (and transformed) value replaces the request
 * part, and the first problem becomes an `INVALID_ARGUMENT` error naming the field.
 */
export const zodValidatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => (data) => {
  const result = schema.safeParse(data);
  if (result.success) return { value: result.data };
  return { error: toInvalidArgument(result.error, httpPart ?? 'body') };
};

function toInvalidArgument(error: z.ZodError, httpPart: string): CairnError {
  const issue = error.issues[0]!;
  const part = PART_NAMES[httpPart] ?? httpPart;
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? ` in '${formatPath(issue.path)}'` : '';
    return new CairnError('INVALID_ARGUMENT', `Unknown ${part} field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}${where}. See /api/v1/openapi.json for the accepted fields.`, {
      details: { field: issue.keys[0] },
    });
  }
  const field = formatPath(issue.path);
  if (!field) return new CairnError('INVALID_ARGUMENT', `Invalid request ${part}: ${issue.message}.`);
  return new CairnError('INVALID_ARGUMENT', `Invalid ${part} '${field}': ${issue.message}.`, { details: { field } });
}

/** `['metrics', 0, 'step']` → `metrics[0].step`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}

/** Converts a zod schema to the JSON Schema (OpenAPI 3.0 dialect) the OpenAPI document shows. */
export function toOpenApiSchema(schema: unknown, io: 'input' | 'output'): unknown {
  if (!(schema instanceof z.ZodType)) return schema;
  const json = z.toJSONSchema(schema, { io, target: 'openapi-3.0', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
