import { All, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError } from '@diapason/domain';
import { Public } from '../common/auth';
import { PatientPageFilter } from './patient-page.filter';
import { confirmOtherPaymentPage, patientPage } from './pages';
import { ChooseOtherPayment } from './usecases/choose-other-payment';
import { PresentPatientPage } from './usecases/present-patient-page';
import { RecordLinkEvidence } from './usecases/record-link-evidence';
import { ResolvePatientLink } from './usecases/resolve-patient-link';

/** A 1×1 transparent GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/**
 * The patient's page, reached from the SMS or the e-mail: what is owed, when it will be debited,
 * whom to call; « J'ai pris connaissance » and « Payer autrement ». The signed token is the credential.
 */
@ApiExcludeController()
@Public()
@UseFilters(PatientPageFilter)
@Controller('p')
export class PatientPageController {
  constructor(
    private readonly resolveLink: ResolvePatientLink,
    private readonly present: PresentPatientPage,
    private readonly recordEvidence: RecordLinkEvidence,
    private readonly chooseOtherPayment: ChooseOtherPayment,
  ) {}

  private html(res: Response, body: string): void {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'");
    res.type('html').send(body);
  }

  @Get(':token')
  async page(@Param('token') token: string, @Query('fait') done: string | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    const link = await this.resolveLink.execute(token);
    // Following the link is evidence of receipt (unless DIAPASON_ACK_EVIDENCE=explicit).
    const dossier =
      link.dossier.status === 'payment_requested' ? await this.recordEvidence.execute(link, 'link', req.get('user-agent')) : link.dossier;
    const message =
      done === 'prise-de-connaissance'
        ? 'Merci, votre prise de connaissance est enregistrée.'
        : done === 'autre-paiement'
          ? 'Votre choix est enregistré : votre carte ne sera pas débitée.'
          : undefined;
    this.html(res, patientPage(await this.present.execute(token, dossier, message)));
  }

  @Get(':token/o.gif')
  async pixel(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const link = await this.resolveLink.find(token);
    if (link?.dossier.status === 'payment_requested') await this.recordEvidence.execute(link, 'pixel', req.get('user-agent'));
    res.setHeader('Cache-Control', 'no-store, max-age=0');
    res.type('gif').send(PIXEL);
  }

  @Post(':token/prise-de-connaissance')
  async acknowledge(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.recordEvidence.execute(await this.resolveLink.execute(token), 'button', req.get('user-agent'));
    res.redirect(303, `/p/${token}?fait=prise-de-connaissance`);
  }

  @Get(':token/payer-autrement')
  async confirmOtherPayment(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const { dossier } = await this.resolveLink.execute(token);
    const model = await this.present.execute(token, dossier);
    if (model.state !== 'open') return res.redirect(303, `/p/${token}`);
    this.html(res, confirmOtherPaymentPage(model));
  }

  @Post(':token/payer-autrement')
  async otherPayment(@Param('token') token: string, @Res() res: Response): Promise<void> {
    await this.chooseOtherPayment.execute(await this.resolveLink.execute(token));
    res.redirect(303, `/p/${token}?fait=autre-paiement`);
  }

  /** Any other address under /p/ is a link that does not exist: a French page, not JSON. */
  @All('*path')
  unknown(): never {
    throw new DomainError('not_found', 'link_invalid', 'Ce lien n’est pas valide.');
  }
}
