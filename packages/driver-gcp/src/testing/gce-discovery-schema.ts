import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Ajv, type ValidateFunction } from 'ajv';

/** One property or schema of a discovery document, as far as the fake reads it. */
interface DiscoverySchema {
  type?: string;
  format?: string;
  $ref?: string;
  enum?: string[];
  items?: DiscoverySchema;
  properties?: Record<string, DiscoverySchema>;
  additionalProperties?: DiscoverySchema;
  pattern?: string;
  minimum?: string;
  maximum?: string;
  annotations?: { required?: string[] };
  location?: string;
  required?: boolean;
  readOnly?: boolean;
}

/** One method of the discovery document: its id, verb, path template, parameters and body schema. */
export interface DiscoveryMethod {
  id: string;
  httpMethod: string;
  path: string;
  parameters: Record<string, DiscoverySchema>;
  request?: { $ref: string };
}

/**
 * Google's Compute Engine v1 discovery document, parsed (the parts the fake reads). Get it from
 * https://compute.googleapis.com/$discovery/rest?version=v1 (about 5 MB of JSON).
 */
export interface GceDiscoveryDocument {
  basePath: string;
  parameters: Record<string, DiscoverySchema>;
  schemas: Record<string, DiscoverySchema>;
  resources: Record<string, { methods: Record<string, DiscoveryMethod> }>;
}

/** A method with the regular expression that matches its path. */
export interface RoutedMethod extends DiscoveryMethod {
  pathPattern: RegExp;
  pathNames: string[];
}

/**
 * Reads a discovery document from a file: JSON, or gzipped JSON when the name ends in `.gz`.
 *
 * @throws Error naming the path and where to download the document, when the file cannot be read or parsed.
 */
