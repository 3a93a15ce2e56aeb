import { describe, expect, it } from 'vitest';
import { toVmState } from '../src/gcp-state-map.js';
import { FAKE_GCE_ROUTES } from '../src/testing/fake-gce-routes.js';
import { readGceDiscovery } from '../src/testing/gce-discovery-schema.js';
import { GCE_DISCOVERY_PATH } from './support/gce-discovery-location.js';

const document = readGceDiscovery(GCE_DISCOVERY_PATH) as ReturnType<typeof readGceDiscovery> & {
  schemas: { Instance: { properties: { status: { enum: string[] } } } };
};

describe('the driver and the fake against the discovery document', () => {
  it('maps every Instance.status of the document to a known state', () => {
    for (const status of document.schemas.Instance.properties.status.enum) {
      expect(toVmState(status).name, status).not.toBe('unknown');
    }
  });

  it('routes every method the fake serves as the document spells it', () => {
    const methods = Object.values(document.resources).flatMap((resource) => Object.values(resource.methods));
    for (const route of FAKE_GCE_ROUTES) {
      const method = methods.find((each) => each.id === route.id);
      expect(method, route.id).toBeDefined();
      expect([method?.httpMethod, method?.path], route.id).toEqual([route.httpMethod, route.path]);
    }
  });
});
