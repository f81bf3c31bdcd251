import fc from 'fast-check';

/**
 * fast-check arbitraries from the JSON Schema 2020-12 (OpenAPI 3.1) schemas of the served document,
 * for the fuzz suite (test/fuzz.e2e-spec.ts).
 *
 * Written here because no maintained library does it for fast-check 4: `json-schema-fast-check`
 * (0.0.6, archived) needs fast-check 1 and draft 4, the others generate source files or use their
 * own random source (no seed, no shrinking). It covers the keywords the document uses, and refuses
 * (throws `UnsupportedSchemaError`) any other keyword that constrains a value, so that a schema it
 * cannot honour is never silently turned into invalid "valid" data: extend it then.
 *
 * Every value generated is valid against the schema it came from (json-schema-arbitrary.spec.ts
 * checks it with ajv); `hints` offer realistic values beside the schema's own, so that requests
 * reach the code behind the validation.
 */

export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

export interface SchemaArbitraryOptions {
  /** The document that `$ref`s (`#/components/schemas/…`) point into. */
  root?: unknown;
  /**
   * Arbitraries offered beside the schema's own for an object property of that name (three times
   * out of four); each must produce values valid against that property's schema.
   */
  hints?: Readonly<Record<string, fc.Arbitrary<unknown>>>;
  /** Longest string generated when a schema sets no `maxLength` (default 40). */
  defaultMaxLength?: number;
}

export class UnsupportedSchemaError extends Error {}

/** Keywords that say nothing about which values are valid. */
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  'title',
  'description',
  'default',
  'example',
  'examples',
  'deprecated',
  'readOnly',
  'writeOnly',
  // OpenAPI 3.1 additions to the Schema Object.
  'discriminator',
  'xml',
  'externalDocs',
]);

const SUPPORTED = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'anyOf',
  'oneOf',
  'allOf',
]);

const FORMATS: Record<string, () => fc.Arbitrary<string>> = {
  uuid: () => fc.uuid(),
  date: () => isoDates().map((d) => d.toISOString().slice(0, 10)),
  'date-time': () => isoDates().map((d) => d.toISOString()),
  email: () => fc.emailAddress(),
  // Web URLs with an IP or a reserved name: nothing generated here can name a real host.
  uri: () => fc.webUrl({ authoritySettings: { withIPv4: true } }).map((u) => u.replace(/^(https?:\/\/)[^/:?#]+/, '$1192.0.2.1')),
};

const isoDates = () => fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true });

type SchemaObject = Record<string, unknown>;

/** An arbitrary of values valid against `schema`. */
export function arbitraryFromSchema(schema: JsonSchema, options: SchemaArbitraryOptions = {}): fc.Arbitrary<unknown> {
  return new Converter(options).convert(schema, '#', 0);
}

/** Follows a local `$ref` (`#/…`) in `root`. */
export function resolveRef(root: unknown, ref: string): JsonSchema {
  if (!ref.startsWith('#')) throw new UnsupportedSchemaError(`$ref ${ref}: only local references are supported`);
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').filter(Boolean)) {
    const segment = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = node && typeof node === 'object' ? (node as SchemaObject)[segment] : undefined;
  }
  if (node === undefined) throw new UnsupportedSchemaError(`$ref ${ref}: nothing at this address`);
  return node as JsonSchema;
}

/** `schema` with its `$ref` (one level or more) replaced by what it points to. */
export function deref(schema: JsonSchema, root: unknown): JsonSchema {
  let current = schema;
  for (let hops = 0; typeof current === 'object' && typeof current.$ref === 'string'; hops += 1) {
    if (hops > 20) throw new UnsupportedSchemaError(`$ref ${current.$ref}: too many hops`);
    const { $ref, ...rest } = current;
    const target = resolveRef(root, $ref);
    const meaningful = Object.keys(rest).filter((k) => !ANNOTATIONS.has(k));
    if (meaningful.length > 0) return { allOf: [target, rest] };
    current = target;
  }
  return current;
}

class Converter {
  private readonly maxLength: number;

  constructor(private readonly options: SchemaArbitraryOptions) {
    this.maxLength = options.defaultMaxLength ?? 40;
  }

