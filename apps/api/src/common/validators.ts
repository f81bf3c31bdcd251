import { ValidateIf, ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';
import { parsePhone } from '@diapason/notifier';

/**
 * A phone number the notifier can use; absent only when an e-mail address is given, since the
 * patient must be reachable one way or the other.
 */
export function IsPatientPhone(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isPatientPhone',
      target: target.constructor,
      propertyName: propertyName.toString(),
      options,
      validator: {
        validate(value: unknown, args: ValidationArguments) {
          if (value === null) return false;
          if (value === undefined) {
            const email = (args.object as { email?: unknown }).email;
            return email !== undefined && email !== null;
          }
          return typeof value === 'string' && parsePhone(value) !== null;
        },
        defaultMessage(args: ValidationArguments) {
          if (args.value === null) return 'ne doit pas valoir null';
          return args.value === undefined
            ? 'un numéro de téléphone ou une adresse e-mail est obligatoire'
            : 'numéro de téléphone invalide (exemple : 06 12 34 56 78 ou +33 6 12 34 56 78)';
        },
      },
    });
}

/**
 * An absolute http(s) URL as the WHATWG parser reads it (the parser undici sends with), nothing
 * stricter: odd but parseable hosts (`0x7f000001`, `2130706433`) must reach the destination
 * policy, which refuses them with its reason.
 */
export function IsHttpUrl(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isHttpUrl',
      target: target.constructor,
      propertyName: propertyName.toString(),
      options,
      validator: {
        validate(value: unknown) {
          const url = typeof value === 'string' ? URL.parse(value) : null;
          return url !== null && (url.protocol === 'https:' || url.protocol === 'http:');
        },
        defaultMessage() {
          return 'URL invalide (https://… attendu)';
        },
      },
    });
}

/**
 * An optional field that may be left out but never sent as `null` (the document does not allow it,
 * and a `null` would reach a NOT NULL column). `@IsOptional()` skips every rule on `null` too: use
 * this instead. Absent (`undefined`): no rule runs; `null`: refused with « ne doit pas valoir null ».
 */
export function IsOptionalNotNull(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    ValidateIf((_object: unknown, value: unknown) => value !== undefined, options)(target, propertyName);
    registerDecorator({
      name: 'isNotNull',
      target: target.constructor,
      propertyName: propertyName.toString(),
      options,
      validator: {
        validate: (value: unknown) => value !== null,
        defaultMessage: () => 'ne doit pas valoir null',
      },
    });
  };
}
