import { describe, expect, it } from 'vitest';
import { PluginRegistry } from './plugin-registry.js';

const registration = {
  kind: 'fake',
  packageName: '@acme/driver-fake',
  version: '1.0.0',
  specificationVersion: 'v1',
  create: () => {
    throw new Error('not used');
  },
};

describe('PluginRegistry', () => {
  it('refuses a duplicate driver kind and names both packages', () => {
    const registry = new PluginRegistry();
    registry.registerDriver(registration);
    expect(() => registry.registerDriver({ ...registration, packageName: '@other/fake' })).toThrow(
      /already registered \(@acme\/driver-fake@1\.0\.0\); refusing @other\/fake/,
    );
  });

  it('refuses incompatible specification versions', () => {
    const registry = new PluginRegistry();
    expect(() => registry.registerDriver({ ...registration, specificationVersion: 'v2' })).toThrow(
      /supports v1/,
    );
    expect(() =>
      registry.registerPlugin({ name: 'audit', version: '1.0.0', specificationVersion: 'v0' }),
    ).toThrow(/supports v1/);
  });

  it('refuses duplicate plugins and unknown kinds', () => {
    const registry = new PluginRegistry();
    registry.registerPlugin({ name: 'audit', version: '1.0.0', specificationVersion: 'v1' });
    expect(() =>
      registry.registerPlugin({ name: 'audit', version: '2.0.0', specificationVersion: 'v1' }),
    ).toThrow(/already registered/);
    expect(() => registry.createDriver('nope', {})).toThrow(/No driver of kind 'nope'/);
  });
});
