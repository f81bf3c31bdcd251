import { SegmentedMessage } from 'sms-segments-calculator';

/**
 * Characters outside the GSM 03.38 alphabet force the whole SMS into UCS-2 (70 characters a
 * segment instead of 160): they are replaced by their nearest GSM-7 equivalent. é, è, à, ù, É, Ç
 * are GSM-7 and stay.
 */
const REPLACEMENTS: Record<string, string> = {
  â: 'a', ê: 'e', î: 'i', ô: 'o', û: 'u', ë: 'e', ï: 'i', ÿ: 'y', ç: 'c', á: 'a', í: 'i', ó: 'o', ú: 'u',
  Â: 'A', Ê: 'E', Î: 'I', Ô: 'O', Û: 'U', Ë: 'E', Ï: 'I', À: 'A', È: 'E', Ù: 'U', Œ: 'OE', œ: 'oe',
  '’': "'", '‘': "'", '“': '"', '”': '"', '«': '"', '»': '"', '–': '-', '—': '-', '…': '...',
  '\u00a0': ' ', '\u202f': ' ', '\u2009': ' ',
};

export function toGsm7(text: string): string {
  let out = '';
  for (const char of text) out += REPLACEMENTS[char] ?? char;
  // Anything still outside the alphabet (rare letters, emoji) is dropped rather than doubling the cost.
  const message = new SegmentedMessage(out, 'auto');
  for (const bad of message.getNonGsmCharacters()) out = out.split(bad).join('');
  return out;
}

export interface SmsSize {
  encoding: string;
  segments: number;
  characters: number;
}

export function smsSize(text: string): SmsSize {
  const message = new SegmentedMessage(text, 'auto');
  return { encoding: message.encodingName, segments: message.segmentsCount, characters: message.numberOfCharacters };
}
