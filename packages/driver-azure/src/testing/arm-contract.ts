import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * The files of Microsoft's published contract the fake reads, relative to the `contracts` folder (see
 * {@link FakeArmOptions.contracts}): the ARM JSON Schemas of the exact api-versions the SDK clients send
 * (`Azure/azure-resource-manager-schemas`) and the swagger folders whose `x-ms-enum.modelAsString` marks say which
 * enums are open (`Azure/azure-rest-api-specs`).
 */
export const ARM_CONTRACT_FILES = {
  computeSchema: 'arm-schemas/schemas/2026-03-01/Microsoft.Compute.json',
  networkSchema: 'arm-schemas/schemas/2025-05-01/Microsoft.Network.NRP.json',
  commonSchema: 'arm-schemas/schemas/common/definitions.json',
  swaggerFolders: [
    'rest-api-specs/specification/compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2024-07-01',
    'rest-api-specs/specification/network/resource-manager/Microsoft.Network/stable/2024-05-01',
  ],
} as const;

type Json = Record<string, unknown>;

/** One body refused by the contract: what was sent and why it was refused. */
export interface ContractViolation {
  resource: 'virtualMachines' | 'networkInterfaces';
  errors: string[];
  body: unknown;
}

/** Validates request bodies of VM and NIC PUTs against Microsoft's ARM JSON Schemas (draft-04, read at test time). */
export interface ArmContract {
  /** The reasons a body is refused; empty when it conforms. */
  check(resource: ContractViolation['resource'], body: unknown): string[];
}

function readJson(dir: string, relative: string): Json {
  return JSON.parse(readFileSync(join(dir, relative), 'utf8')) as Json;
}

/**
 * The value sets of the swagger enums marked `x-ms-enum.modelAsString` (extensible on the wire). The ARM schemas
 * close every enum (their `vmSize` list is years old), so an ARM enum sharing a value with one of these is relaxed.
 */
function extensibleEnumValues(dir: string): Set<string>[] {
  const sets: Set<string>[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    const record = node as Json;
    const extension = record['x-ms-enum'] as { modelAsString?: boolean } | undefined;
    if (Array.isArray(record.enum) && extension?.modelAsString === true) {
      sets.push(new Set(record.enum.map(String)));
    }
    for (const value of Object.values(record)) visit(value);
  };
  for (const folder of ARM_CONTRACT_FILES.swaggerFolders) {
    for (const file of readdirSync(join(dir, folder))) {
      if (file.endsWith('.json')) visit(readJson(dir, join(folder, file)));
    }
  }
  return sets;
}

/**
 * Draft-04 to what Ajv 8 reads: `id` becomes `$id`, `$schema` goes, extensible enums are opened. With `closeObjects`,
 * an object schema that lists its properties refuses any other: ARM itself drops unknown fields without a word, so a
 * field sent at the wrong level (flat instead of under `properties`) would otherwise pass unseen.
 */
function adapt(schema: Json, extensible: Set<string>[], closeObjects: boolean): Json {
  const walk = (node: unknown, top: boolean): unknown => {
    if (Array.isArray(node)) return node.map((item) => walk(item, false));
    if (typeof node !== 'object' || node === null) return node;
    const out: Json = {};
    for (const [key, value] of Object.entries(node as Json)) {
      if (key === '$schema') continue;
      if (key === 'id' && top) {
        out.$id = value;
        continue;
      }
      if (key === 'enum' && Array.isArray(value)) {
        const values = value.map(String);
        if (extensible.some((set) => values.some((each) => set.has(each)))) continue;
      }
      // `properties`, `definitions` and `resourceDefinitions` hold names, not keywords: walk their values only.
      if (
        (key === 'properties' || key === 'definitions' || key === 'resourceDefinitions') &&
        typeof value === 'object' &&
        value !== null &&
        !Array.isArray(value)
      ) {
        out[key] = Object.fromEntries(
          Object.entries(value as Json).map(([name, child]) => [name, walk(child, false)]),
        );
        continue;
      }
      out[key] = walk(value, false);
    }
    const listsProperties = typeof out.properties === 'object' && out.properties !== null;
    if (closeObjects && listsProperties && out.type === 'object' && out.additionalProperties === undefined) {
      out.additionalProperties = false;
    }
    return out;
  };
  return walk(schema, true) as Json;
}

