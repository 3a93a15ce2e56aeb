import { describe, expect, it } from 'vitest';
import { toVmState } from '../src/gcp-state-map.js';
import { FAKE_IMAGES, imageView } from '../src/testing/fake-gce-images.js';
import { FAKE_GCE_ROUTES } from '../src/testing/fake-gce-routes.js';
import { readGceDiscovery } from '../src/testing/gce-discovery-schema.js';
import { GCE_DISCOVERY_PATH } from './support/gce-discovery-location.js';

interface SchemaView {
  properties: Record<string, { enum?: string[]; type?: string; format?: string; $ref?: string }>;
}

const document = readGceDiscovery(GCE_DISCOVERY_PATH) as ReturnType<typeof readGceDiscovery> & {
  schemas: {
    Instance: { properties: { status: { enum: string[] } } };
    Image: SchemaView;
    DeprecationStatus: SchemaView;
  };
};

/** Every field of `value` is a property of `schema`, of its type, within its enum. */
function shapeProblems(value: Record<string, unknown>, schema: SchemaView, at: string): string[] {
  return Object.entries(value).flatMap(([name, field]) => {
    const property = schema.properties[name];
    if (property === undefined) return [`${at}.${name} is not in the schema`];
    if (property.enum !== undefined && !property.enum.includes(String(field)))
      return [`${at}.${name} not in enum`];
    if (property.type === 'string' && typeof field !== 'string') return [`${at}.${name} is not a string`];
    if (property.format === 'int64' && !/^\d+$/.test(String(field)))
      return [`${at}.${name} is not an int64 string`];
    return [];
  });
}

describe('the driver and the fake against the discovery document', () => {
  it('maps every Instance.status of the document to a known state', () => {
    for (const status of document.schemas.Instance.properties.status.enum) {
      expect(toVmState(status).name, status).not.toBe('unknown');
    }
  });

  it("serves images in the shape of the document's Image and DeprecationStatus schemas", () => {
    for (const [project, images] of Object.entries(FAKE_IMAGES)) {
      for (const image of images) {
        const view = imageView(image, `http://127.0.0.1/compute/v1/projects/${project}`);
        const { deprecated, ...rest } = view as { deprecated?: Record<string, unknown> };
        expect(shapeProblems(rest, document.schemas.Image, image.name)).toEqual([]);
        if (deprecated !== undefined) {
          expect(
            shapeProblems(deprecated, document.schemas.DeprecationStatus, `${image.name}.deprecated`),
          ).toEqual([]);
        }
      }
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
