import { describe, expect, it } from 'vitest';
import type { StoredObject } from '@cairn/core';
import { lookupFields, typedValue } from './lookup-fields.js';

const obj = (kind: string, name: string, spec: object) => ({ kind, name, version: 1, registryVersion: 1, digest: '', createdTime: 0, spec: { kind, name, ...spec } }) as unknown as StoredObject;
const objects = [
  obj('featureView', 'stats', { joinKeys: [{ name: 'driver_id', type: 'int64' }] }),
  obj('featureView', 'zones', { joinKeys: [{ name: 'zone', type: 'string' }, { name: 'driver_id', type: 'int64' }] }),
  obj('onDemandFeatureView', 'adjusted', { inputs: [{ view: 'stats', feature: 'x' }], request: [{ name: 'bonus', type: 'float64' }] }),
  obj('featureService', 'ranking', { features: [{ view: 'stats', feature: 'x' }, { view: 'adjusted', feature: 'y' }, { view: 'zones', feature: 'z' }] }),
];

describe('lookupFields', () => {
  it("collects a service's join keys and request fields once each", () => {
    expect(lookupFields({ kind: 'featureService', name: 'ranking' }, objects).map((f) => f.name)).toEqual(['driver_id', 'bonus', 'zone']);
    expect(lookupFields({ kind: 'featureView', name: 'zones' }, objects).map((f) => f.name)).toEqual(['zone', 'driver_id']);
    expect(lookupFields({ kind: 'featureService', name: 'nope' }, objects)).toEqual([]);
  });
});

describe('typedValue', () => {
  it('types what was typed by the field type', () => {
    expect(typedValue(' 1001 ', 'int64')).toBe(1001);
    expect(typedValue('9007199254740993', 'int64')).toBe('9007199254740993');
    expect(typedValue('0.5', 'float64')).toBe(0.5);
    expect(typedValue('true', 'bool')).toBe(true);
    expect(typedValue('abc', 'int64')).toBe('abc');
    expect(typedValue('', 'string')).toBeNull();
  });
});
