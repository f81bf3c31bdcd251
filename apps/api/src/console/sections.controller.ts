import { Controller, Get, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../common/auth';
import { ConsoleGuard, ConsoleRoles } from './console-auth';
import type { ConsoleRequest } from './console-auth';
import { ConsoleFilter } from './console.filter';
import { html } from './html';
import { PageContext, layout } from './layout';
import { sendPage } from './send-page';

const contextOf = (req: ConsoleRequest): PageContext => ({ user: req.consoleSession!.user, csrf: req.consoleSession!.csrfSecret, path: req.path });

/** The home of each role. The cashier's desk is filled by point 2 of issue 10; the régie's « À traiter » is in regie.controller.ts. */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleGuard)
@UseFilters(ConsoleFilter)
@Controller('console')
export class ConsoleSectionsController {
  @ConsoleRoles('caissier')
  @Get('guichet')
  desk(@Req() req: ConsoleRequest, @Res() res: Response): void {
    sendPage(
      res,
      layout(
        'Guichet',
        contextOf(req),
        html`<h1>Guichet</h1>
          <div class="card">
            <p>
              Ici, à l’admission : retrouver ou créer un dossier (numéro GAP ou nom du patient), choisir un terminal de la régie et lancer
              l’empreinte, puis en suivre l’avancement en direct.
            </p>
            <p>Ces écrans arrivent avec la suite de la console ; en attendant, la GAP lance les empreintes par l’API.</p>
          </div>`,
      ),
    );
  }

  @ConsoleRoles('comptable')
  @Get('comptabilite')
  accounting(@Req() req: ConsoleRequest, @Res() res: Response): void {
    sendPage(
      res,
      layout(
        'Comptabilité',
        contextOf(req),
        html`<h1>Comptabilité</h1>
          <div class="card">
            <p>Les pages du comptable arrivent avec le lot comptable. Ce que DIAPASON sait déjà faire :</p>
            <ul>
              <li>lire les relevés bancaires CAMT.053 et CFONB 120 et les rapprocher des débits ;</li>
              <li>préparer les exports comptables des encaissements ;</li>
              <li>tenir le calendrier des jours ouvrés pour les dates de débit.</li>
            </ul>
          </div>`,
      ),
    );
  }
}