  convert(input: JsonSchema, at: string, depth: number): fc.Arbitrary<unknown> {
    if (depth > 32) throw new UnsupportedSchemaError(`${at}: schema nested too deep (recursive $ref?)`);
    const schema = deref(input, this.options.root);
    if (schema === true) return fc.jsonValue();
    if (schema === false) throw new UnsupportedSchemaError(`${at}: the false schema has no valid value`);
    for (const keyword of Object.keys(schema)) {
      if (!SUPPORTED.has(keyword) && !ANNOTATIONS.has(keyword) && !keyword.startsWith('x-')) {
        throw new UnsupportedSchemaError(`${at}: keyword ${keyword} is not supported by the converter`);
      }
    }

    if ('allOf' in schema) return this.convert(this.mergeAllOf(schema, at), at, depth + 1);
    const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
    if (branches) {
      const { anyOf: _a, oneOf: _o, ...rest } = schema;
      const own = Object.keys(rest).filter((k) => !ANNOTATIONS.has(k));
      return fc.oneof(...branches.map((branch, i) => this.convert(own.length ? { allOf: [rest, branch] } : branch, `${at}/anyOf/${i}`, depth + 1)));
    }
    if ('const' in schema) return fc.constant(schema.const);
    if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));

    const types = typeOf(schema);
    if (types.length === 0) return fc.jsonValue();
    return fc.oneof(...types.map((type) => this.ofType(type, schema, at, depth)));
  }

  private ofType(type: string, schema: SchemaObject, at: string, depth: number): fc.Arbitrary<unknown> {
    switch (type) {
      case 'null':
        return fc.constant(null);
      case 'boolean':
        return fc.boolean();
      case 'integer':
        return integers(schema);
      case 'number':
        return numbers(schema);
      case 'string':
        return this.strings(schema, at);
      case 'array': {
        const items = schema.items === undefined ? fc.jsonValue() : this.convert(schema.items as JsonSchema, `${at}/items`, depth + 1);
        const minLength = (schema.minItems as number | undefined) ?? 0;
        return fc.array(items, { minLength, maxLength: (schema.maxItems as number | undefined) ?? minLength + 5 });
      }
      case 'object':
        return this.objects(schema, at, depth);
      default:
        throw new UnsupportedSchemaError(`${at}: type ${type} is not supported`);
    }
  }

  private strings(schema: SchemaObject, at: string): fc.Arbitrary<string> {
    const minLength = (schema.minLength as number | undefined) ?? 0;
    const maxLength = (schema.maxLength as number | undefined) ?? Math.max(minLength, this.maxLength);
    const fitsLength = (s: string) => {
      const length = [...s].length;
      return length >= minLength && length <= maxLength;
    };
    const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern, 'u') : undefined;
    if (typeof schema.format === 'string') {
      const format = FORMATS[schema.format];
      if (!format) throw new UnsupportedSchemaError(`${at}: format ${schema.format} is not supported`);
      return format().filter((s) => fitsLength(s) && (!pattern || pattern.test(s)));
    }
    if (pattern) return fc.stringMatching(pattern, { maxLength }).filter(fitsLength);
    return fc.string({ unit: 'grapheme-composite', minLength, maxLength });
  }

  private objects(schema: SchemaObject, at: string, depth: number): fc.Arbitrary<Record<string, unknown>> {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((schema.required ?? []) as string[]);
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, property] of Object.entries(properties)) {
      const own = this.convert(property, `${at}/properties/${name}`, depth + 1);
      const hint = this.options.hints?.[name];
      model[name] = hint ? fc.oneof({ arbitrary: own, weight: 1 }, { arbitrary: hint, weight: 3 }) : own;
    }
    for (const name of required) {
      if (!(name in model)) {
        const extra = schema.additionalProperties;
        if (extra === false) throw new UnsupportedSchemaError(`${at}: ${name} is required but not allowed`);
        model[name] = extra === undefined || extra === true ? fc.jsonValue() : this.convert(extra as JsonSchema, `${at}/required/${name}`, depth + 1);
      }
    }
    const record = fc.record(model, { requiredKeys: [...required] });
    const extra = schema.additionalProperties;
    if (extra && typeof extra === 'object' && Object.keys(properties).length === 0) {
      const values = this.convert(extra as JsonSchema, `${at}/additionalProperties`, depth + 1);
      const keys = fc.string({ minLength: 1, maxLength: 10 }).filter((k) => !(k in model) && k !== '__proto__');
      return fc.tuple(record, fc.dictionary(keys, values, { maxKeys: 3 })).map(([known, more]) => ({ ...more, ...known }));
    }
    return record;
  }

  /** `allOf` of object schemas (what $ref + siblings and Nest's composition produce), merged into one. */
  private mergeAllOf(schema: SchemaObject, at: string): SchemaObject {
    const { allOf, ...rest } = schema;
    const parts = [rest, ...(allOf as JsonSchema[])].map((part) => deref(part, this.options.root));
    const merged: Record<string, any> = {};
    for (const part of parts) {
      if (part === true) continue;
      if (part === false) throw new UnsupportedSchemaError(`${at}: allOf with the false schema`);
      for (const [keyword, value] of Object.entries(part)) {
        if (ANNOTATIONS.has(keyword)) continue;
        if (keyword === 'properties') {
          merged.properties ??= {};
          for (const [name, property] of Object.entries(value as Record<string, JsonSchema>)) {
            merged.properties[name] = name in merged.properties ? { allOf: [merged.properties[name], property] } : property;
          }
        } else if (keyword === 'required') {
          merged.required = [...new Set([...(merged.required ?? []), ...(value as string[])])];
        } else if (keyword === 'allOf' || keyword === 'anyOf' || keyword === 'oneOf') {
          throw new UnsupportedSchemaError(`${at}: nested ${keyword} inside allOf is not supported`);
        } else if (keyword in merged && JSON.stringify(merged[keyword]) !== JSON.stringify(value)) {
          throw new UnsupportedSchemaError(`${at}: allOf parts disagree on ${keyword}`);
        } else {
          merged[keyword] = value;
        }
      }
    }
    return merged;
  }
}

