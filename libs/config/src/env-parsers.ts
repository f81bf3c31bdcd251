import ms from 'ms';
import cron from 'node-cron';

/** A setting that could not be read; the message is for the hospital's operator (French). */
export class InvalidSetting {
  constructor(
    readonly variable: string,
    readonly message: string,
  ) {}
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Collects every invalid setting before failing, so that one start names them all. */
export class EnvReader {
  readonly problems: InvalidSetting[] = [];

  constructor(private readonly env: Env) {}

  raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optional(name: string): string | undefined {
    return this.raw(name);
  }

  durationMs(name: string, fallback: string): number {
    const text = this.raw(name) ?? fallback;
    const value = /^\d+(\.\d+)?\s*(ms|s|m|h|d|w)$/i.test(text) ? ms(text as ms.StringValue) : undefined;
    if (value === undefined || !(value > 0)) {
      this.problems.push(
        new InvalidSetting(name, `« ${text} » n'est pas une durée valide (exemples : 3d, 12h, 10s, 500ms).`),
      );
      return ms(fallback as ms.StringValue);
    }
    return value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const value = /^-?\d+$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.problems.push(new InvalidSetting(name, `« ${text} » doit être un entier entre ${min} et ${max}.`));
      return fallback;
    }
    return value;
  }

  port(name: string, fallback: number): number {
    return this.integer(name, fallback, 0, 65535);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(text)) {
      this.problems.push(new InvalidSetting(name, `« ${text} » doit valoir ${allowed.join(', ')}.`));
      return fallback;
    }
    return text as T;
  }

  boolean(name: string, fallback: boolean): boolean {
    const text = this.raw(name)?.toLowerCase();
    if (text === undefined) return fallback;
    if (['1', 'true', 'yes', 'oui', 'on'].includes(text)) return true;
    if (['0', 'false', 'no', 'non', 'off'].includes(text)) return false;
    this.problems.push(new InvalidSetting(name, `« ${text} » doit valoir true ou false.`));
    return fallback;
  }

  url(name: string, fallback: string | undefined, protocols: readonly string[]): string | undefined {
    const text = this.raw(name) ?? fallback;
    if (text === undefined) return undefined;
    let parsed: URL | undefined;
    try {
      parsed = new URL(text);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !protocols.includes(parsed.protocol.replace(/:$/, ''))) {
      this.problems.push(
        new InvalidSetting(name, `« ${redactUrl(text)} » n'est pas une URL valide (${protocols.join(', ')}).`),
      );
      return fallback;
    }
    return text.replace(/\/+$/, '');
  }

  cron(name: string, fallback: string): string {
    const text = this.raw(name) ?? fallback;
    if (!cron.validate(text)) {
      this.problems.push(
        new InvalidSetting(name, `« ${text} » n'est pas une expression cron valide (exemple : */10 * * * * *).`),
      );
      return fallback;
    }
    return text;
  }

  secret(name: string, fallback: string | undefined, minLength: number): string | undefined {
    const text = this.raw(name) ?? fallback;
    if (text !== undefined && text.length < minLength) {
      this.problems.push(new InvalidSetting(name, `le secret doit compter au moins ${minLength} caractères.`));
    }
    return text;
  }
}

/** Never print a password found in a connection URL. */
export function redactUrl(text: string): string {
  return text.replace(/\/\/([^:/@]+):([^@]*)@/, '//$1:***@');
}
