import { Body, Controller, Headers, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { DiapasonConfig } from '@diapason/config';
import { InjectConfig } from '@diapason/config';
import { validTwilioSignature } from '@diapason/notifier';
import { Public } from '../common/auth';
import { ProblemException } from '../common/problem';
import { RecordSmsStatus } from './usecases/record-sms-status';

/** Twilio's status callbacks, authenticated by Twilio's signature rather than a GAP key. */
@ApiTags('Fournisseurs')
@Public()
@Controller('callbacks/sms')
export class SmsStatusController {
  constructor(
    private readonly recordSmsStatus: RecordSmsStatus,
    @InjectConfig() private readonly config: DiapasonConfig,
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
    await this.recordSmsStatus.execute(noticeId, params ?? {});
  }
}
