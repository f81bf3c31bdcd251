import type { Socket } from 'node:net';
import type { TerminalProfile } from '../profiles';
import type { Timing, Transport } from '../transport-url';
import { ConcertAnswer, ConcertRequest, V3_REQUIRED_ANSWER_TAGS, decodeV3Answer, v3RequestFields } from '../concert/messages';
import { encodeTlv, parseTlv } from '../concert/v3-tlv';
import { LinkError, TargetGuard, TerminalLink } from './link';
import { connectSocket, underDeadline } from './tcp-v2-link';

/** After the required tags, optional ones may still come: this much silence ends the answer. */
const QUIET_MS = 40;

/** Concert V3 (Caisse-AP) over TCP: one connection, one request, one answer. */
export class TcpV3Link implements TerminalLink {
  readonly protocol = 'v3' as const;

  constructor(
    private readonly transport: Extract<Transport, { kind: 'tcp' }>,
    private readonly profile: TerminalProfile,
    private readonly timing: Timing,
    private readonly guard?: TargetGuard,
  ) {}

  async exchange(request: ConcertRequest, answerTimeoutMs = this.timing.answerTimeoutMs, signal?: AbortSignal): Promise<ConcertAnswer> {
    const socket = await connectSocket(this.transport.host, this.transport.port, this.timing.connectTimeoutMs, { guard: this.guard, signal });
    return underDeadline(socket, signal, () => this.converse(socket, request, answerTimeoutMs));
  }

  private converse(socket: Socket, request: ConcertRequest, answerTimeoutMs: number): Promise<ConcertAnswer> {
    return new Promise<ConcertAnswer>((resolve, reject) => {
      let buffer: Buffer = Buffer.alloc(0);
      let quiet: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (outcome: { answer?: ConcertAnswer; error?: LinkError }) => {
        if (done) return;
        done = true;
        clearTimeout(deadline);
        clearTimeout(quiet);
        socket.destroy();
        if (outcome.answer) resolve(outcome.answer);
        else reject(outcome.error ?? new LinkError('link_closed', 'Liaison fermée', true));
      };
      const tryDecode = (final: boolean) => {
        const { fields, consumed, error } = parseTlv(buffer);
        if (error) return finish({ error: new LinkError(error.code, error.message, true) });
        const complete = V3_REQUIRED_ANSWER_TAGS.every((tag) => fields.has(tag)) && consumed === buffer.length;
        if (complete && final) {
          try {
            finish({ answer: decodeV3Answer(this.profile, fields) });
          } catch (e) {
            const pe = e as LinkError;
            finish({ error: new LinkError(pe.code, pe.message, true) });
          }
        } else if (complete) {
          clearTimeout(quiet);
          quiet = setTimeout(() => tryDecode(true), QUIET_MS);
        } else if (final) {
          finish({ error: new LinkError('link_closed', 'Liaison fermée au milieu de la réponse', true) });
        }
      };
      const deadline = setTimeout(
        () => finish({ error: new LinkError('timeout', 'Pas de réponse du terminal dans le délai', true) }),
        answerTimeoutMs,
      );
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        if (buffer.length > 64 * 1024) return finish({ error: new LinkError('bad_tlv', 'Réponse V3 démesurée', true) });
        tryDecode(false);
      });
      socket.on('close', () => tryDecode(true));
      socket.on('error', () => undefined);
      socket.write(encodeTlv(v3RequestFields(this.profile, request)));
    });
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
