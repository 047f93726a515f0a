// Friendly default run names ("brave-otter-42"), so a list of runs is readable at a glance.
const ADJECTIVES = ['amber', 'bold', 'brave', 'calm', 'clever', 'crisp', 'eager', 'gentle', 'glad', 'keen', 'lucid', 'merry', 'nimble', 'quiet', 'rapid', 'sharp', 'steady', 'swift', 'tidy', 'vivid', 'warm', 'wise'];
const NOUNS = ['badger', 'crane', 'falcon', 'fox', 'heron', 'lynx', 'marten', 'otter', 'owl', 'panda', 'raven', 'robin', 'seal', 'sparrow', 'stoat', 'swan', 'tern', 'trout', 'vole', 'wren', 'yak', 'zebra'];

export function randomRunName(): string {
  const pick = (xs: string[]) => xs[Math.floor(Math.random() * xs.length)]!;
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${Math.floor(Math.random() * 1000)}`;
}
