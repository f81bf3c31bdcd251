import { ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidField, validationProblem } from './problem';

/**
 * French wording of the class-validator constraints used by the DTOs: one place for all of them.
 * Custom constraints (`isPhone`…) carry their own French message and are not listed here.
 */
const MESSAGES: Record<string, (limit: string | undefined) => string> = {
  whitelistValidation: () => 'champ non reconnu',
  isNotNull: () => 'ne doit pas valoir null',
  isDefined: () => 'champ obligatoire',
  isNotEmpty: () => 'ne doit pas être vide',
  isString: () => 'doit être une chaîne de caractères',
  isInt: () => 'doit être un nombre entier',
  isBoolean: () => 'doit valoir true ou false',
  isObject: () => 'doit être un objet',
  nestedValidation: () => 'doit être un objet',
  isEmail: () => 'adresse e-mail invalide',
  isUUID: () => 'identifiant invalide',
  isIn: () => 'valeur non autorisée',
  isEnum: () => 'valeur non autorisée',
  isIso8601: () => 'date invalide (format attendu : AAAA-MM-JJ)',
  isDateString: () => 'date invalide (format attendu : AAAA-MM-JJ)',
  min: (limit) => `doit valoir au moins ${limit}`,
  max: (limit) => `doit valoir au plus ${limit}`,
  minLength: (limit) => `doit compter au moins ${limit} caractères`,
  maxLength: (limit) => `doit compter au plus ${limit} caractères`,
  matches: () => 'format invalide',
  isUrl: () => 'URL invalide',
  isPositive: () => 'doit être strictement positif',
  isArray: () => 'doit être une liste',
  arrayMaxSize: (limit) => `doit compter au plus ${limit} éléments`,
  unknownValue: () => 'valeur inattendue',
};

function frenchMessage(constraint: string, original: string): string {
  // class-validator only gives the rendered English message; its number is the rule's limit.
  return MESSAGES[constraint]?.(/(\d+)/.exec(original)?.[1]) ?? original;
}

const TYPE_CONSTRAINTS = ['whitelistValidation', 'isNotNull', 'isDefined', 'isObject', 'isString', 'isInt', 'isBoolean', 'isArray'];

function priority(constraint: string): number {
  const index = TYPE_CONSTRAINTS.indexOf(constraint);
  return index === -1 ? TYPE_CONSTRAINTS.length : index;
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): InvalidField[] {
  const fields: InvalidField[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    // One message per field: a wrong type says more than the rules that follow from the type.
    const constraints = Object.entries(error.constraints ?? {}).sort(([a], [b]) => priority(a) - priority(b));
    if (constraints.length > 0) {
      const [constraint, message] = constraints[0];
      fields.push({ field, message: frenchMessage(constraint, message) });
    }
    if (error.children?.length) fields.push(...flattenValidationErrors(error.children, field));
  }
  return fields;
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationProblem(flattenValidationErrors(errors)),
  });
}
