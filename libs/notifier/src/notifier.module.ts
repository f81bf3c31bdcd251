import { DynamicModule, Global, Module } from '@nestjs/common';
import { DIAPASON_CONFIG, DiapasonConfig } from '@diapason/config';
import { EmailSender } from './email-sender';
import { EMAIL_SENDER, NoticeDispatcher, SMS_SENDER } from './notice-dispatcher';
import { NOTICE_PLANNER } from '@diapason/lifecycle';
import { ChannelPlanner, NOTIFIER_CHANNELS } from './notice-planner';
import { NoticeTracker } from './notice-tracker';
import { PatientLinkTokens } from './patient-link';
import { SmsSender } from './sms-sender';
import { WebhookDispatcher } from './webhook-dispatcher';
import { HOST_LOOKUP, HostLookup, WebhookDestinations, systemHostLookup } from './webhook-destinations';

export interface NotifierOptions {
  /** Resolves webhook host names; the system resolver unless a test gives its own. */
  hostLookup?: HostLookup;
}

@Global()
@Module({})
export class NotifierModule {
  static forRoot(options: NotifierOptions = {}): DynamicModule {
    return {
      module: NotifierModule,
      providers: [
        {
          provide: PatientLinkTokens,
          inject: [DIAPASON_CONFIG],
          useFactory: (c: DiapasonConfig) => {
            if (!c.tokenSecret)
              throw new Error('DIAPASON_TOKEN_SECRET est obligatoire (au moins 32 caractères) : il signe les liens envoyés aux patients.');
            return new PatientLinkTokens(c.tokenSecret);
          },
        },
        { provide: SMS_SENDER, inject: [DIAPASON_CONFIG], useFactory: (c: DiapasonConfig) => (c.notices.sms ? new SmsSender(c.notices.sms) : null) },
        {
          provide: EMAIL_SENDER,
          inject: [DIAPASON_CONFIG],
          useFactory: (c: DiapasonConfig) => (c.notices.email ? new EmailSender(c.notices.email) : null),
        },
        {
          provide: NOTIFIER_CHANNELS,
          inject: [DIAPASON_CONFIG],
          useFactory: (c: DiapasonConfig) => {
            if (!c.notices.sms && !c.notices.email) {
              throw new Error(
                'Aucun canal de notification : configurez Twilio (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM) et/ou SMTP (SMTP_URL, MAIL_FROM).',
              );
            }
            return { sms: Boolean(c.notices.sms), email: Boolean(c.notices.email) };
          },
        },
        ChannelPlanner,
        { provide: NOTICE_PLANNER, useExisting: ChannelPlanner },
        NoticeTracker,
        NoticeDispatcher,
        { provide: HOST_LOOKUP, useValue: options.hostLookup ?? systemHostLookup },
        WebhookDestinations,
        WebhookDispatcher,
      ],
      exports: [
        PatientLinkTokens,
        SMS_SENDER,
        EMAIL_SENDER,
        NOTICE_PLANNER,
        ChannelPlanner,
        NoticeTracker,
        NoticeDispatcher,
        WebhookDestinations,
        WebhookDispatcher,
      ],
    };
  }
}
