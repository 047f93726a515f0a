import { describe, expect, it } from 'vitest';
import { pythonFloat, pythonView } from './python-repr.js';

// Values as MLflow's messages print them (Python's str()/repr() of what its json module read).
describe('pythonView', () => {
  it('prints JSON values as Python does, keeping float literals from the request text', () => {
    const body = '{"a": 9.0, "b": [{"key": "mae", "value": 2.5}], "c": "5", "d": 123, "e": null, "f": true, "g": {"k": "it\'s"}, "h": 12345678901234567890}';
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const view = (k: string) => pythonView(parsed[k], [k], body);
    expect(view('a')).toEqual({ text: '9.0', type: 'float' });
    expect(view('b')).toEqual({ text: "[{'key': 'mae', 'value': 2.5}]", type: 'list' });
    expect(view('c')).toEqual({ text: '5', type: 'str' });
    expect(view('d')).toEqual({ text: '123', type: 'int' });
    expect(view('e')).toEqual({ text: 'None', type: 'NoneType' });
    expect(view('f')).toEqual({ text: 'True', type: 'bool' });
    expect(view('g')).toEqual({ text: '{\'k\': "it\'s"}', type: 'dict' });
    expect(view('h')).toEqual({ text: '12345678901234567890', type: 'int' });
  });

  it('falls back to the parsed value without the text (query strings)', () => {
    expect(pythonView(['a', 1], [])).toEqual({ text: "['a', 1]", type: 'list' });
  });

  it('formats floats like repr()', () => {
    expect([0.1, 1e16, 9.999999999999998e15, 1.5e-5, 1e-4, 123456789, -0, NaN, Infinity, 1.5e300].map(pythonFloat)).toEqual(['0.1', '1e+16', '9999999999999998.0', '1.5e-05', '0.0001', '123456789.0', '-0.0', 'nan', 'inf', '1.5e+300']);
  });
});
