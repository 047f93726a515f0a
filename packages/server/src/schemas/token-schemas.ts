import { z } from 'zod';
import { urlText } from './common.js';

export const tokenSchema = z
  .object({
    tokenId: z.string(),
    name: z.string(),
    role: z.enum(['reader', 'editor', 'admin']),
    createdTime: z.number(),
    expiresTime: z.number().nullable(),
    revokedTime: z.number().nullable(),
    lastUsedTime: z.number().nullable().describe('Updated at most once a minute.'),
  })
  .describe('ApiToken');

export const createTokenBody = z.strictObject({
  name: z.string(),
  role: z.enum(['reader', 'editor', 'admin']),
  expiresInDays: z.number().int().nullish().describe('Whole days; omit for a token that never expires.'),
});

export const createdTokenBody = z.object({
  token: tokenSchema,
  secret: z.string().describe('Shown only in this response; store it now.'),
});

export const tokenListBody = z.object({ tokens: z.array(tokenSchema) });

export const tokenIdParams = z.strictObject({ tokenId: urlText });
