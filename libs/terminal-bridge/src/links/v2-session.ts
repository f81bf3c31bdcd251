import type { TerminalProfile } from '../profiles';
import type { Timing } from '../transport-url';
import { ProtocolError } from '../concert/errors';
import { ConcertAnswer, ConcertRequest, decodeV2Answer, encodeV2Request } from '../concert/messages';
import { V2Receiver } from '../concert/v2-receiver';
import { V2Item, controlByte, encodeV2Frame } from '../concert/v2-stream';
import type { ByteChannel } from './byte-channel';
import { LinkError } from './link';

type Next = V2Item | { kind: 'timeout' } | { kind: 'ended' };

/**
 * The register's side of a Concert V2 exchange: ENQ/ACK, framed request with bounded
 * retransmission, EOT; then the terminal's ENQ, its answer (NAK on a bad frame, which the terminal
 * repeats), EOT. Every wait has a timeout.
 */
export class V2RegisterSession {
  private readonly line = new V2Receiver();

  constructor(
    private readonly channel: ByteChannel,
    private readonly profile: TerminalProfile,
    private readonly timing: Timing,
  ) {
    channel.on('data', (chunk: Buffer) => this.line.push(chunk));
    channel.on('close', () => this.line.end());
  }

  private next(timeoutMs: number): Promise<Next> {
    return this.line.next(timeoutMs);
  }

  private send(bytes: Buffer): void {
    if (this.line.isEnded || !this.channel.open) throw new LinkError('link_closed', 'Liaison fermée', false);
    this.channel.write(bytes);
  }

  /** Waits for one of `wanted` control bytes, skipping anything else. */
  private async control(wanted: readonly string[], timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const item = await this.next(Math.max(0, deadline - Date.now()));
      if (item.kind === 'timeout') return 'timeout';
      if (item.kind === 'ended') return 'closed';
      if (item.kind === 'control' && wanted.includes(item.control)) return item.control;
    }
  }

  async exchange(request: ConcertRequest, answerTimeoutMs = this.timing.answerTimeoutMs): Promise<ConcertAnswer> {
    this.line.clear();
    const { controlTimeoutMs, retries } = this.timing;

    // 1. Ask for the line.
    let granted = false;
    for (let attempt = 0; attempt <= retries && !granted; attempt += 1) {
      this.send(controlByte('ENQ'));
      const reply = await this.control(['ACK', 'NAK'], controlTimeoutMs);
      if (reply === 'closed') throw new LinkError('link_closed', 'Liaison fermée avant la requête', false);
      granted = reply === 'ACK';
    }
    if (!granted) throw new LinkError('link_unavailable', 'Le terminal n’acquitte pas (ENQ sans ACK)', false);

    // 2. The request frame, repeated on NAK.
    const frame = encodeV2Frame(encodeV2Request(this.profile, request));
    let accepted = false;
    let naks = 0;
    for (let attempt = 0; attempt <= retries && !accepted; attempt += 1) {
      this.send(frame);
      const reply = await this.control(['ACK', 'NAK'], controlTimeoutMs);
      if (reply === 'closed') throw new LinkError('link_closed', 'Liaison fermée pendant la requête', true);
      if (reply === 'NAK') naks += 1;
      accepted = reply === 'ACK';
    }
    if (!accepted) {
      throw naks > 0
        ? new LinkError('nak_limit', `Requête refusée ${naks} fois (NAK) : paramètres de ligne à vérifier`, false)
        : new LinkError('timeout', 'Pas d’acquittement de la requête', true);
    }
    this.send(controlByte('EOT'));

    // 3. The answer, when the card transaction ends.
    const enq = await this.control(['ENQ'], answerTimeoutMs);
    if (enq === 'timeout') throw new LinkError('timeout', 'Pas de réponse du terminal dans le délai', true);
    if (enq === 'closed') throw new LinkError('link_closed', 'Liaison fermée avant la réponse', true);
    this.send(controlByte('ACK'));
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      const item = await this.next(controlTimeoutMs);
      if (item.kind === 'ended') throw new LinkError('link_closed', 'Liaison fermée pendant la réponse', true);
      if (item.kind === 'frame') {
        let answer: ConcertAnswer;
        try {
          answer = decodeV2Answer(this.profile, item.data);
        } catch (error) {
          this.send(controlByte('NAK'));
          if (error instanceof ProtocolError && attempt === retries) throw new LinkError(error.code, error.message, true);
          continue;
        }
        this.send(controlByte('ACK'));
        await this.control(['EOT'], controlTimeoutMs);
        return answer;
      }
      if (item.kind === 'control' && item.control === 'ENQ') {
        // The terminal started over (it missed our ACK): acknowledge again.
        this.send(controlByte('ACK'));
        continue;
      }
      // bad frame, silence or a stray byte: ask for the frame again
      this.send(controlByte('NAK'));
    }
    throw new LinkError('bad_lrc', 'Réponse du terminal illisible après plusieurs répétitions', true);
  }
}