export function readGceDiscovery(path: string): GceDiscoveryDocument {
  let document: GceDiscoveryDocument;
  try {
    const bytes = readFileSync(path);
    document = JSON.parse((path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8'));
  } catch (error) {
    throw new Error(
      `Cannot read the Compute Engine discovery document at ${path} (${(error as Error).message}). Download it from https://compute.googleapis.com/$discovery/rest?version=v1 and pass its path as discovery.`,
    );
  }
  if (typeof document?.basePath !== 'string' || typeof document.schemas !== 'object') {
    throw new Error(
      `${path} is not the Compute Engine discovery document (no basePath or schemas). Download it from https://compute.googleapis.com/$discovery/rest?version=v1.`,
    );
  }
  return document;
}

/**
 * Google's discovery document turned into what the fake needs: a router over every method's path template, and ajv
 * validators for every request body and query string. Bodies are checked strictly: an unknown field is an error (a
 * misspelt field silently dropped by the SDK would otherwise pass), and so is a field the document marks output-only
 * (`readOnly`), which the service ignores in a request.
 */
export class GceDiscovery {
  /** The document's `basePath` (`/compute/v1/`). */
  readonly basePath: string;
  /** Every method of the document, with its path pattern. */
  readonly methods: RoutedMethod[];
  private readonly document: GceDiscoveryDocument;
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly bodyValidators = new Map<string, ValidateFunction>();

  /** Compiles the routes and schemas of a parsed document (see {@link readGceDiscovery}). */
  constructor(document: GceDiscoveryDocument) {
    this.document = document;
    this.basePath = this.document.basePath;
    const definitions: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(this.document.schemas)) {
      definitions[name] = toJsonSchema(schema, undefined);
    }
    this.ajv.addSchema({ $id: 'compute', definitions });
    this.methods = Object.values(this.document.resources).flatMap((resource) =>
      Object.values(resource.methods).map((method) => {
        const pathNames: string[] = [];
        const source = method.path.replace(/\{\+?(\w+)\}/g, (_, name: string) => {
          pathNames.push(name);
          return '([^/]+)';
        });
        return { ...method, pathNames, pathPattern: new RegExp(`^${this.basePath}${source}$`) };
      }),
    );
  }

  /** The method with this id (`compute.instances.insert`), or undefined. */
  method(id: string): RoutedMethod | undefined {
    return this.methods.find((method) => method.id === id);
  }

  /** The method a request names, with its path parameters, or undefined. */
  route(
    httpMethod: string,
    pathname: string,
  ): { method: RoutedMethod; path: Record<string, string> } | undefined {
    for (const method of this.methods) {
      if (method.httpMethod !== httpMethod) continue;
      const match = method.pathPattern.exec(pathname);
      if (match === null) continue;
      const path: Record<string, string> = {};
      method.pathNames.forEach((name, index) => {
        path[name] = decodeURIComponent(match[index + 1] ?? '');
      });
      return { method, path };
    }
    return undefined;
  }

  /**
   * Everything wrong with a request, per the discovery document: path parameters against their patterns, query
   * parameters (unknown ones, types, enums, ranges), and the body against the method's request schema, with
   * `annotations.required` fields. An empty list means valid.
   */
  check(method: RoutedMethod, path: Record<string, string>, query: URLSearchParams, body: unknown): string[] {
    const problems: string[] = [];
    for (const [name, value] of Object.entries(path)) {
      const pattern = method.parameters[name]?.pattern;
      if (pattern !== undefined && !new RegExp(`^(?:${pattern})$`).test(value)) {
        problems.push(`path parameter ${name}='${value}' does not match ${pattern}`);
      }
    }
    for (const [name, value] of query) {
      // `$alt` is the transport's own (gax asks for JSON with `$alt=json;enum-encoding=int`).
      if (name === '$alt') continue;
      const parameter = method.parameters[name] ?? this.document.parameters[name];
      if (parameter === undefined || parameter.location !== 'query') {
        problems.push(`unknown query parameter ${name}`);
        continue;
      }
      problems.push(...checkQueryValue(name, value, parameter));
    }
    for (const [name, parameter] of Object.entries(method.parameters)) {
      if (parameter.required && parameter.location === 'query' && !query.has(name)) {
        problems.push(`missing query parameter ${name}`);
      }
    }
    if (method.request === undefined) {
      // gax sends `""` (a JSON empty string) or `{}` as the body of a body-less POST.
      const empty =
        body === undefined ||
        body === '' ||
        (typeof body === 'object' && body !== null && Object.keys(body).length === 0);
      if (!empty) {
        problems.push(`${method.id} takes no body, got ${JSON.stringify(body)}`);
      }
      return problems;
    }
    const validate = this.bodyValidator(method);
    if (!validate(body)) {
      for (const error of validate.errors ?? []) {
        // `not: {}` is how an output-only property is refused (see toJsonSchema).
        problems.push(
          error.keyword === 'not'
            ? `body${error.instancePath} is output-only: the service ignores it in a request`
            : `body${error.instancePath} ${error.message} ${JSON.stringify(error.params)}`,
        );
      }
    }
    return problems;
  }

  private bodyValidator(method: RoutedMethod): ValidateFunction {
    let validate = this.bodyValidators.get(method.id);
    if (validate === undefined) {
      const name = method.request?.$ref ?? '';
      const schema = toJsonSchema(this.document.schemas[name] ?? {}, method.id);
      validate = this.ajv.compile(schema);
      this.bodyValidators.set(method.id, validate);
    }
    return validate;
  }
}

/**
 * A discovery schema as JSON Schema: `$ref` to the shared definitions, 64-bit integers as decimal strings (their wire
 * form), objects closed unless they declare `additionalProperties`, output-only (`readOnly`) properties refused, and,
 * for the top level of a method's body, the fields the method's `annotations.required` lists.
 */
function toJsonSchema(schema: DiscoverySchema, methodId: string | undefined): Record<string, unknown> {
  if (schema.readOnly === true) return { not: {} };
  if (schema.$ref !== undefined) return { $ref: `compute#/definitions/${schema.$ref}` };
  const result: Record<string, unknown> = {};
  if (schema.enum !== undefined) result.enum = schema.enum;
  switch (schema.type) {
    case 'string':
      result.type = 'string';
      if (schema.format === 'int64' || schema.format === 'uint64') result.pattern = '^-?[0-9]+$';
      break;
    case 'integer':
      result.type = 'integer';
      break;
    case 'number':
      result.type = 'number';
      break;
    case 'boolean':
      result.type = 'boolean';
      break;
    case 'array':
      result.type = 'array';
      result.items = toJsonSchema(schema.items ?? {}, undefined);
      break;
    case 'object': {
      result.type = 'object';
      const properties: Record<string, unknown> = {};
      const required: string[] = [];
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        properties[name] = toJsonSchema(property, undefined);
        if (methodId !== undefined && property.annotations?.required?.includes(methodId)) required.push(name);
      }
      result.properties = properties;
      result.additionalProperties =
        schema.additionalProperties === undefined
          ? false
          : toJsonSchema(schema.additionalProperties, undefined);
      if (required.length > 0) result.required = required;
      break;
    }
    default:
      break;
  }
  return result;
}

function checkQueryValue(name: string, value: string, parameter: DiscoverySchema): string[] {
  if (parameter.enum !== undefined && !parameter.enum.includes(value)) {
    return [`query parameter ${name}='${value}' is not one of ${parameter.enum.join(', ')}`];
  }
  if (parameter.type === 'boolean' && value !== 'true' && value !== 'false') {
    return [`query parameter ${name}='${value}' is not a boolean`];
  }
  if (parameter.type === 'integer') {
    const number = Number(value);
    if (!Number.isInteger(number)) return [`query parameter ${name}='${value}' is not an integer`];
    if (parameter.minimum !== undefined && number < Number(parameter.minimum)) {
      return [`query parameter ${name}=${value} is below ${parameter.minimum}`];
    }
    if (parameter.maximum !== undefined && number > Number(parameter.maximum)) {
      return [`query parameter ${name}=${value} is above ${parameter.maximum}`];
    }
  }
  if (parameter.pattern !== undefined && !new RegExp(`^(?:${parameter.pattern})$`).test(value)) {
    return [`query parameter ${name}='${value}' does not match ${parameter.pattern}`];
  }
  return [];
}
