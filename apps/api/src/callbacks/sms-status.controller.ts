import { Body, Controller, Headers, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Clock } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { NoticeLifecycle, validTwilioSignature } from '@diapason/notifier';
import { NoticeRepository } from '@diapason/persistence';
import { ProblemException } from '../common/problem';

/** Twilio's status callbacks: `delivered` is the SMS acknowledgment; `undelivered`/`failed` fall back to e-mail. */
@ApiTags('Fournisseurs')
@Controller('callbacks/sms')
export class SmsStatusController {
  constructor(
    private readonly notices: NoticeRepository,
    private readonly lifecycle: NoticeLifecycle,
    @InjectConfig() private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
  ) {}

  @Post('status')
  @HttpCode(204)
  @ApiExcludeEndpoint()
  async status(
    @Body() params: Record<string, string>,
    @Headers('x-twilio-signature') signature: string | undefined,
    @Query('notice') noticeId: string | undefined,
    @Req() req: Request,
  ): Promise<void> {
    const sms = this.config.notices.sms;
    // Twilio signs the URL it called: the public one, not what a proxy forwarded to us.
    const url = `${this.config.http.publicBaseUrl}${req.originalUrl}`;
    if (!sms || !validTwilioSignature(sms.authToken, signature, url, params ?? {})) {
      throw new ProblemException(403, 'invalid_signature', 'Signature Twilio absente ou invalide : rappel refusé.');
    }
    const notice = noticeId && /^[0-9a-f-]{36}$/.test(noticeId) ? await this.notices.findById(noticeId) : null;
    if (!notice || (notice.providerId && params.MessageSid && notice.providerId !== params.MessageSid)) return;
    const status = params.MessageStatus ?? params.SmsStatus;
    if (status === 'delivered') {
      await this.lifecycle.acknowledge(notice.id, { kind: 'delivery_receipt', at: this.clock.now(), userAgent: null }, { type: 'provider', id: 'twilio' });
    } else if (status === 'undelivered' || status === 'failed') {
      await this.lifecycle.recordFailure(
        notice.id,
        `SMS non remis (${status}${params.ErrorCode ? `, code ${params.ErrorCode}` : ''}) : numéro erroné ou injoignable.`,
        { type: 'provider', id: 'twilio' },
      );
    }
  }
}
