import { describe, expect, it } from 'vitest';
import { unsupportedCall } from './capability-check.js';
import { defineCapabilities } from './driver-capabilities.js';

describe('unsupportedCall', () => {
  it('says which flag is false and where to check it', () => {
    const error = unsupportedCall(
      'edge',
      { kind: 'toy', capabilities: defineCapabilities({}) },
      'metrics',
      'metrics.read',
    );
    expect(error?.code).toBe('UNSUPPORTED');
    expect(error?.message).toContain("nc.driver('edge').capabilities.metrics");
  });

  it("adds the driver's own reason, so the caller learns why and what to use instead", () => {
    const capabilities = defineCapabilities({
      unsupportedReasons: { metrics: 'Read them from the provider monitoring API instead.' },
    });
    const error = unsupportedCall('edge', { kind: 'toy', capabilities }, 'metrics', 'metrics.read');
    expect(error?.message).toMatch(
      /capabilities\.metrics is false\. Read them from the provider monitoring API instead\./,
    );
    expect(
      unsupportedCall('edge', { kind: 'toy', capabilities }, 'images', 'images.list')?.message,
    ).not.toContain('monitoring');
  });

  it('lets a declared capability with its method go ahead', () => {
    const driver = {
      kind: 'toy',
      capabilities: defineCapabilities({ metrics: true }),
      doReadMetrics: () => undefined,
    };
    expect(unsupportedCall('edge', driver, 'metrics', 'metrics.read')).toBeUndefined();
  });
});
