import escapeHtml from 'escape-html';

/** Markup already escaped: inserted as is by `html`. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Interpolated = SafeHtml | string | number | null | undefined | false | readonly Interpolated[];

const render = (value: Interpolated): string => {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
};

/**
 * The console's template engine: a tagged template that escapes every interpolated value (text,
 * attribute) unless it is itself `html` output, so a page cannot forget to escape. Arrays are
 * concatenated (lists of rows), null / undefined / false render nothing (optional parts).
 */
export function html(strings: TemplateStringsArray, ...values: Interpolated[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i += 1) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}
