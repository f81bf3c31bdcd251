import { ProtocolError } from './errors';

export const STX = 0x02;
export const ETX = 0x03;
export const EOT = 0x04;
export const ENQ = 0x05;
export const ACK = 0x06;
export const NAK = 0x15;

/** No Concert V2 frame is longer than this; anything longer is noise, and parsing resynchronises. */
export const MAX_V2_DATA = 256;

export type V2Control = 'ENQ' | 'ACK' | 'NAK' | 'EOT';

export type V2Item =
  | { kind: 'control'; control: V2Control }
  | { kind: 'frame'; data: string }
  | { kind: 'bad-frame'; error: ProtocolError }
  | { kind: 'noise'; bytes: number };

const CONTROL_NAMES: Record<number, V2Control> = { [ENQ]: 'ENQ', [ACK]: 'ACK', [NAK]: 'NAK', [EOT]: 'EOT' };

/** LRC of a V2 frame: XOR of every byte of the data and of ETX (STX excluded). */
export function lrc(data: Uint8Array): number {
  let value = 0;
  for (const byte of data) value ^= byte;
  return value ^ ETX;
}

export function encodeV2Frame(data: string): Buffer {
  const body = Buffer.from(data, 'latin1');
  return Buffer.concat([Buffer.from([STX]), body, Buffer.from([ETX, lrc(body)])]);
}

export function controlByte(control: V2Control): Buffer {
  return Buffer.from([{ ENQ, ACK, NAK, EOT }[control]]);
}

/**
 * Splits received bytes into control bytes, frames and noise. Pure and incremental: bytes that may
 * be the start of an unfinished frame are returned in `rest`, to be prepended to the next chunk.
 * Never throws; a frame with a bad LRC or an overlong run of bytes is reported as `bad-frame`.
 */
export function parseV2Stream(input: Uint8Array): { items: V2Item[]; rest: Buffer } {
  const bytes = Buffer.from(input);
  const items: V2Item[] = [];
  let i = 0;
  let noise = 0;
  const flushNoise = () => {
    if (noise > 0) items.push({ kind: 'noise', bytes: noise });
    noise = 0;
  };
  while (i < bytes.length) {
    const byte = bytes[i];
    const control = CONTROL_NAMES[byte];
    if (control) {
      flushNoise();
      items.push({ kind: 'control', control });
      i += 1;
      continue;
    }
    if (byte !== STX) {
      noise += 1;
      i += 1;
      continue;
    }
    const etx = bytes.indexOf(ETX, i + 1);
    if (etx === -1) {
      if (bytes.length - i - 1 > MAX_V2_DATA) {
        flushNoise();
        items.push({ kind: 'bad-frame', error: new ProtocolError('frame_too_long', 'Trame V2 trop longue') });
        i += 1;
        continue;
      }
      break; // frame not finished: keep it for the next chunk
    }
    if (etx + 1 >= bytes.length) break; // ETX received, LRC not yet
    const data = bytes.subarray(i + 1, etx);
    flushNoise();
    if (data.length > MAX_V2_DATA) {
      items.push({ kind: 'bad-frame', error: new ProtocolError('frame_too_long', 'Trame V2 trop longue') });
      i = etx + 2;
      continue;
    }
    const expected = lrc(data);
    const received = bytes[etx + 1];
    if (expected !== received) {
      items.push({ kind: 'bad-frame', error: new ProtocolError('bad_lrc', `LRC invalide (reçu ${received}, attendu ${expected})`) });
    } else if (!isPrintable(data)) {
      items.push({ kind: 'bad-frame', error: new ProtocolError('bad_field', 'Trame V2 avec des caractères non imprimables') });
    } else {
      items.push({ kind: 'frame', data: data.toString('latin1') });
    }
    i = etx + 2;
  }
  flushNoise();
  return { items, rest: bytes.subarray(i) };
}

function isPrintable(data: Uint8Array): boolean {
  for (const byte of data) if (byte < 0x20 || byte > 0x7e) return false;
  return true;
}
