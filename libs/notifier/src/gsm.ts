import { SegmentedMessage } from 'sms-segments-calculator';

/**
 * Characters outside the GSM 03.38 alphabet force the whole SMS into UCS-2 (70 characters a
 * segment instead of 160): they are replaced by their nearest GSM-7 equivalent. é, è, à, ù, É, Ç
 * are GSM-7 and stay.
 */
const REPLACEMENTS: Record<string, string> = {
  â: 'a',
  ê: 'e',
  î: 'i',
  ô: 'o',
  û: 'u',
  ë: 'e',
  ï: 'i',
  ÿ: 'y',
  ç: 'c',
  á: 'a',
  í: 'i',
  ó: 'o',
  ú: 'u',
  Â: 'A',
  Ê: 'E',
  Î: 'I',
  Ô: 'O',
  Û: 'U',
  Ë: 'E',
  Ï: 'I',
  À: 'A',
  È: 'E',
  Ù: 'U',
  Œ: 'OE',
  œ: 'oe',
  '’': "'",
  '‘': "'",
  '“': '"',
  '”': '"',
  '«': '"',
  '»': '"',
  '–': '-',
  '—': '-',
  '…': '...',
  '\u00a0': ' ',
  '\u202f': ' ',
  '\u2009': ' ',
};

/** GSM 03.38: the basic alphabet and the extension table (each extension character costs two septets). */
const GSM_CHARSET = new Set([
  ...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
  ...'^{}\\[~]|€\f',
]);

export function toGsm7(text: string): string {
  let out = '';
  for (const char of text) {
    const replaced = REPLACEMENTS[char] ?? char;
    // Anything still outside the alphabet (rare letters, emoji) is dropped rather than doubling the cost.
    for (const c of replaced) if (GSM_CHARSET.has(c)) out += c;
  }
  return out;
}

export interface SmsSize {
  encoding: string;
  segments: number;
  characters: number;
}

const GSM_EXTENSION = new Set([...'^{}\\[~]|€\f']);

/**
 * Size of an SMS as operators bill it. GSM-7 text (what `toGsm7` produces) is counted in septets
 * directly (an extension character is two, 160 in one segment, 153 a segment beyond); anything
 * else goes through Twilio's calculator, which is exact but costly.
 */
export function smsSize(text: string): SmsSize {
  let septets = 0;
  let gsm = true;
  let characters = 0;
  for (const char of text) {
    characters += 1;
    if (!GSM_CHARSET.has(char)) {
      gsm = false;
      break;
    }
    septets += GSM_EXTENSION.has(char) ? 2 : 1;
  }
  if (gsm) return { encoding: 'GSM-7', segments: septets <= 160 ? 1 : Math.ceil(septets / 153), characters };
  const message = new SegmentedMessage(text, 'auto');
  return { encoding: message.encodingName, segments: message.segmentsCount, characters: message.numberOfCharacters };
}
