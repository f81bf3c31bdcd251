import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { JsonSchema, UnsupportedSchemaError, arbitraryFromSchema, deref } from './json-schema-arbitrary';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

/** A document shaped like the served one: schemas under components, referenced by `$ref`. */
const document = {
  components: {
    schemas: {
      PatientDto: {
        type: 'object',
        properties: {
          lastName: { type: 'string', maxLength: 100 },
          firstName: { type: 'string', minLength: 1, maxLength: 3 },
          email: { type: 'string', format: 'email', maxLength: 254 },
        },
        required: ['lastName', 'firstName'],
      },
      Dossier: {
        type: 'object',
        description: 'annotations are ignored',
        properties: {
          gapDossierNumber: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._\\-/]{0,63}$', example: 'GAP-1' },
          patient: { $ref: '#/components/schemas/PatientDto' },
          admissionDate: { type: 'string', format: 'date' },
          createdAt: { type: 'string', format: 'date-time' },
          id: { type: 'string', format: 'uuid' },
          site: { type: 'string', format: 'uri' },
          status: { type: 'string', enum: ['awaiting_imprint', 'completed'] },
          object: { type: 'string', const: 'dossier' },
          ceilingCents: { type: 'integer', minimum: 1 },
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
          ratio: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
          cancelled: { type: 'boolean' },
          amountCents: { type: ['integer', 'null'] },
          reason: { anyOf: [{ $ref: '#/components/schemas/PatientDto' }, { type: 'null' }] },
          tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] }, minItems: 1, maxItems: 2 },
          channel: {
            oneOf: [
              { type: 'string', const: 'sms' },
              { type: 'integer', maximum: -1 },
            ],
          },
          metadata: { type: 'object', additionalProperties: { type: 'integer' } },
          idempotencyKey: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]{1,255}$' },
        },
        required: ['gapDossierNumber', 'patient', 'object'],
        additionalProperties: false,
      },
      Event: {
        allOf: [
          { $ref: '#/components/schemas/PatientDto' },
          { type: 'object', properties: { type: { type: 'string', const: 'x' } }, required: ['type'] },
        ],
      },
    },
  },
};

const refTo = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

function assertAllValid(schema: JsonSchema, numRuns = 300): void {
  const validate = ajv.compile({ ...document, ...(typeof schema === 'object' ? schema : {}), $id: `urn:test:${Math.random()}` });
  fc.assert(
    fc.property(arbitraryFromSchema(schema, { root: document }), (value) => {
      if (!validate(value)) throw new Error(`${JSON.stringify(value)}: ${ajv.errorsText(validate.errors)}`);
    }),
    { numRuns },
  );
}

describe('arbitraryFromSchema', () => {
  it('generates only values valid against every keyword the served document uses ($ref, formats, patterns, bounds, nullable, anyOf, oneOf)', () => {
    assertAllValid(refTo('Dossier'));
  });

  it('merges allOf object parts, their properties and required members', () => {
    assertAllValid(refTo('Event'));
    fc.assert(
      fc.property(arbitraryFromSchema(refTo('Event'), { root: document }), (value) => {
        expect(value).toMatchObject({ type: 'x', lastName: expect.any(String), firstName: expect.any(String) });
      }),
    );
  });

  it.each<[string, JsonSchema]>([
    ['a nullable string', { type: ['string', 'null'], maxLength: 2 }],
    ['a bounded integer', { type: 'integer', minimum: -3, exclusiveMaximum: 4 }],
    ['a number range', { type: 'number', minimum: -1.5, maximum: 2 }],
    ['an enum with null', { type: ['string', 'null'], enum: ['a', null] }],
    ['an untyped schema', {}],
    ['the true schema', true],
    ['a pattern with a length', { type: 'string', pattern: '^[a-z]+$', minLength: 2, maxLength: 4 }],
  ])('generates valid values for %s', (_label, schema) => {
    assertAllValid(schema);
  });

  it('generates every required member, and optional members sometimes', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(arbitraryFromSchema(refTo('PatientDto'), { root: document }), (value) => {
        const patient = value as Record<string, unknown>;
        expect(patient).toHaveProperty('lastName');
        expect(patient).toHaveProperty('firstName');
        Object.keys(patient).forEach((k) => seen.add(k));
      }),
      { numRuns: 200 },
    );
    expect(seen).toEqual(new Set(['lastName', 'firstName', 'email']));
  });

  it('offers the hints beside the schema’s own values, by property name', () => {
    const values = fc.sample(arbitraryFromSchema(refTo('PatientDto'), { root: document, hints: { lastName: fc.constant('Martin') } }), 300);
    const lastNames = values.map((v) => (v as { lastName: string }).lastName);
    expect(lastNames).toContain('Martin');
    expect(lastNames.some((n) => n !== 'Martin')).toBe(true);
  });

  it('is reproducible from a seed', () => {
    const arbitrary = arbitraryFromSchema(refTo('Dossier'), { root: document });
    expect(fc.sample(arbitrary, { seed: 42, numRuns: 20 })).toEqual(fc.sample(arbitrary, { seed: 42, numRuns: 20 }));
  });

  it.each<[string, JsonSchema, RegExp]>([
    ['a keyword it cannot honour', { type: 'array', uniqueItems: true }, /uniqueItems/],
    ['an unknown format', { type: 'string', format: 'ipv6' }, /format ipv6/],
    ['a reference to nothing', { $ref: '#/components/schemas/Nope' }, /nothing at this address/],
    ['a remote reference', { $ref: 'https://example.test/schema.json' }, /only local references/],
    ['contradictory allOf parts', { allOf: [{ type: 'string' }, { type: 'integer' }] }, /disagree on type/],
    ['the false schema', false, /false schema/],
  ])('refuses %s instead of generating values that may be invalid', (_label, schema, message) => {
    expect(() => arbitraryFromSchema(schema, { root: document })).toThrow(UnsupportedSchemaError);
    expect(() => arbitraryFromSchema(schema, { root: document })).toThrow(message);
  });

  it('follows chains of references and keeps a reference’s siblings as constraints', () => {
    const root = { a: { $ref: '#/b' }, b: { type: 'string', maxLength: 1 } };
    expect(deref({ $ref: '#/a' }, root)).toEqual({ type: 'string', maxLength: 1 });
    expect(deref({ $ref: '#/b', description: 'x' }, root)).toEqual({ type: 'string', maxLength: 1 });
    expect(deref({ $ref: '#/b', minLength: 1 }, root)).toEqual({ allOf: [{ type: 'string', maxLength: 1 }, { minLength: 1 }] });
  });
});
