import { Module } from '@nestjs/common';
import { SmsStatusController } from './sms-status.controller';
import { RecordSmsStatus } from './usecases/record-sms-status';

@Module({ controllers: [SmsStatusController], providers: [RecordSmsStatus] })
export class CallbacksModule {}
