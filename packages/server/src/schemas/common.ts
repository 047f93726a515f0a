import { z } from 'zod';

/** The error body of every non-2xx response. */
export const errorSchema = z
  .object({
    error_code: z.string().describe('A stable CairnError code, e.g. NOT_FOUND or INVALID_ARGUMENT.'),
    message: z.string().describe('What went wrong and what to do about it.'),
  })
  .describe('Error');

export const emptySchema = z.strictObject({});

/** Adds the shared error responses to a route's success responses. */
export function responses<T extends Record<number, z.ZodType>>(success: T): T & { '4xx': typeof errorSchema; '5xx': typeof errorSchema } {
  return { ...success, '4xx': errorSchema, '5xx': errorSchema };
}

/**
 * A string from a URL (path parameter or query value). NUL cannot be stored or looked up in
 * PostgreSQL, so it is refused here rather than reaching a query.
 */
export const urlText = z.string().refine((s) => !s.includes('\u0000'), { error: 'must not contain NUL characters' });

/** A decimal integer in a query string. */
export function queryInt(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,16}$/, { error: `must be a whole number from ${min} to ${max}` })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** A query parameter that may be repeated (`?orderBy=a&orderBy=b`); always parsed to a list. */
export const repeatable = z.union([urlText, z.array(urlText)]).transform((v) => (Array.isArray(v) ? v : [v]));

export const viewTypeSchema = z.enum(['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL']);

export const stringMap = z.record(z.string(), z.string());

export const nextPageToken = z.string().nullable().describe('Pass as pageToken to get the next page; null on the last page.');

/** `?key=` of the tag-deleting routes. */
export const tagKeyQuery = z.strictObject({ key: urlText });
