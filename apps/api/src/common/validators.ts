import { ValidationArguments, ValidationOptions, registerDecorator } from 'class-validator';
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
          if (value === undefined || value === null) {
            const email = (args.object as { email?: unknown }).email;
            return email !== undefined && email !== null;
          }
          return typeof value === 'string' && parsePhone(value) !== null;
        },
        defaultMessage(args: ValidationArguments) {
          return args.value === undefined || args.value === null
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
