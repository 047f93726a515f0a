import { describe, expect, it } from 'vitest';
import { allowedHosts, isHostAllowed } from './host-check.js';

describe('allowedHosts / isHostAllowed', () => {
  it('defaults to the loopback names and the bind host, any port', () => {
    const allowed = allowedHosts([], '10.0.0.5');
    for (const host of ['localhost', 'localhost:5050', 'LOCALHOST.:80', '127.0.0.1:1', '[::1]:5050', '[::1]', '10.0.0.5:5050']) {
      expect(isHostAllowed(host, allowed), host).toBe(true);
    }
    for (const host of ['evil.example', 'evil.example:5050', 'localhost.evil.example', '127.0.0.2', '[::2]:5050', '', undefined, 'localhost:5050@evil', 'localhost:abc']) {
      expect(isHostAllowed(host, allowed), String(host)).toBe(false);
    }
  });

  it('brackets an IPv6 bind host', () => {
    expect(isHostAllowed('[fd00::1]:5050', allowedHosts([], 'fd00::1'))).toBe(true);
  });

  it('uses the configured list instead of the defaults; entries with a port match only that port', () => {
    const allowed = allowedHosts(['cairn.internal', 'Proxy.Example:8443'], '127.0.0.1');
    expect(isHostAllowed('cairn.internal:5050', allowed)).toBe(true);
    expect(isHostAllowed('proxy.example:8443', allowed)).toBe(true);
    expect(isHostAllowed('proxy.example:9000', allowed)).toBe(false);
    expect(isHostAllowed('localhost:5050', allowed)).toBe(false);
  });

  it("accepts every host with '*'", () => {
    expect(isHostAllowed('anything.example', allowedHosts(['*'], '0.0.0.0'))).toBe(true);
  });
});