/**
 * A request body as ARM receives it: the resource definition without the template-only fields (`apiVersion`,
 * `name`, `type`, which travel in the URL), `location` and `properties` required, nothing unknown at the top level,
 * and what the resource provider itself requires on create (a VM without a hardware, storage or network profile is
 * refused by Compute; a NIC needs an IP configuration).
 */
function wireSchema(schemaId: string, definition: Json, required: Record<string, string[]>): Json {
  const properties = { ...(definition.properties as Json) };
  delete properties.apiVersion;
  delete properties.name;
  delete properties.type;
  // Child resources reference schemas that are not part of the contract copy, and a client never sends them.
  delete properties.resources;
  const propertiesRequired = required.properties ?? [];
  return {
    type: 'object',
    required: ['location', 'properties'],
    additionalProperties: false,
    properties: {
      ...properties,
      // `id` and `name` are read-only echoes a client may send back unchanged.
      id: { type: 'string' },
      name: { type: 'string' },
      properties: {
        allOf: [properties.properties, { type: 'object', required: propertiesRequired }],
      },
    },
    $id: `${schemaId.replace(/#$/, '')}-wire`,
  };
}

/**
 * Loads the contract from `dir`, a local copy of Microsoft's published files laid out as {@link ARM_CONTRACT_FILES}
 * says.
 *
 * @throws TypeError naming the first missing file and where it comes from.
 */
export function loadArmContract(dir: string): ArmContract {
  const missing = [
    ARM_CONTRACT_FILES.computeSchema,
    ARM_CONTRACT_FILES.networkSchema,
    ARM_CONTRACT_FILES.commonSchema,
    ...ARM_CONTRACT_FILES.swaggerFolders,
  ].find((relative) => !existsSync(join(dir, relative)));
  if (missing !== undefined) {
    throw new TypeError(
      `startFakeArm: the contracts folder ${dir} has no ${missing}. Copy it there from Microsoft's public repositories (arm-schemas/ from Azure/azure-resource-manager-schemas, rest-api-specs/ from Azure/azure-rest-api-specs, same paths), or pass validateRequests: false instead of contracts.`,
    );
  }
  const extensible = extensibleEnumValues(dir);
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, logger: false });
  const common = adapt(readJson(dir, ARM_CONTRACT_FILES.commonSchema), extensible, false);
  const compute = adapt(readJson(dir, ARM_CONTRACT_FILES.computeSchema), extensible, true);
  const network = adapt(readJson(dir, ARM_CONTRACT_FILES.networkSchema), extensible, true);
  ajv.addSchema(common);
  ajv.addSchema(compute);
  ajv.addSchema(network);
  const build = (schema: Json, resource: string, required: string[]): ValidateFunction => {
    const definition = (schema.resourceDefinitions as Json)[resource] as Json;
    const wire = wireSchema(String(schema.$id), definition, { properties: required });
    // Local references (`#/definitions/...`) must resolve in the schema they came from.
    const rebased = JSON.parse(
      JSON.stringify(wire).replaceAll('"$ref":"#/', `"$ref":"${String(schema.$id).replace(/#$/, '')}#/`),
    ) as Json;
    return ajv.compile(rebased);
  };
  const validators = {
    virtualMachines: build(compute, 'virtualMachines', [
      'hardwareProfile',
      'storageProfile',
      'networkProfile',
    ]),
    networkInterfaces: build(network, 'networkInterfaces', ['ipConfigurations']),
  };
  return {
    check(resource, body) {
      const validate = validators[resource];
      if (validate(body)) return [];
      return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`);
    },
  };
}
