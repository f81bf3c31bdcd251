import { All, Controller, Get, Param, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DomainError } from '@diapason/domain';
import { Public } from '../common/auth';
import { PatientPageFilter } from './patient-page.filter';
import { confirmOtherPaymentPage, patientPage } from './pages';
import { ChooseOtherPayment } from './usecases/choose-other-payment';
import { PresentPatientPage, canPayOtherwise, patientAction } from './usecases/present-patient-page';
import { EvidenceRequest, RecordLinkEvidence } from './usecases/record-link-evidence';
import { ResolvePatientLink } from './usecases/resolve-patient-link';

const evidenceRequest = (req: Request): EvidenceRequest => ({ method: req.method, userAgent: req.get('user-agent') });

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

  /**
   * The page. Fetching it is evidence (kind `link`) only while the notice awaits its
   * acknowledgment; whether it counts is the evidence rule's: a HEAD request, a link scanner or an
   * image proxy never counts, and is kept in the journal as not counted.
   */
  @Get(':token')
  async page(@Param('token') token: string, @Query('fait') done: string | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    const link = await this.resolveLink.execute(token);
    const dossier =
      link.dossier.status === 'payment_requested' ? await this.recordEvidence.execute(link, 'link', evidenceRequest(req)) : link.dossier;
    this.html(res, patientPage(await this.present.execute(token, dossier, patientAction(done))));
  }

  @Get(':token/o.gif')
  async pixel(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const link = await this.resolveLink.find(token);
    if (link?.dossier.status === 'payment_requested') await this.recordEvidence.execute(link, 'pixel', evidenceRequest(req));
    res.setHeader('Cache-Control', 'no-store, max-age=0');
    res.type('gif').send(PIXEL);
  }

  /** « J'ai pris connaissance »: a form the patient submits, the human signal of the page. */
  @Post(':token/prise-de-connaissance')
  async acknowledge(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await this.recordEvidence.execute(await this.resolveLink.execute(token), 'button', evidenceRequest(req));
    res.redirect(303, `/p/${token}?fait=prise-de-connaissance`);
  }

  @Get(':token/payer-autrement')
  async confirmOtherPayment(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const { dossier } = await this.resolveLink.execute(token);
    // Too late or closed: the page says why, from the dossier's state.
    if (!canPayOtherwise(dossier)) return res.redirect(303, `/p/${token}?fait=autre-paiement`);
    this.html(res, confirmOtherPaymentPage(await this.present.execute(token, dossier)));
  }

  /** Post, then redirect to the page, which reads the dossier again (cancelled, or too late and why). */
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
