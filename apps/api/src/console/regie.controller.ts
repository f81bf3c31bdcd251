import { Controller, Get, Param, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { EXCEPTION_KINDS, ExceptionItem, ExceptionKind, ExceptionList, RegieConsoleRepository } from '@diapason/persistence';
import type { DossierFile } from '@diapason/persistence';
import { Public } from '../common/auth';
import { ConsoleGuard, ConsoleRoles, ConsoleSessions } from './console-auth';
import type { ConsoleRequest } from './console-auth';
import { ConsoleFilter } from './console.filter';
import {
  ACTOR_LABELS,
  ATTEMPT_STATUS_LABELS,
  CHANNEL_LABELS,
  EVIDENCE_KIND_LABELS,
  EVIDENCE_REASON_LABELS,
  NOTICE_STATUS_LABELS,
  dateTime,
  euros,
  eventLabel,
  longDate,
  masked,
  parisDayStart,
  statusText,
} from './french';
import { SafeHtml, html } from './html';
import { PageContext, dataTable, errorPage, layout } from './layout';
import { sendPage } from './send-page';

/** Items per list of the « À traiter » screen and of the search results. */
const LIST_LIMIT = 50;
/** Failed notices, abandons and bank rejections stay on the screen this long after they closed. */
const EXCEPTION_WINDOW_MS = 30 * 24 * 3600_000;
/** A debit sent this long ago without an answer, or due this long ago and not sent, is stalled. */
const STALLED_AFTER_MS = 30 * 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const SECTIONS: Record<ExceptionKind, { title: string; hint: string; at: string }> = {
  imprint_failed: { title: 'Empreintes échouées aujourd’hui', hint: 'Dossiers toujours sans empreinte après un échec du jour.', at: 'Échec' },
  notification_failed: { title: 'Notifications en échec', hint: 'Aucun canal n’a atteint le patient (30 derniers jours).', at: 'Clôture' },
  not_acknowledged: {
    title: 'Demandes abandonnées',
    hint: 'Le patient n’a pas accusé réception dans le délai (30 derniers jours).',
    at: 'Clôture',
  },
  bank_rejected: { title: 'Rejets bancaires', hint: 'Débits refusés par la banque (30 derniers jours).', at: 'Rejet' },
  deadline_alert: {
    title: 'Alertes d’échéance',
    hint: 'Empreintes bientôt expirées sans demande de paiement ou sans accusé.',
    at: 'Fin de validité',
  },
  debit_stalled: {
    title: 'Débits bloqués',
    hint: 'Débit envoyé sans réponse depuis plus de 30 minutes, ou débit prévu et non lancé.',
    at: 'Envoi ou échéance',
  },
};

const stalledDetail = (detail: string | null) =>
  detail === 'completing' ? 'Débit envoyé, sans réponse du serveur d’acceptation' : detail === 'overdue' ? 'Débit prévu, non lancé' : detail;

const patientName = (d: { patientFirstName: string; patientLastName: string }) =>
  `${d.patientLastName} ${d.patientFirstName}`.trim() || 'Données personnelles effacées';

/** The régie manager's pages (issue 10, point 3): the exceptions to handle, a dossier, a search. */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleGuard)
@UseFilters(ConsoleFilter)
@ConsoleRoles('regisseur')
@Controller('console')
export class ConsoleRegieController {
  constructor(
    private readonly repository: RegieConsoleRepository,
    private readonly sessions: ConsoleSessions,
  ) {}

  private context(req: ConsoleRequest, path = req.path): PageContext {
    return { user: req.consoleSession!.user, csrf: req.consoleSession!.csrfSecret, path };
  }

  @Get('a-traiter')
  async toHandle(@Req() req: ConsoleRequest, @Res() res: Response): Promise<void> {
    const now = this.sessions.now();
    const lists = await this.repository.exceptions(req.consoleSession!.user.establishmentId, {
      now,
      dayStart: parisDayStart(now),
      closedSince: new Date(now.getTime() - EXCEPTION_WINDOW_MS),
      stalledBefore: new Date(now.getTime() - STALLED_AFTER_MS),
      limit: LIST_LIMIT,
    });
    const summary = EXCEPTION_KINDS.map(
      (kind) =>
        html`<li>
          <a href="#${kind}"><span class="count" data-kind="${kind}">${lists[kind].total}</span> <span>${SECTIONS[kind].title}</span></a>
        </li>`,
    );
    sendPage(
      res,
      layout(
        'À traiter',
        this.context(req),
        html`<h1>À traiter</h1>
          ${searchForm('')}
          <h2 id="resume">En résumé</h2>
          <ul class="counts">
            ${summary}
          </ul>
          ${EXCEPTION_KINDS.map((kind) => exceptionSection(kind, lists[kind]))}`,
      ),
    );
  }

