import { KeyObject, createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';

/**
 * Links sent to patients carry a token that names the notice and its expiry, signed with the
 * server's secret (HMAC-SHA256, truncated to 96 bits): short enough for an SMS, unguessable,
 * unforgeable. 32 bytes, 43 characters of base64url.
 */
export class PatientLinkTokens {
  /** A key object made once: a raw key would be made into one at every signature. */
  private readonly key: KeyObject;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error('patient link secret too short');
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  sign(noticeId: string, expiresAt: Date): string {
    const id = Buffer.from(noticeId.replace(/-/g, ''), 'hex');
    if (id.length !== 16) throw new Error('notice id must be a UUID');
    const expiry = Buffer.alloc(4);
    expiry.writeUInt32BE(Math.floor(expiresAt.getTime() / 1000));
    const body = Buffer.concat([id, expiry]);
    return Buffer.concat([body, this.mac(body)]).toString('base64url');
  }

  /** The notice id, or why the token is refused. */
  verify(token: string, now: Date): { noticeId: string } | { error: 'invalid' | 'expired' } {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return { error: 'invalid' };
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length !== 32) return { error: 'invalid' };
    const body = bytes.subarray(0, 20);
    if (!timingSafeEqual(bytes.subarray(20), this.mac(body))) return { error: 'invalid' };
    if (body.readUInt32BE(16) * 1000 < now.getTime()) return { error: 'expired' };
    const hex = body.subarray(0, 16).toString('hex');
    return { noticeId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}` };
  }

  private mac(body: Buffer): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, 12);
  }
}