function typeOf(schema: SchemaObject): string[] {
  if (Array.isArray(schema.type)) return schema.type as string[];
  if (typeof schema.type === 'string') return [schema.type];
  if (schema.properties || schema.required || schema.additionalProperties !== undefined) return ['object'];
  if (schema.items) return ['array'];
  if (schema.pattern || schema.format || schema.minLength !== undefined || schema.maxLength !== undefined) return ['string'];
  return [];
}

function integers(schema: SchemaObject): fc.Arbitrary<number> {
  let min = typeof schema.minimum === 'number' ? Math.ceil(schema.minimum) : -Number.MAX_SAFE_INTEGER;
  let max = typeof schema.maximum === 'number' ? Math.floor(schema.maximum) : Number.MAX_SAFE_INTEGER;
  if (typeof schema.exclusiveMinimum === 'number') min = Math.max(min, Math.floor(schema.exclusiveMinimum) + 1);
  if (typeof schema.exclusiveMaximum === 'number') max = Math.min(max, Math.ceil(schema.exclusiveMaximum) - 1);
  // Small values most of the time (they reach the business rules), the whole range and its edges sometimes.
  const small = fc.integer({ min: Math.max(min, Math.min(max, -1000)), max: Math.min(max, Math.max(min, 100_000)) });
  return fc.oneof({ arbitrary: small, weight: 4 }, { arbitrary: fc.integer({ min, max }), weight: 1 }, fc.constantFrom(min, max));
}

function numbers(schema: SchemaObject): fc.Arbitrary<number> {
  const exclusiveMin = typeof schema.exclusiveMinimum === 'number';
  const exclusiveMax = typeof schema.exclusiveMaximum === 'number';
  const min = (exclusiveMin ? schema.exclusiveMinimum : schema.minimum) as number | undefined;
  const max = (exclusiveMax ? schema.exclusiveMaximum : schema.maximum) as number | undefined;
  return fc
    .double({ min, max, minExcluded: exclusiveMin, maxExcluded: exclusiveMax, noNaN: true, noDefaultInfinity: true })
    .map((n) => (Object.is(n, -0) ? 0 : n));
}