  @Get('recherche')
  async search(@Req() req: ConsoleRequest, @Res() res: Response, @Query('q') q: unknown): Promise<void> {
    const text = typeof q === 'string' ? q.trim().slice(0, 100) : '';
    const found = text.length >= 2 ? await this.repository.search(req.consoleSession!.user.establishmentId, text, LIST_LIMIT) : null;
    const results = found
      ? found.length === 0
        ? html`<p role="status">Aucun dossier ne correspond à « ${text} ».</p>`
        : dataTable(
            `${found.length === LIST_LIMIT ? `Les ${LIST_LIMIT} dossiers les plus récents` : `${found.length} dossier(s)`} pour « ${text} »`,
            ['Dossier GAP', 'Patient', 'Régie', 'Statut', 'Créé le'],
            found.map(
              (d) =>
                html`<tr>
                  <td><a href="/console/dossiers/${d.id}">${d.gapDossierNumber}</a></td>
                  <td>${patientName(d)}</td>
                  <td>${d.regieCode}</td>
                  <td>${statusText(d.status)}</td>
                  <td>${dateTime(d.createdAt)}</td>
                </tr>`,
            ),
            { captionClass: null },
          )
      : html`<p class="hint">Saisissez au moins deux caractères.</p>`;
    sendPage(
      res,
      layout(
        'Recherche de dossiers',
        this.context(req, '/console/a-traiter'),
        html`<h1>Recherche de dossiers</h1>
          ${searchForm(text)} ${results}
          <p><a href="/console/a-traiter">Retour à « À traiter »</a></p>`,
      ),
    );
  }

  @Get('dossiers/:id')
  async dossier(@Req() req: ConsoleRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const context = this.context(req, '/console/a-traiter');
    const file = UUID.test(id) ? await this.repository.dossierFile(context.user!.establishmentId, id.toLowerCase()) : null;
    if (!file) {
      sendPage(res, errorPage('Dossier introuvable', 'Aucun dossier de votre établissement ne porte cet identifiant.', context), 404);
      return;
    }
    sendPage(res, layout(`Dossier ${file.dossier.gapDossierNumber}`, context, dossierPage(file)));
  }
}

function searchForm(value: string): SafeHtml {
  return html`<form method="get" action="/console/recherche" class="card" role="search">
    <label for="q">Rechercher un dossier <span class="hint">Numéro de dossier GAP ou nom du patient</span></label>
    <input id="q" name="q" type="text" value="${value}" minlength="2" maxlength="100" autocomplete="off" />
    <button class="secondary" type="submit">Rechercher</button>
  </form>`;
}

function exceptionSection(kind: ExceptionKind, list: ExceptionList): SafeHtml {
  const s = SECTIONS[kind];
  const detail = (item: ExceptionItem) => (kind === 'debit_stalled' ? stalledDetail(item.detail) : item.detail);
  const when = (item: ExceptionItem) => (kind === 'deadline_alert' ? longDate(item.at) : dateTime(item.at));
  return html`<section aria-labelledby="${kind}">
    <h2 id="${kind}">${s.title} (${list.total})</h2>
    <p class="hint">${s.hint}</p>
    ${
      list.items.length === 0
        ? html`<p>Rien à traiter.</p>`
        : dataTable(
            list.total > list.items.length ? `Les ${list.items.length} premiers sur ${list.total}` : `${list.total} dossier(s)`,
            ['Dossier GAP', 'Patient', 'Régie', s.at, 'Détail'],
            list.items.map(
              (item) =>
                html`<tr>
                  <td><a href="/console/dossiers/${item.dossierId}">${item.gapDossierNumber}</a></td>
                  <td>${patientName(item)}</td>
                  <td>${item.regieCode}</td>
                  <td>${when(item)}</td>
                  <td>${detail(item) ?? statusText(item.status)}</td>
                </tr>`,
            ),
          )
    }
  </section>`;
}

const row = (label: string, value: SafeHtml | string) =>
  html`<tr>
    <th scope="row">${label}</th>
    <td>${value}</td>
  </tr>`;

function evidenceRows(file: DossierFile): SafeHtml[] {
  const rows: SafeHtml[] = [];
  for (const e of file.events) {
    const d = e.details ?? {};
    const evidence =
      e.type === 'dossier.acknowledged' ? (d.evidence as Record<string, unknown> | undefined) : e.type === 'notice.evidence' ? d : undefined;
    if (!evidence) continue;
    const counted = e.type === 'dossier.acknowledged';
    const reason = typeof d.reason === 'string' ? (EVIDENCE_REASON_LABELS[d.reason] ?? d.reason) : null;
    rows.push(
      html`<tr>
        <td>${dateTime(e.at)}</td>
        <td>${CHANNEL_LABELS[String(evidence.channel)] ?? '—'}</td>
        <td>${EVIDENCE_KIND_LABELS[String(evidence.kind)] ?? (typeof evidence.kind === 'string' ? evidence.kind : '—')}</td>
        <td>${counted ? 'Retenue : vaut accusé de réception' : `Non retenue${reason ? ` : ${reason}` : ''}`}</td>
      </tr>`,
    );
  }
  return rows;
}

