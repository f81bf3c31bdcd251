import { Inject, Injectable } from '@nestjs/common';
import type { DiapasonConfig } from '@diapason/config';
import { InjectConfig } from '@diapason/config';
import type { NoticePlanner } from '@diapason/lifecycle';
import type { DossierEntity, NoticeChannel } from '@diapason/persistence';
import { parsePhone } from './phone';

export const NOTIFIER_CHANNELS = Symbol('NOTIFIER_CHANNELS');
export interface EnabledChannels {
  sms: boolean;
  email: boolean;
}

/** Which channels reach a patient, in which order: SMS to a mobile, then e-mail. */
@Injectable()
export class ChannelPlanner implements NoticePlanner {
  constructor(
    @Inject(NOTIFIER_CHANNELS) private readonly enabled: EnabledChannels,
    @InjectConfig() private readonly config: DiapasonConfig,
  ) {}

  channelsOf(dossier: Pick<DossierEntity, 'patientPhone' | 'patientEmail'>): NoticeChannel[] {
    const out: NoticeChannel[] = [];
    if (this.enabled.sms && dossier.patientPhone && parsePhone(dossier.patientPhone)?.smsCapable) out.push('sms');
    if (this.enabled.email && dossier.patientEmail) out.push('email');
    return out;
  }

  /** `fallback`: one channel, the next when it fails; `all`: every channel at once. */
  firstWave(channels: NoticeChannel[]): NoticeChannel[] {
    return this.config.notices.strategy === 'all' ? channels : channels.slice(0, 1);
  }
}
