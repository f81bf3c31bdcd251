import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import type { Clock } from '@diapason/domain';
import { DomainError, completionDueAt } from '@diapason/domain';
import type { DiapasonConfig } from '@diapason/config';
import { InjectClock, InjectConfig } from '@diapason/config';
import { NoticeLifecycle, PatientLinkTokens } from '@diapason/notifier';
import { DossierEntity, EstablishmentRepository, NoticeRepository, NoticeRow, TransactionContext } from '@diapason/persistence';
import { CancelDossier } from '../dossiers/usecases/cancel-dossier';
import { PatientPageModel, confirmOtherPaymentPage, patientPage } from './pages';

/** A 1×1 transparent GIF. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export class PatientLinkError extends DomainError {}

/**
 * The patient's page, reached from the SMS or the e-mail: what is owed, when it will be debited,
 * whom to call; "J'ai pris connaissance" and "Payer autrement".
 */
@ApiExcludeController()
@Controller('p')
export class PatientPageController {
  constructor(
    private readonly tokens: PatientLinkTokens,
    private readonly notices: NoticeRepository,
    private readonly establishments: EstablishmentRepository,
    private readonly lifecycle: NoticeLifecycle,
    private readonly cancel: CancelDossier,
    private readonly tx: TransactionContext,
    @InjectConfig() private readonly config: DiapasonConfig,
    @InjectClock() private readonly clock: Clock,
  ) {}

  private async resolve(token: string): Promise<{ notice: NoticeRow; dossier: DossierEntity }> {
    const verified = this.tokens.verify(token, this.clock.now());
    if ('error' in verified) {
      throw verified.error === 'expired'
        ? new PatientLinkError('not_found', 'link_expired', 'Ce lien a expiré.', { httpStatus: 410 })
        : new PatientLinkError('not_found', 'link_invalid', 'Ce lien n’est pas valide.');
    }
    const notice = await this.notices.findById(verified.noticeId);
    const dossier = notice ? await this.tx.manager.findOneBy(DossierEntity, { id: notice.dossierId }) : null;
    if (!notice || !dossier) throw new PatientLinkError('not_found', 'link_invalid', 'Ce lien n’est pas valide.');
    return { notice, dossier };
  }

  private async model(token: string, dossier: DossierEntity, message?: string): Promise<PatientPageModel> {
    const establishment = (await this.establishments.findById(dossier.establishmentId))!;
    const regie = await this.establishments.findRegieById(dossier.regieId);
    const now = this.clock.now();
    const state: PatientPageModel['state'] =
      dossier.status === 'payment_requested' || dossier.status === 'acknowledged'
        ? 'open'
        : dossier.status === 'completing'
          ? 'debit_sent'
          : dossier.status === 'completed'
            ? 'paid'
            : dossier.status === 'cancelled'
              ? 'cancelled'
              : 'closed';
    return {
      token,
      hospitalName: establishment.name,
      amountCents: dossier.amountCents ?? 0,
      gapDossierNumber: dossier.gapDossierNumber,
      imprintedAt: dossier.imprintedAt ?? dossier.createdAt,
      debitDate: dossier.completionDueAt,
      debitDateIfAcknowledgedNow: completionDueAt(now, this.config.delays),
      acknowledged: dossier.acknowledgedAt !== null,
      state,
      regie: {
        name: regie?.name ?? dossier.regieCode,
        phone: regie?.phone ?? null,
        email: regie?.email ?? null,
        address: regie?.address ?? null,
        openingHours: regie?.openingHours ?? null,
      },
      message,
    };
  }

  private html(res: Response, body: string): void {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'");
    res.type('html').send(body);
  }

  @Get(':token')
  async page(@Param('token') token: string, @Query('fait') done: string | undefined, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { notice, dossier: found } = await this.resolve(token);
    let dossier = found;
    if (dossier.status === 'payment_requested') {
      // Following the link is evidence of receipt (unless DIAPASON_ACK_EVIDENCE=explicit).
      dossier = (await this.lifecycle.acknowledge(notice.id, { kind: 'link', at: this.clock.now(), userAgent: req.get('user-agent') }, { type: 'patient' }))?.dossier ?? dossier;
    }
    const message =
      done === 'prise-de-connaissance'
        ? 'Merci, votre prise de connaissance est enregistrée.'
        : done === 'autre-paiement'
          ? 'Votre choix est enregistré : votre carte ne sera pas débitée.'
          : undefined;
    this.html(res, patientPage(await this.model(token, dossier, message)));
  }

  @Get(':token/o.gif')
  async pixel(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const verified = this.tokens.verify(token, this.clock.now());
    if (!('error' in verified)) {
      const notice = await this.notices.findById(verified.noticeId);
      const dossier = notice ? await this.tx.manager.findOneBy(DossierEntity, { id: notice.dossierId }) : null;
      if (notice && dossier?.status === 'payment_requested') {
        await this.lifecycle.acknowledge(notice.id, { kind: 'pixel', at: this.clock.now(), userAgent: req.get('user-agent') }, { type: 'patient' });
      }
    }
    res.setHeader('Cache-Control', 'no-store, max-age=0');
    res.type('gif').send(PIXEL);
  }

  @Post(':token/prise-de-connaissance')
  async acknowledge(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const { notice } = await this.resolve(token);
    await this.lifecycle.acknowledge(notice.id, { kind: 'button', at: this.clock.now(), userAgent: req.get('user-agent') }, { type: 'patient' });
    res.redirect(303, `/p/${token}?fait=prise-de-connaissance`);
  }

  @Get(':token/payer-autrement')
  async confirmOtherPayment(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const { dossier } = await this.resolve(token);
    const model = await this.model(token, dossier);
    if (model.state !== 'open') return res.redirect(303, `/p/${token}`);
    this.html(res, confirmOtherPaymentPage(model));
  }

  @Post(':token/payer-autrement')
  async otherPayment(@Param('token') token: string, @Res() res: Response): Promise<void> {
    const { dossier } = await this.resolve(token);
    if (dossier.status === 'payment_requested' || dossier.status === 'acknowledged') {
      const establishment = (await this.establishments.findById(dossier.establishmentId))!;
      await this.cancel.execute(
        { apiKeyId: '', establishmentId: dossier.establishmentId, establishmentCode: establishment.code },
        dossier.id,
        'patient_choice',
        { type: 'patient', id: null },
      );
    }
    res.redirect(303, `/p/${token}?fait=autre-paiement`);
  }
}
