import { ProtocolError } from './errors';

/** A Caisse-AP (Concert V3) message: `TAG` (2 letters) + `LEN` (3 digits) + value, `CZ` first. */
export type TlvFields = Map<string, string>;

export function encodeTlv(fields: Iterable<[string, string]>): Buffer {
  const entries = [...fields];
  const ordered = [...entries.filter(([t]) => t === 'CZ'), ...entries.filter(([t]) => t !== 'CZ')];
  let out = '';
  for (const [tag, value] of ordered) {
    if (!/^[A-Z]{2}$/.test(tag)) throw new ProtocolError('bad_tlv', `Étiquette TLV invalide : ${tag}`);
    if (value.length < 1 || value.length > 999) throw new ProtocolError('bad_tlv', `Longueur invalide pour ${tag}`);
    if (!/^[\x20-\x7e]*$/.test(value)) throw new ProtocolError('bad_tlv', `Caractères non imprimables dans ${tag}`);
    out += `${tag}${value.length.toString().padStart(3, '0')}${value}`;
  }
  return Buffer.from(out, 'latin1');
}

/**
 * Reads as many whole fields as `input` holds. Pure: returns the fields, how many bytes they used,
 * and an error when the bytes cannot be a Caisse-AP message (the caller then drops the connection).
 */
export function parseTlv(input: Uint8Array): { fields: TlvFields; consumed: number; error?: ProtocolError } {
  const bytes = Buffer.from(input);
  const fields: TlvFields = new Map();
  let i = 0;
  while (i + 5 <= bytes.length) {
    const tag = bytes.toString('latin1', i, i + 2);
    const len = bytes.toString('latin1', i + 2, i + 5);
    if (!/^[A-Z]{2}$/.test(tag)) return { fields, consumed: i, error: new ProtocolError('bad_tlv', 'Étiquette TLV invalide') };
    if (!/^\d{3}$/.test(len) || Number(len) < 1) {
      return { fields, consumed: i, error: new ProtocolError('bad_tlv', `Longueur TLV invalide pour ${tag}`) };
    }
    const length = Number(len);
    if (i + 5 + length > bytes.length) break;
    const value = bytes.subarray(i + 5, i + 5 + length);
    for (const byte of value) {
      if (byte < 0x20 || byte > 0x7e) return { fields, consumed: i, error: new ProtocolError('bad_tlv', `Caractères non imprimables dans ${tag}`) };
    }
    if (fields.size === 0 && tag !== 'CZ') return { fields, consumed: i, error: new ProtocolError('bad_tlv', 'Le premier champ doit être CZ') };
    fields.set(tag, value.toString('latin1'));
    i += 5 + length;
  }
  return { fields, consumed: i };
}
