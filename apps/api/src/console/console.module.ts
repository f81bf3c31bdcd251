import { Module } from '@nestjs/common';
import { RegieConsoleRepository } from '@diapason/persistence';
import { ConsoleAdministrationController } from './administration.controller';
import { ConsoleAuthController, ConsoleFallbackController } from './console-auth.controller';
import { ConsoleGuard, ConsoleSessions } from './console-auth';
import { ConsoleRegieController } from './regie.controller';
import { ConsoleSectionsController } from './sections.controller';
import { OidcLogin } from './oidc-login';

/** The Régie console (issue 10) at /console: server-rendered French pages, sessions in PostgreSQL. */
@Module({
  // The fallback (404 page) last: Express tries routes in order.
  controllers: [ConsoleAuthController, ConsoleSectionsController, ConsoleRegieController, ConsoleAdministrationController, ConsoleFallbackController],
  providers: [ConsoleSessions, ConsoleGuard, OidcLogin, RegieConsoleRepository],
})
export class ConsoleModule {}
