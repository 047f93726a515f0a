// A pipeline whose result depends on a file outside Cairn, for the reproducibility tests.
import { readFile } from 'node:fs/promises';
import { param, pipeline, step } from '../../pipelines/index.js';

const read = step({ name: 'read' }, async ({ path }: { path: string }) => ({ text: await readFile(path, 'utf8') }));
const count = step({ name: 'count' }, async ({ text }: { text: string }) => ({ words: text.split(/\s+/).filter(Boolean).length }));

export const readFilePipeline = pipeline({ name: 'read-file', params: { path: param.string() } }, (p) => {
  const r = read({ path: p.path });
  count({ text: r.text });
});