function dossierPage(file: DossierFile): SafeHtml {
  const d = file.dossier;
  const erased = d.personalDataErasedAt !== null;
  const evidence = evidenceRows(file);
  return html`<h1>Dossier GAP ${d.gapDossierNumber}</h1>
    <p class="status"><strong>Statut :</strong> ${statusText(d.status)}</p>
    <h2>Dossier</h2>
    <table class="facts">
      <caption class="hint">
        Identifiant DIAPASON ${d.id}
      </caption>
      <tbody>
        ${row('Numéro de dossier GAP', d.gapDossierNumber)} ${row('Régie', file.regieName ? `${file.regieName} (${d.regieCode})` : d.regieCode)}
        ${row('Patient', erased ? `Données personnelles effacées le ${longDate(d.personalDataErasedAt)}` : `${d.patientLastName} ${d.patientFirstName}`)}
        ${erased ? '' : row('Téléphone', masked(d.patientPhone))} ${erased ? '' : row('Courriel', masked(d.patientEmail))}
        ${row('Admission', longDate(d.admissionDate))} ${row('Plafond de l’empreinte', euros(d.ceilingCents))}
        ${row('Montant demandé', euros(d.amountCents))} ${d.invoiceReference ? row('Référence de facture', d.invoiceReference) : ''}
        ${row('Empreinte valable jusqu’au', dateTime(d.imprintValidUntil))} ${row('Demande de paiement', dateTime(d.paymentRequestedAt))}
        ${row('Accusé de réception', dateTime(d.acknowledgedAt))} ${row('Date prévue du débit', dateTime(d.completionDueAt))}
        ${d.completionStartedAt ? row('Débit envoyé', dateTime(d.completionStartedAt)) : ''}
        ${d.completedAt ? row('Débit abouti', dateTime(d.completedAt)) : ''}
        ${d.acquirerTransactionReference ? row('Référence de la transaction', d.acquirerTransactionReference) : ''}
        ${d.bankReasonMessage || d.bankReasonCode ? row('Motif du rejet bancaire', [d.bankReasonCode, d.bankReasonMessage].filter(Boolean).join(' — ')) : ''}
        ${d.cancelledAt ? row('Annulation', `${dateTime(d.cancelledAt)} — motif : ${d.cancelReason ?? '—'}`) : ''}
        ${d.closedAt ? row('Clôture', dateTime(d.closedAt)) : ''}
      </tbody>
    </table>
    ${
      file.alerts.length > 0
        ? html`<h2>Alertes</h2>
            <ul class="card">
              ${file.alerts.map((a) => html`<li>${dateTime(a.createdAt)} — ${a.message}</li>`)}
            </ul>`
        : ''
    }
    <h2>Empreintes</h2>
    ${
      file.attempts.length === 0
        ? html`<p>Aucune demande d’empreinte.</p>`
        : dataTable(
            'Demandes d’empreinte, de la plus ancienne à la plus récente',
            ['Demandée le', 'Terminal', 'Plafond', 'Carte', 'Autorisation', 'Résultat'],
            file.attempts.map(
              (a) =>
                html`<tr>
                  <td>${dateTime(a.requestedAt)}</td>
                  <td>${a.terminalCode ?? '—'}</td>
                  <td>${euros(a.ceilingCents)}</td>
                  <td>${a.maskedPan ?? '—'}</td>
                  <td>${a.authorisationNumber ?? '—'}</td>
                  <td>${ATTEMPT_STATUS_LABELS[a.status] ?? a.status}${a.failureMessage ? ` : ${a.failureMessage}` : ''}</td>
                </tr>`,
            ),
          )
    }
    <h2>Notifications</h2>
    ${
      file.notices.length === 0
        ? html`<p>Aucune notification.</p>`
        : dataTable(
            'Notifications au patient, par canal',
            ['Canal', 'Destinataire', 'État', 'Envoyée le', 'Remise ou ouverture', 'Motif d’échec'],
            file.notices.map(
              (n) =>
                html`<tr>
                  <td>${CHANNEL_LABELS[n.channel] ?? n.channel}</td>
                  <td>${erased ? '—' : masked(n.recipient)}</td>
                  <td>${NOTICE_STATUS_LABELS[n.status] ?? n.status}</td>
                  <td>${dateTime(n.sentAt)}</td>
                  <td>${dateTime(n.deliveredAt)}</td>
                  <td>${n.failureReason ?? '—'}</td>
                </tr>`,
            ),
          )
    }
    <h2>Preuves de réception</h2>
    ${
      evidence.length === 0
        ? html`<p>Aucune preuve de réception.</p>`
        : dataTable('Chaque preuve reçue, retenue ou non, avec la raison', ['Reçue le', 'Canal', 'Preuve', 'Décision'], evidence)
    }
    <h2>Historique</h2>
    ${dataTable(
      'Journal du dossier, du plus ancien au plus récent',
      ['Date', 'Événement', 'Par'],
      file.events.map(
        (e) =>
          html`<tr>
            <td>${dateTime(e.at)}</td>
            <td>${eventLabel(e.type)}</td>
            <td>${ACTOR_LABELS[e.actorType] ?? e.actorType}</td>
          </tr>`,
      ),
    )}
    <p><a href="/console/a-traiter">Retour à « À traiter »</a></p>`;
}
