import { z } from 'zod';
import { urlText } from './common.js';

export const artifactPathQuery = z.strictObject({
  path: urlText.describe("Relative path inside the run's artifacts, e.g. 'model/weights.bin'."),
});

export const artifactListQuery = z.strictObject({
  path: urlText.optional().describe("Folder to list; omit for the run's artifact root."),
});

export const artifactListBody = z.object({
  files: z.array(z.object({ path: z.string(), isDir: z.boolean(), size: z.number().nullable() })),
});

export const artifactPutBody = z.object({
  file: z.object({ path: z.string(), size: z.number(), sha256: z.string().describe('Lowercase hex.') }),
});
