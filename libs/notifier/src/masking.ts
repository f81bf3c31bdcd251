/** Contact details as they appear in the journal: enough to recognise, not to reuse. */
export function maskRecipient(recipient: string): string {
  if (recipient.includes('@')) {
    const [local, domain] = recipient.split('@');
    return `${local.slice(0, 1)}***@${domain}`;
  }
  return recipient.length > 6 ? `${recipient.slice(0, 5)}${'*'.repeat(recipient.length - 7)}${recipient.slice(-2)}` : '***';
}

/**
 * An e-mail address anywhere in a text, as SMTP servers quote it (`550 5.1.1 <jean.dupont@example.fr>`)
 * or bare. Local part as RFC 5322 allows it unquoted; domain labels of letters, digits and hyphens.
 */
const EMAIL_IN_TEXT = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*/g;

/**
 * A phone number anywhere in a text: eight digits or more, optionally after `+` or `00`, possibly
 * grouped by spaces, dots or hyphens (`+33639980111`, `06 39 98 01 11`, `06.39.98.01.11`). Shorter
 * runs are left alone, so SMTP enhanced codes (`5.1.1`) and provider error codes (`30003`) stay readable.
 */
const PHONE_IN_TEXT = /(?<![\w.])(?:\+|00)?\d(?:[ .-]?\d){7,}(?![\w])/g;

/**
 * A provider's message with every e-mail address and phone number in it masked like a recipient:
 * what a notice's failure reason keeps, in the notice row, the journal, webhooks and logs.
 */
export function maskContactsIn(text: string): string {
  return text.replace(EMAIL_IN_TEXT, (address) => maskRecipient(address)).replace(PHONE_IN_TEXT, (phone) => maskRecipient(phone));
}

/**
 * A provider's transient error, on its way to the outbox (retry, last error) and the logs, with the
 * addresses and numbers it quotes (« 450 4.2.1 <…@…> ») masked; its name, codes and stack frames kept.
 */
export function maskContactsInError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const message = maskContactsIn(error.message);
  if (message === error.message) return error;
  const masked = new Error(message);
  masked.name = error.name;
  masked.stack = [`${error.name}: ${message}`, ...(error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line))].join('\n');
  for (const key of ['code', 'responseCode', 'command'] as const) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value !== undefined) (masked as unknown as Record<string, unknown>)[key] = value;
  }
  return masked;
}
