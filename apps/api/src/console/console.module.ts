import { Module } from '@nestjs/common';
import { ConsoleAdministrationController } from './administration.controller';
import { ConsoleAuthController, ConsoleFallbackController } from './console-auth.controller';
import { ConsoleGuard, ConsoleSessions } from './console-auth';
import { ConsoleSectionsController } from './sections.controller';
import { OidcLogin } from './oidc-login';

/** The Régie console (issue 10) at /console: server-rendered French pages, sessions in PostgreSQL. */
@Module({
  // The fallback (404 page) last: Express tries routes in order.
  controllers: [ConsoleAuthController, ConsoleSectionsController, ConsoleAdministrationController, ConsoleFallbackController],
  providers: [ConsoleSessions, ConsoleGuard, OidcLogin],
})
export class ConsoleModule {}
