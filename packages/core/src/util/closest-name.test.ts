import { expect, it } from 'vitest';
import { closestName } from './closest-name.js';

it('suggests the option a typo most likely meant, and nothing when none is close', () => {
  const options = ['name', 'entities', 'schema', 'source', 'ttl', 'online', 'expectations'];
  expect(closestName('ttll', options)).toBe('ttl');
  expect(closestName('TTL', options)).toBe('ttl');
  expect(closestName('entites', options)).toBe('entities');
  expect(closestName('sorce', options)).toBe('source');
  expect(closestName('shcema', options)).toBe('schema');
  expect(closestName('colour', options)).toBeNull();
  expect(closestName('x', options)).toBeNull();
});
