/** Contact details as they appear in the journal: enough to recognise, not to reuse. */
export function maskRecipient(recipient: string): string {
  if (recipient.includes('@')) {
    const [local, domain] = recipient.split('@');
    return `${local.slice(0, 1)}***@${domain}`;
  }
  return recipient.length > 6 ? `${recipient.slice(0, 5)}${'*'.repeat(recipient.length - 7)}${recipient.slice(-2)}` : '***';
}
